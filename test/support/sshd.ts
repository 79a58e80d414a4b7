// A real OpenSSH server for tests (TESTING.md): Debian's sshd on 127.0.0.1 and a free
// port, its own ed25519 + ecdsa host keys, a key-only user `rbtest`, a client key and a
// known_hosts file. Needs root (to run sshd and create the user).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshCommandRunner } from '../../src/infra/ssh/sshCommandRunner';
import { freePort } from './freePort';

export const SSHD = '/usr/sbin/sshd';
export const TEST_USER = 'rbtest';

export interface TestSshd {
  port: number;
  host: string;
  user: string;
  /** Private key of the test user. */
  keyPath: string;
  /** A known_hosts file with both host keys under `[127.0.0.1]:port`. */
  knownHostsPath: string;
  /** `SHA256:…` of the ed25519 host key, from `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** Fingerprints by key type, from `ssh-keygen -lf`. */
  fingerprints: Record<string, string>;
  /** Public host key lines (`type base64`), by key type. */
  hostKeys: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

/** Why this machine cannot run the SSH tests, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing: run scripts/setup.sh (it installs openssh-server) before the SSH tests`;
  if (process.getuid?.() !== 0) return 'the SSH tests start sshd and create the user rbtest, which needs root; skipped (not root)';
  return undefined;
}


function ensureUser(): void {
  try {
    execFileSync('id', [TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', TEST_USER], { stdio: 'ignore' });
  }
  // "*" is "no password" without being "locked": sshd without PAM refuses locked accounts even for keys.
  execFileSync('usermod', ['-p', '*', TEST_USER], { stdio: 'ignore' });
}

function keygen(path: string, type: 'ed25519' | 'ecdsa'): void {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'rollback-pilot-test', '-f', path], { stdio: 'ignore' });
}

export function fingerprintOf(pubKeyPath: string): string {
  return execFileSync('ssh-keygen', ['-lf', pubKeyPath], { encoding: 'utf8' }).split(/\s+/)[1];
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within 5 s: ${stderr()}`);
}

export async function startSshd(): Promise<TestSshd> {
  const why = sshdUnavailable();
  if (why) throw new Error(why);
  ensureUser();
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'rp-sshd-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  keygen(join(dir, 'host_ed25519'), 'ed25519');
  keygen(join(dir, 'host_ecdsa'), 'ecdsa');
  keygen(join(dir, 'client_ed25519'), 'ed25519');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o644);
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `HostKey ${join(dir, 'host_ecdsa')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    `AllowUsers ${TEST_USER}`,
    'AllowAgentForwarding no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    'MaxStartups 100',
    'MaxSessions 50',
    'LogLevel ERROR',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  const hostKeys: Record<string, string> = {};
  const fingerprints: Record<string, string> = {};
  const known: string[] = [];
  for (const k of ['host_ed25519', 'host_ecdsa']) {
    const [type, b64] = readFileSync(join(dir, `${k}.pub`), 'utf8').trim().split(/\s+/);
    hostKeys[type] = `${type} ${b64}`;
    fingerprints[type] = fingerprintOf(join(dir, `${k}.pub`));
    known.push(`[127.0.0.1]:${port} ${type} ${b64}`);
  }
  writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
  let err = '';
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  try {
    await waitForPort(port, child, () => err);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    host: '127.0.0.1',
    user: TEST_USER,
    keyPath: join(dir, 'client_ed25519'),
    knownHostsPath: join(dir, 'known_hosts'),
    hostKeyFingerprint: fingerprints['ssh-ed25519'],
    fingerprints,
    hostKeys,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // Per-connection sshd children end with their connections, which the tests' runners close.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy in front of sshd whose connections the test can cut mid-step. */
export interface CuttableProxy {
  port: number;
  /** Destroys every open connection (the SSH client sees the link die). */
  cutAll(): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : 0,
        cutAll: () => {
          for (const s of [...sockets]) s.destroy();
          sockets.clear();
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/**
 * A runner to the test sshd as its key-only user, the way the SSH tests connect: its
 * known_hosts and key only, no ssh config (a file in `scratchDir` that does not exist), no
 * agent, an unknown host key refused.
 */
export function testSshRunner(sshd: TestSshd, scratchDir: string): SshCommandRunner {
  return new SshCommandRunner({
    destination: `${sshd.user}@127.0.0.1:${sshd.port}`,
    hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
    knownHostsFiles: [sshd.knownHostsPath],
    identityFiles: [sshd.keyPath],
    sshConfigFile: join(scratchDir, 'no-ssh-config'),
    agent: false,
  });
}
