import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';

/** Where and as whom to connect, after `~/.ssh/config` has had its say. */
export interface SshDestination {
  /** What the user wrote (alias or user@host[:port]). */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
}

export class SshDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshDestinationError';
  }
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/** Splits `user@host:port`, `host:port`, `[v6]:port` or an alias. */
export function splitDestination(dest: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/.exec(dest);
  if (!m) throw new SshDestinationError(`"${dest}" is not an SSH destination (expected user@host[:port] or a ~/.ssh/config alias)`);
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new SshDestinationError(`port ${port} in "${dest}" is out of range`);
  return { user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port };
}

/**
 * Resolves a destination through the user's ssh config text: Host aliases, HostName,
 * User, Port, IdentityFile. `Match exec` blocks are never executed (they never match).
 * Values given explicitly in the destination win over the config, as with ssh.
 */
export function resolveDestination(dest: string, configText: string | undefined, opts: { home?: string; localUser?: string } = {}): SshDestination {
  const home = opts.home ?? homedir();
  const parts = splitDestination(dest);
  let computed: Record<string, string | string[]> = {};
  if (configText) {
    try {
      computed = SSHConfig.parse(configText).compute(parts.host, { matchExec: false, ignoreCase: true });
    } catch (e) {
      throw new SshDestinationError(`~/.ssh/config could not be read: ${(e as Error).message}`);
    }
  }
  const one = (k: string): string | undefined => {
    const v = computed[k.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const portText = one('Port');
  const port = parts.port ?? (portText ? Number(portText) : 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshDestinationError(`~/.ssh/config gives ${parts.host} the invalid Port "${portText}"`);
  const ids = computed.identityfile;
  const identityFiles = (Array.isArray(ids) ? ids : ids ? [ids] : []).map((p) => expandHome(p, home));
  const hostName = (one('HostName') ?? parts.host).replace(/%h/g, parts.host);
  return {
    alias: dest,
    host: hostName,
    port,
    user: parts.user ?? one('User') ?? opts.localUser ?? userInfo().username,
    identityFiles,
  };
}

/** The keys ssh tries when the config names none. */
export function defaultIdentityFiles(home = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(home, '.ssh', n));
}
