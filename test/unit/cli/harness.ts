// The command line under test is the shipped bundle (dist/cli.js as scripts/build.mjs makes it,
// the wasm beside it), built once per test file into its own folder, run by node as a real
// process against real git repositories and the real sshd.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { cloneForTestUser, deployAsTestUser } from '../../support/remoteApp';
import type { TestSshd } from '../../support/sshd';
import { freePort, tempDir } from '../engine/helpers';

const root = join(__dirname, '../../..');
let built: Promise<string> | undefined;

/**
 * dist/cli.js built from the sources now, with the build script's own options: the loader
 * (src/cli/bin.ts, with the banner) and the bundle it runs, dist/cli-main.js (define, externals).
 * The loader's code cache goes to this build's own folder (XDG_CACHE_HOME in cliEnv), so the
 * tests run it as a user's second run does, and never share a cache with anything else.
 */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const out = join(root, '.test-work', 'cli-build', String(process.pid));
    mkdirSync(out, { recursive: true });
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' } as const;
    await build({
      ...common, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(out, 'cli-main.js'), external: ['cpu-features', '*.node'],
      define: { ROLLBACK_PILOT_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
    });
    await build({ ...common, entryPoints: [join(root, 'src/cli/bin.ts')], outfile: join(out, 'cli.js'), banner: { js: '#!/usr/bin/env node' } });
    copyFileSync(join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm'), join(out, 'libpg-query.wasm'));
    // The Ansible plugins beside the bundle, as scripts/build.mjs and the npm package place them (fleet runs).
    for (const kind of ['callback_plugins', 'filter_plugins']) {
      mkdirSync(join(out, 'ansible', kind), { recursive: true });
      for (const f of readdirSync(join(root, 'media/ansible', kind)).filter((n) => n.endsWith('.py'))) copyFileSync(join(root, 'media/ansible', kind, f), join(out, 'ansible', kind, f));
    }
    return join(out, 'cli.js');
  })();
  return built;
}

/** Where the loader keeps its code cache in the tests: beside this process's build. */
function cacheHome(): string {
  return join(root, '.test-work', 'cli-build', String(process.pid), 'cache');
}

/** The environment the CLI runs with: no agent, no user git config, no colour unless asked. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') && k !== 'SSH_AUTH_SOCK' && k !== 'NO_COLOR') env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', XDG_CACHE_HOME: cacheHome(), ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rollback-pilot ARGS` with stdin a pipe (not a terminal), bounded by `timeoutMs`. */
export async function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult> {
  const cli = await buildCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: options.env ?? cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rollback-pilot ${args.join(' ')} did not end in ${options.timeoutMs ?? 120_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface RemoteFixture {
  /** The operator's checkout (the workspace the CLI runs in). */
  workspace: string;
  /** The deployed checkout on the "production host" (the test sshd), owned by the test user. */
  remote: string;
  apiPort: number;
  /** The ssh config and known_hosts the CLI is given (--ssh-config, --known-hosts). */
  sshArgs: string[];
  cleanup(): void;
}

/**
 * The fixture app (v1.4.0 deployed and bad, v1.3.0 the last good release) on the test sshd as
 * `production` (host alias `prod` in a private ssh config). `migrations` adds the down command
 * and the backup list, so the plan has one destructive step (the down migration of v1.4.0).
 */
export async function remoteFixture(sshd: TestSshd, options: { migrations: 'down' | 'none' }): Promise<RemoteFixture> {
  const tmp = tempDir('cli');
  const apiPort = await freePort();
  const workerPort = await freePort();
  const repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort, workerPort });
  const remote = cloneForTestUser(repo.dir, tmp.dir);
  deployAsTestUser(remote);
  const sshConfig = join(tmp.dir, 'ssh_config');
  writeFileSync(sshConfig, `Host prod\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.keyPath}\n`);
  const yml = readFileSync(join(repo.dir, 'rollback.yml'), 'utf8')
    .replace('  local:\n    host: local\n    path: .\n', `  production:\n    host: prod\n    path: ${remote}\n`)
    .replace('  dir: db/migrations\n', options.migrations === 'down'
      ? '  dir: db/migrations\n  down: "echo down {id} to {previous} >> run/db.log"\n  backup: { list: "echo app-$(date -u +%Y%m%d-%H%M%S).dump", maxAge: 1h }\n  status: "echo 4"\n'
      : '  dir: no-migrations-here\n');
  writeFileSync(join(repo.dir, 'rollback.yml'), yml);
  // The operator's edit of rollback.yml is committed, as a team would: the workspace is clean.
  execFileSync('git', ['-c', 'user.name=Dana', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml: production over SSH'], { cwd: repo.dir });
  return {
    workspace: repo.dir,
    remote,
    apiPort,
    sshArgs: ['--ssh-config', sshConfig, '--known-hosts', sshd.knownHostsPath],
    cleanup: () => {
      stopApp(remote);
      tmp.cleanup();
    },
  };
}
