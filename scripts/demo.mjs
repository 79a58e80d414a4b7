// The product, on 127.0.0.1: a real VS Code (code-server) with the packaged Rollback
// Pilot installed, and a demo workspace: a two-service shop repository with five
// releases (the newest one bad: its api answers /health with 500), migrations of every
// kind, and a rollback.yml whose target is `local`. Its services are started, so a
// rollback is visible on http://127.0.0.1:3101/health. Ctrl-C stops everything.
//
//   npm run demo [-- --reset] [-- --port 8080]
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, privateDirs, startCodeServer, installVsix, packageVsix, workbenchUrl } from '../test/integration/codeServer.mjs';
import { makeAppRepo, deployCurrent, stopApp } from '../test/fixtures/appRepo.ts';

const args = process.argv.slice(2);
const reset = args.includes('--reset');
const port = Number(args[args.indexOf('--port') + 1] || process.env.PORT || 8080) || 8080;
const API_PORT = 3101;
const WORKER_PORT = 3102;

const base = join(repoRoot, '.demo');
const workspace = join(base, 'workspace');
if (reset) {
  if (existsSync(workspace)) stopApp(workspace);
  rmSync(base, { recursive: true, force: true });
}
mkdirSync(base, { recursive: true });

console.log('demo: packaging the extension');
const vsix = packageVsix({ showOutput: true });

if (!existsSync(join(workspace, '.git'))) {
  console.log('demo: creating the demo workspace (five releases of a two-service shop)');
  await makeAppRepo(workspace, { apiPort: API_PORT, workerPort: WORKER_PORT });
}
console.log(`demo: starting the shop's services as deployed (api on ${API_PORT}, worker on ${WORKER_PORT})`);
stopApp(workspace);
deployCurrent(workspace);

const dirs = privateDirs(join(base, 'vscode'));
await installVsix(dirs, vsix);
const server = await startCodeServer({
  dirs,
  port,
  folder: workspace,
  logFile: join(base, 'code-server.log'),
  settings: { 'workbench.startupEditor': 'none' },
});
const url = workbenchUrl(server, workspace);
console.log(`\nRollback Pilot demo is running.\n  Open: ${url}\n  The shop's health: http://127.0.0.1:${API_PORT}/health (500 in the bad release v1.4.0)\n  Trust the folder when asked, then click the Rollback icon in the activity bar.\n  Ctrl-C stops VS Code and the shop.\n`);

const shutdown = () => {
  server.stop();
  stopApp(workspace);
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.child.on('exit', (code) => {
  console.error(`demo: code-server exited (${code}); see ${join(base, 'code-server.log')}`);
  stopApp(workspace);
  process.exit(code ?? 1);
});
