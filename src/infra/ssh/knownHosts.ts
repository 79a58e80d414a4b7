import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// OpenSSH's known_hosts, read the way ssh reads it: plain and hashed (`|1|salt|hash`,
// HMAC-SHA1) host fields, `[host]:port` for non-standard ports, wildcard and negated
// patterns, several keys per host, `@revoked` honoured, `@cert-authority` ignored
// (we never accept host certificates, so such lines can neither admit nor block a key).

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The raw host field (patterns, or one `|1|salt|hash`). */
  hosts: string;
  keyType: string;
  key: Buffer;
}

export interface KnownHostsProblem {
  file: string;
  line: number;
  message: string;
}

export function parseKnownHosts(text: string, file: string): { entries: KnownHostEntry[]; problems: KnownHostsProblem[] } {
  const entries: KnownHostEntry[] = [];
  const problems: KnownHostsProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push({ file, line: i + 1, message: `unknown marker ${m}` });
        return;
      }
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) {
      problems.push({ file, line: i + 1, message: 'expected "hosts keytype base64-key"' });
      return;
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length < 8 || blobKeyType(key) !== keyType) {
      problems.push({ file, line: i + 1, message: `the key does not decode as a ${keyType} key` });
      return;
    }
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  });
  return { entries, problems };
}

/** The algorithm name at the start of an SSH wire-format public key blob. */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  if (len > 64 || 4 + len > blob.length) return '';
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -lf` prints it. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether an entry's host field names this host (`name` as from knownHostsName). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false;
    } else if (wildcardMatch(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypesKnown: string[] }
  | { status: 'changed'; known: Array<{ file: string; line: number; fingerprint: string }> }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Checks a presented host key against the entries, as OpenSSH does. */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const keyType = blobKeyType(key);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => !e.marker);
  const exact = plain.find((e) => e.key.equals(key));
  if (exact) return { status: 'known', entry: exact };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length) return { status: 'changed', known: sameType.map((e) => ({ file: e.file, line: e.line, fingerprint: sha256Fingerprint(e.key) })) };
  return { status: 'unknown', otherTypesKnown: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types known for a host, so the client can ask the server for one of those first. */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => !e.marker && hostFieldMatches(e.hosts, name)).map((e) => e.keyType))];
}

/** The line to append when the user accepts a new host key. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${knownHostsName(host, port)} ${blobKeyType(key)} ${key.toString('base64')}\n`;
}
