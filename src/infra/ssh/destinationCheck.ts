// Says what is wrong with an SSH destination in the operator's terms, before anything is
// planned: an alias that is neither in the ssh config nor in DNS is named as such (not
// reported as a missing key), and connection errors are told apart (nothing listens, no
// answer, no route) instead of surfacing as Node's error codes.
import { lookup as dnsLookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';
import { splitDestination, type SshDestination } from './sshConfig';

export type LookupFn = (host: string) => Promise<unknown>;

const LOOKUP_TIMEOUT_MS = 5_000;

/** The config file as the operator knows it: "~/.ssh/config" rather than /home/dana/.ssh/config. */
export function displayPath(file: string, home = homedir()): string {
  return home && file.startsWith(`${home}/`) ? `~/${file.slice(home.length + 1)}` : file;
}

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(text);
}

/**
 * True when a `Host` block other than a catch-all (`Host *`) matches the name, with ssh's
 * rules: any positive pattern matches and no negated one does. `Match` blocks are ignored.
 */
export function inSshConfig(configText: string | undefined, name: string): boolean {
  if (!configText) return false;
  let parsed: ReturnType<typeof SSHConfig.parse>;
  try {
    parsed = SSHConfig.parse(configText);
  } catch {
    return false;
  }
  for (const section of parsed) {
    if (!('param' in section) || String(section.param).toLowerCase() !== 'host') continue;
    const value = (section as { value: unknown }).value;
    // One pattern is a string; several are {val} objects (ssh-config 5).
    const patterns = (Array.isArray(value) ? value.map((v) => (typeof v === 'object' && v && 'val' in v ? String((v as { val: unknown }).val) : String(v))) : String(value).split(/\s+/)).filter(Boolean);
    const positive = patterns.filter((p) => !p.startsWith('!'));
    if (positive.every((p) => p === '*')) continue;
    if (patterns.some((p) => p.startsWith('!') && globMatch(p.slice(1), name))) continue;
    if (positive.some((p) => globMatch(p, name))) return true;
  }
  return false;
}

async function resolves(host: string, lookup: LookupFn): Promise<boolean | 'unknown'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'unknown'>((resolve) => {
    timer = setTimeout(() => resolve('unknown'), LOOKUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([lookup(host).then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Undefined when the destination's host name resolves (or DNS is too slow to say: the
 * connection will tell); otherwise the sentence to show. `configFile` is the ssh config the
 * runner reads the destination through.
 */
export async function destinationProblem(dest: SshDestination, configFile: string, lookup: LookupFn = (h) => dnsLookup(h)): Promise<string | undefined> {
  const ok = await resolves(dest.host, lookup);
  if (ok !== false) return undefined;
  const written = splitDestination(dest.alias).host;
  const file = displayPath(configFile);
  const text = await readFile(configFile, 'utf8').catch(() => undefined);
  if (!inSshConfig(text, written)) return `${written} is not in ${file} and does not resolve (DNS): check the environment's host in rollback.yml, or add a Host ${written} block to ${file}`;
  return `${written} is in ${file}, but its HostName ${dest.host} does not resolve (DNS)`;
}

/** A connection error of the socket (before any SSH was spoken), in words; undefined for anything else. */
export function describeConnectError(err: Error & { code?: string; level?: string }, dest: SshDestination, readyTimeoutMs: number): string | undefined {
  const at = `${dest.host}:${dest.port}`;
  const named = dest.alias === at || dest.alias.endsWith(`@${at}`) ? at : `${at} (${splitDestination(dest.alias).host})`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${named}: connection refused (is sshd running there, is it the right port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${dest.host} does not resolve (DNS ${err.code}): check the host name`;
    case 'ETIMEDOUT':
      return `${named} did not answer: timed out (a firewall, a wrong address, or the host is down)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${named} is unreachable: no route to it (${err.code})`;
    case 'ECONNRESET':
      return `${named} reset the connection before SSH started (${err.code}): is it an SSH server?`;
  }
  if (err.level === 'client-timeout' || /timed out while waiting for handshake/i.test(err.message)) {
    return `${named} did not complete the SSH handshake within ${Math.round(readyTimeoutMs / 1000)} s: timed out (is it an SSH server, is the link up?)`;
  }
  return undefined;
}
