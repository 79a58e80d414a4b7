// Starts code-server (VS Code 1.100 server + web workbench) on 127.0.0.1 with every
// folder it writes kept under one private directory, and drives it with Debian's
// Chromium through playwright-core. Shared by the integration launcher, the UI test
// and the demo. See shared TESTING.md for why each flag is here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
export const codeServerBin = join(repoRoot, '.tools/code-server/node_modules/.bin/code-server');

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function privateDirs(base) {
  const dirs = {
    base,
    userData: join(base, 'user-data'),
    extensions: join(base, 'extensions'),
    xdgConfig: join(base, 'xdg-config'),
    xdgData: join(base, 'xdg-data'),
    xdgCache: join(base, 'xdg-cache'),
    // VS Code puts its IPC sockets here, and a Unix socket path holds at most 107 bytes: under a
    // deep checkout it would not fit (VS Code warns and goes on without the socket), so it lives in /tmp.
    tmp: mkdtempSync(join(tmpdir(), 'rp-vscode-')),
    home: join(base, 'home'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  process.once('exit', () => rmSync(dirs.tmp, { recursive: true, force: true }));
  return dirs;
}

export function codeServerEnv(dirs, extra = {}) {
  return {
    ...process.env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    TMPDIR: dirs.tmp,
    ...extra,
  };
}

export function assertInstalled() {
  if (!existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}: run scripts/setup.sh first`);
  }
}

/**
 * Builds the production bundle and packages it (scripts/package.mjs, i.e. `npm run package`);
 * returns the .vsix path, named from package.json as the script names it.
 */
export function packageVsix({ showOutput = false } = {}) {
  const r = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: repoRoot, encoding: 'utf8', stdio: showOutput ? 'inherit' : 'pipe' });
  if (r.status !== 0) throw new Error(`npm run package failed${showOutput ? '' : `:\n${r.stdout}\n${r.stderr}`}`);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const vsix = join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`npm run package produced no ${vsix}`);
  return vsix;
}

/** Installs a .vsix into the private extensions dir (code-server --install-extension). */
export function installVsix(dirs, vsix) {
  return new Promise((res, rej) => {
    const p = spawn(codeServerBin, ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--install-extension', vsix, '--force'], {
      env: codeServerEnv(dirs),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`install-extension failed (${code}): ${out}`))));
  });
}

/**
 * Starts code-server and resolves once it answers HTTP. Returns { port, url, stop }.
 * The server runs in its own process group so stop() also ends its extension hosts.
 */
export async function startCodeServer({ dirs, port, folder, env = {}, logFile, settings }) {
  assertInstalled();
  port ??= await freePort();
  if (settings) {
    const { writeFileSync } = await import('node:fs');
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--config', join(dirs.base, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
  ];
  if (folder) args.push(folder);
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(codeServerBin, args, {
    env: codeServerEnv(dirs, env),
    stdio: ['ignore', out, out],
    detached: true,
  });
  const stop = () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000).unref();
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before answering; see ${logFile ?? 'its output'}`);
    try {
      const r = await fetch(url, { redirect: 'manual' });
      if (r.status > 0) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { stop(); throw new Error('code-server did not answer within 60 s'); }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, url, child, stop };
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: run scripts/setup.sh first`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export function workbenchUrl(server, folder, payload) {
  const q = new URLSearchParams({ folder });
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.url}?${q.toString()}`;
}
