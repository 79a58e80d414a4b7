// A fleet of real hosts for the fleet rollout tests (TESTING.md, "A fleet of hosts"): one real
// sshd per host on its own loopback address 127.0.0.(10+i), each host with its own key-only
// user, home and working tree (a clone of the fixture app), and the fixture's services on
// ports of their own. One client key and one known_hosts file (every host's keys under
// `[127.0.0.x]:port`) serve ssh2 and Ansible alike. Everything is bounded: a host that does
// not listen within 5 s fails the start; stop() kills what each host started.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopApp } from '../fixtures/appRepo';
import { fingerprintOf, SSHD, sshdUnavailable } from './sshd';
import { freePort } from './freePort';

export interface FleetTestHost {
  /** 1-based. */
  index: number;
  address: string;
  port: number;
  user: string;
  /** user@address:port, as rollback.yml's hosts: lists it. */
  destination: string;
  /** The host's working tree (owned by its user). */
  path: string;
  apiPort: number;
  workerPort: number;
  /** Fingerprint (SHA256:…) of its ed25519 host key. */
  fingerprint: string;
  /** Stops this host's sshd (its services keep running): the host vanishes for SSH. */
  stopSshd(): Promise<void>;
  /** Starts its sshd again, with the same keys. */
  startSshd(): Promise<void>;
  /** Gives the host new host keys and restarts its sshd; known_hosts keeps the old ones. */
  changeHostKey(): Promise<void>;
}

export interface TestFleet {
  hosts: FleetTestHost[];
  /** Every host's keys (the product's known_hosts in the tests). */
  knownHostsPath: string;
  /** The client key every host's user accepts. */
  keyPath: string;
  dir: string;
  stop(): Promise<void>;
}

export function fleetUnavailable(): string | undefined {
  const why = sshdUnavailable();
  if (why) return why;
  try {
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    return 'ansible-playbook is missing: run scripts/setup.sh (it installs Debian\'s ansible-core) before the fleet tests';
  }
  return undefined;
}

function ensureUser(user: string): void {
  try {
    execFileSync('id', [user], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user], { stdio: 'ignore' });
  }
  execFileSync('usermod', ['-p', '*', user], { stdio: 'ignore' });
}

function keygen(path: string, type: 'ed25519' | 'ecdsa'): void {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'rollback-pilot-fleet', '-f', path], { stdio: 'ignore' });
}

async function listening(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, address);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface FleetOptions {
  /** How many hosts (at least 4 for the tests). */
  count: number;
  /** The fixture repository each host clones. */
  sourceRepo: string;
  /** Build and start both services on every host, as the last deploy left them (default true). */
  deploy?: boolean;
}

