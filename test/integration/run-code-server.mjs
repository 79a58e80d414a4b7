// Runs the integration suite inside a real VS Code: code-server's extension host,
// driven by the web workbench in headless Chromium. The extension under test is
// loaded as a development extension through the workbench's `payload` parameter
// (code-server rejects --extensionDevelopmentPath). Prints `N passed, N failed`.
import { mkdirSync, rmSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, privateDirs, startCodeServer, launchChromium, workbenchUrl, freePort } from './codeServer.mjs';
import { buildSuite } from './buildSuite.mjs';
import { makeIntegrationWorkspace } from './fixtureWorkspace.mjs';

const TIMEOUT_MS = Number(process.env.ROLLBACK_PILOT_IT_TIMEOUT_MS ?? 8 * 60_000);

function build() {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('extension build failed');
}

async function main() {
  build();
  const suiteIndex = await buildSuite();
  const work = join(repoRoot, '.test-work/integration');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const dirs = privateDirs(join(work, 'vscode'));
  const workspace = makeIntegrationWorkspace(join(work, 'workspace'));
  const resultsFile = join(work, 'results.json');
  const port = await freePort();
  const server = await startCodeServer({
    dirs,
    port,
    logFile: join(work, 'code-server.log'),
    env: { ROLLBACK_PILOT_TEST_RESULTS: resultsFile, ROLLBACK_PILOT_TEST_WORKSPACE: workspace },
    settings: { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false },
  });
  const browser = await launchChromium();
  let exitCode = 1;
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? formatPrintf(args) : String(args);
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const url = workbenchUrl(server, workspace, [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(suiteIndex)],
    ]);
    await page.goto(url);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref());
    const result = await Promise.race([done, timeout]);
    if (result === 'timeout') {
      console.error(`integration: no exit from the extension host within ${TIMEOUT_MS / 1000} s; see ${join(work, 'code-server.log')}`);
      exitCode = 1;
    } else {
      exitCode = result;
    }
  } finally {
    await browser.close().catch(() => {});
    server.stop();
  }
  let passed = 0, failed = exitCode === 0 ? 0 : 1;
  if (existsSync(resultsFile)) {
    const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
    passed = r.passed; failed = r.failed;
    for (const f of r.failures) console.error(`FAILED ${f.title}\n${f.error}\n`);
  } else {
    console.error('integration: the suite wrote no results (the extension host did not run it)');
  }
  writeFileSync(join(work, 'summary.json'), JSON.stringify({ passed, failed }));
  console.log(`integration: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && exitCode === 0 ? 0 : 1);
}

// The workbench forwards console calls printf-style: ("%s %d", a, b).
function formatPrintf(args) {
  if (args.length === 0) return '';
  let [fmt, ...rest] = args;
  if (typeof fmt !== 'string') return args.map(String).join(' ');
  const out = fmt.replace(/%[sdifoOc%]/g, (m) => (m === '%%' ? '%' : m === '%c' ? (rest.shift(), '') : String(rest.shift())));
  return [out, ...rest.map(String)].join(' ');
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  console.log('integration: 0 passed, 1 failed');
  process.exit(1);
});
