// A small service repository whose bad release changed both the configuration and the code:
// v1.0.0 greets "hello"; v1.1.0 has new code (its /health says 1.1.0) and GREETING=broken in
// config/app.env, which the service reads once, when it starts (so only a recreate fixes it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../engine/helpers';

export const SERVER = (version: string) => `const http = require('node:http');
const fs = require('node:fs');
// Read once, at start: a restart that reuses the process would keep the old value.
const env = Object.fromEntries(fs.readFileSync('config/app.env', 'utf8').split('\\n').filter(Boolean).map((l) => l.split('=')));
http.createServer((req, res) => {
  res.writeHead(env.GREETING === 'hello' ? 200 : 500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ version: '${version}', greeting: env.GREETING, pid: process.pid }));
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

export const DEPLOY = `#!/bin/sh
set -eu
mkdir -p run
if [ -f run/app.pid ]; then
  old=$(cat run/app.pid); kill "$old" 2>/dev/null || true
  i=0; while kill -0 "$old" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$old/status" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
fi
PORT="$1" nohup node app/server.js > run/app.log 2>&1 < /dev/null &
echo $! > run/app.pid
echo "deploy $(cat run/app.pid)" >> run/events.log
`;

/** rollback.yml of the repository: one local environment whose configFiles is config/app.env, one service. */
export function configRepoYml(port: number): string {
  return `releases: { tags: "v*" }
environments:
  local: { host: local, path: ., branch: main, strategy: revert, configFiles: [config/app.env] }
services:
  app:
    deploy: sh scripts/deploy.sh ${port}
    health: { url: "http://127.0.0.1:${port}/health", expect: 200, warmup: 0s, timeout: 8s }
decision: { investigateFor: 2m }
`;
}

/** Makes the repository at `repo` with v1.0.0 and v1.1.0 tagged and v1.1.0 deployed (its service running on `port`). */
export function makeConfigRepo(repo: string, port: number): Record<string, string> {
  const commit = (msg: string, files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(repo, f, '..'), { recursive: true });
      writeFileSync(join(repo, f), text);
    }
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', msg);
  };
  git(join(repo, '..'), 'init', '-q', '-b', 'main', repo);
  commit('v1.0.0', { 'app/server.js': SERVER('1.0.0'), 'config/app.env': 'GREETING=hello\n', 'scripts/deploy.sh': DEPLOY, '.gitignore': 'run/\n.rollback/\n', 'rollback.yml': configRepoYml(port) });
  git(repo, 'tag', 'v1.0.0');
  commit('v1.1.0: new greeting, new code', { 'app/server.js': SERVER('1.1.0'), 'config/app.env': 'GREETING=broken\n' });
  git(repo, 'tag', 'v1.1.0');
  execFileSync('sh', ['scripts/deploy.sh', String(port)], { cwd: repo, stdio: 'ignore' });
  return { 'v1.0.0': git(repo, 'rev-parse', 'v1.0.0'), 'v1.1.0': git(repo, 'rev-parse', 'v1.1.0') };
}

/** Kills the service the repository started. */
export function stopConfigRepo(repo: string): void {
  try {
    process.kill(Number(readFileSync(join(repo, 'run/app.pid'), 'utf8')), 'SIGKILL');
  } catch {
    // not running
  }
}