export async function startFleet(opts: FleetOptions): Promise<TestFleet> {
  const why = fleetUnavailable();
  if (why) throw new Error(why);
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'rp-fleet-'));
  chmodSync(dir, 0o755);
  keygen(join(dir, 'client_ed25519'), 'ed25519');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(join(dir, 'client_ed25519.pub')));
  chmodSync(authorized, 0o644);
  const hosts: FleetTestHost[] = [];
  const children = new Map<number, ChildProcess>();
  const knownLines = new Map<number, string[]>();
  const writeKnownHosts = (): void => writeFileSync(join(dir, 'known_hosts'), `${[...knownLines.values()].flat().join('\n')}\n`);
  const stops: Array<() => Promise<void>> = [];
  try {
    for (let i = 1; i <= opts.count; i++) {
      const address = `127.0.0.${10 + i}`;
      const user = `rbfleet${i}`;
      ensureUser(user);
      const hdir = join(dir, `host${i}`);
      mkdirSync(hdir, { mode: 0o755 });
      const port = await freePort();
      const makeKeys = (): string[] => {
        const lines: string[] = [];
        for (const t of ['ed25519', 'ecdsa'] as const) {
          keygen(join(hdir, `host_${t}`), t);
          const [type, b64] = readFileSync(join(hdir, `host_${t}.pub`), 'utf8').trim().split(/\s+/);
          lines.push(`[${address}]:${port} ${type} ${b64}`);
        }
        return lines;
      };
      knownLines.set(i, makeKeys());
      writeFileSync(join(hdir, 'sshd_config'), `${sshdConfig(address, port, hdir, authorized, user)}\n`);
      const start = async (): Promise<void> => {
        let err = '';
        const child = spawn(SSHD, ['-D', '-e', '-f', join(hdir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr?.on('data', (d: Buffer) => {
          err = (err + d.toString()).slice(-4000);
        });
        children.set(i, child);
        for (let n = 0; n < 100; n++) {
          if (child.exitCode !== null) throw new Error(`sshd of host ${i} (${address}:${port}) exited with ${child.exitCode}: ${err}`);
          if (await listening(address, port)) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill('SIGKILL');
        throw new Error(`sshd of host ${i} did not listen on ${address}:${port} within 5 s: ${err}`);
      };
      const stopSshd = async (): Promise<void> => {
        const child = children.get(i);
        if (!child || child.exitCode !== null) return;
        // The per-connection sshd processes this sshd forked (the sessions of Ansible's ControlPersist
        // masters) go too, by pid: the host is gone, not only its listener.
        const sessions = child.pid ? childrenOf(child.pid) : [];
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        for (const pid of sessions) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      };
      await start();
      const path = join(hdir, 'app');
      const apiPort = await freePort();
      const workerPort = await freePort();
      cloneAsUser(opts.sourceRepo, path, user, apiPort, workerPort);
      if (opts.deploy ?? true) {
        execFileSync('runuser', ['-u', user, '--', 'sh', '-c', 'sh scripts/build.sh api && sh scripts/deploy.sh api && sh scripts/build.sh worker && sh scripts/deploy.sh worker'], { cwd: path, stdio: 'ignore' });
      }
      stops.push(async () => {
        stopApp(path);
        await stopSshd();
      });
      hosts.push({
        index: i,
        address,
        port,
        user,
        destination: `${user}@${address}:${port}`,
        path,
        apiPort,
        workerPort,
        fingerprint: fingerprintOf(join(hdir, 'host_ed25519.pub')),
        stopSshd,
        startSshd: start,
        changeHostKey: async () => {
          await stopSshd();
          const keep = knownLines.get(i)!;
          makeKeys();
          knownLines.set(i, keep);
          await start();
        },
      });
    }
    writeKnownHosts();
  } catch (e) {
    for (const s of stops) await s().catch(() => undefined);
    for (const c of children.values()) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    hosts,
    knownHostsPath: join(dir, 'known_hosts'),
    keyPath: join(dir, 'client_ed25519'),
    dir,
    stop: async () => {
      for (const s of stops) await s().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) comes after the command in parentheses, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function sshdConfig(address: string, port: number, hdir: string, authorized: string, user: string): string {
  return [
    `Port ${port}`,
    `ListenAddress ${address}`,
    `HostKey ${join(hdir, 'host_ed25519')}`,
    `HostKey ${join(hdir, 'host_ecdsa')}`,
    `PidFile ${join(hdir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorized}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    `AllowUsers ${user}`,
    'AllowAgentForwarding no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    'MaxStartups 100',
    'MaxSessions 50',
    // Ansible copies its modules over sftp; without it, it warns and pipes them instead.
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'LogLevel ERROR',
  ].join('\n');
}

/**
 * Clones the fixture for one host's user. The fixture's services read their port from the
 * tracked apps/<svc>/port.json; on this shared machine every host needs its own, so each host
 * writes its ports there and marks the files skip-worktree: git then treats them as unchanged
 * (no stash, no dirty tree) and neither a revert nor a checkout of the fixture's releases,
 * which never change those files, touches them. A deploy host keeps its own settings the same way.
 */
function cloneAsUser(source: string, path: string, user: string, apiPort: number, workerPort: number): void {
  execFileSync('git', ['clone', '-q', source, path], { stdio: 'ignore' });
  writeFileSync(join(path, 'apps/api/port.json'), `${JSON.stringify({ port: apiPort })}\n`);
  writeFileSync(join(path, 'apps/worker/port.json'), `${JSON.stringify({ port: workerPort })}\n`);
  execFileSync('git', ['-C', path, 'update-index', '--skip-worktree', 'apps/api/port.json', 'apps/worker/port.json'], { stdio: 'ignore' });
  execFileSync('chown', ['-R', `${user}:`, path], { stdio: 'ignore' });
  // A realistic deploy host: no git identity for its user (TESTING.md); git would also refuse a tree another user owns.
  execFileSync('runuser', ['-u', user, '--', 'git', 'config', '--global', '--add', 'safe.directory', path], { stdio: 'ignore' });
}

/**
 * The fixture's rollback.yml with its environment made a fleet of these hosts: `production`,
 * every host with its own path and ports (health URLs read {vars.api_port}), the database's
 * down step run once on the first host (it appends to .rollback/db-steps.log there), and an
 * ssh config that gives every host the fleet's client key.
 */
export function fleetRollbackYml(fixtureYml: string, fleet: TestFleet, opts: { batch?: string; healthTimeout?: string; inventory?: { path: string; group: string } } = {}): string {
  const hosts = fleet.hosts.map((h) => `      - { host: "${h.destination}", path: "${h.path}", vars: { api_port: "${h.apiPort}", worker_port: "${h.workerPort}" } }`).join('\n');
  // With the team's inventory (fleetInventory), the hosts, their paths and ports are its host vars.
  const which = opts.inventory ? `    inventory: ${opts.inventory.path}\n    group: ${opts.inventory.group}\n` : `    hosts:\n${hosts}\n`;
  let n = 0;
  const text = fixtureYml
    .replace(/  local:\n    host: local\n    path: \.\n/, `  production:\n${which}    path: "${fleet.hosts[0].path}"\n    rollout: { batch: ${opts.batch ?? '[1, "50%", "100%"]'}, maxFailPercent: 0, pause: 0s }\n`)
    .replace(/http:\/\/127\.0\.0\.1:\d+\/health/g, () => `http://127.0.0.1:{vars.${n++ === 0 ? 'api_port' : 'worker_port'}}/health`)
    .replace(/timeout: 10s/g, `timeout: ${opts.healthTimeout ?? '10s'}`)
    .replace('  dir: db/migrations\n', '  dir: db/migrations\n  down: "mkdir -p .rollback && echo down {id} to {previous} >> .rollback/db-steps.log"\n  backup: { list: "echo app-$(date -u +%Y%m%d-%H%M%S).dump", maxAge: 1h }\n  status: "mkdir -p .rollback && echo ran >> .rollback/tool-status.log && echo 4"\n');
  if (!text.includes('  production:\n') || n !== 2) throw new Error('fleetRollbackYml: the fixture rollback.yml is not the one this expects (environments.local, two health URLs)');
  return text;
}

/**
 * The team's own Ansible inventory of these hosts (INI, as teams write it): group `group` lists
 * them in `order` (1-based host indexes), each named web-0N, reached at its address, port and
 * user, its working tree (rollback_path) and its services' ports as host vars.
 */
export function fleetInventory(fleet: TestFleet, file: string, group: string, order: number[]): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const line = (h: FleetTestHost): string => `web-0${h.index} ansible_host=${h.address} ansible_port=${h.port} ansible_user=${h.user} rollback_path=${h.path} api_port=${h.apiPort} worker_port=${h.workerPort}`;
  writeFileSync(file, `[${group}]\n${order.map((i) => line(fleet.hosts[i - 1])).join('\n')}\n`);
}

/** An ssh config (for ssh2 and Ansible's ssh alike) that offers the fleet's client key to every host. */
export function fleetSshConfig(fleet: TestFleet): string {
  return `Host 127.0.0.*\n  IdentityFile ${fleet.keyPath}\n  IdentitiesOnly yes\n`;
}

/** How often the migration tool's status check ran on each host (the fleet's rollback.yml has it write there). */
export function toolStatusRuns(host: FleetTestHost): number {
  try {
    return readFileSync(join(host.path, '.rollback/tool-status.log'), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** How often the database's down step ran on each host (the fleet's rollback.yml writes it there). */
export function dbStepRuns(host: FleetTestHost): number {
  try {
    return readFileSync(join(host.path, '.rollback/db-steps.log'), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
