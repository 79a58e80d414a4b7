// Runs the integration suite inside a real VS Code: code-server's extension host,
// driven by the web workbench in headless Chromium. The extension under test is
// loaded as a development extension through the workbench's `payload` parameter
// (code-server rejects --extensionDevelopmentPath). One code-server session per group,
// each on its own fixture workspace. Prints `N passed, N failed`.
//
//   node --import tsx test/integration/run-code-server.mjs [group …]
import { mkdirSync, rmSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, privateDirs, startCodeServer, launchChromium, workbenchUrl, freePort } from './codeServer.mjs';
import { buildSuite } from './buildSuite.mjs';
import { GROUPS } from './groups.mjs';

const TIMEOUT_MS = Number(process.env.ROLLBACK_PILOT_IT_TIMEOUT_MS ?? 8 * 60_000);
const NOISE = /Ignoring fetching additional builtin|Creating a socket|Resolv(ing|ed) connection token|\[Service Worker\]|ChatSessionStore|Updating additional builtin/;

function build() {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('extension build failed');
}

async function runGroup(group, suiteIndex, work) {
  const base = join(work, group);
  mkdirSync(base, { recursive: true });
  const dirs = privateDirs(join(base, 'vscode'));
  const fixture = await GROUPS[group](join(base, 'workspace'));
  const resultsFile = join(base, 'results.json');
  const port = await freePort();
  const server = await startCodeServer({
    dirs,
    port,
    logFile: join(base, 'code-server.log'),
    env: { ROLLBACK_PILOT_TEST_RESULTS: resultsFile, ROLLBACK_PILOT_SUITE: group, ...fixture.env },
    settings: { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, ...(fixture.settings ?? {}) },
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
      if (NOISE.test(text)) return;
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    await page.goto(workbenchUrl(server, fixture.folder, [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(suiteIndex)],
    ]));
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS); });
    const result = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') console.error(`integration[${group}]: no exit from the extension host within ${TIMEOUT_MS / 1000} s; see ${join(base, 'code-server.log')}`);
    else exitCode = result;
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    await fixture.cleanup();
  }
  // What the server said last about errors: when a window dies, this is the only trace CI keeps near the summary.
  const logFile = join(base, 'code-server.log');
  const lastError = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => /error|exit|crash|terminat/i.test(l) && !NOISE.test(l)).slice(-3).join(' | ').slice(0, 600) : '';
  const serverSaid = lastError ? `; code-server.log: ${lastError}` : '';
  if (!existsSync(resultsFile)) {
    const why = `the suite wrote no results (the extension host did not run it or did not finish; exit ${exitCode})${serverSaid}`;
    console.error(`integration[${group}]: ${why}`);
    return { passed: 0, failed: 1, failures: [{ title: `[${group}] the whole group`, error: why }] };
  }
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const failures = r.failures.map((f) => ({ title: `[${group}] ${f.title}`, error: f.error }));
  if (!r.finished) {
    // The host died or hung mid-suite: what ran is counted, and the cut is one failure.
    const where = r.running ? `while running "${r.running}"` : 'between tests';
    failures.push({ title: `[${group}] the suite did not finish`, error: `it stopped ${where} (exit ${exitCode})${serverSaid}` });
    for (const f of failures) console.error(`FAILED ${f.title}\n${f.error}\n`);
    return { passed: r.passed, failed: failures.length, failures };
  }
  for (const f of failures) console.error(`FAILED ${f.title}\n${f.error}\n`);
  if (exitCode !== 0 && r.failed === 0) failures.push({ title: `[${group}] the extension host`, error: `exited ${exitCode} although every test passed` });
  return { passed: r.passed, failed: r.failed + (exitCode !== 0 && r.failed === 0 ? 1 : 0), failures };
}

async function main() {
  const groups = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(GROUPS);
  build();
  const suiteIndex = await buildSuite();
  const work = join(repoRoot, '.test-work/integration');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  let passed = 0, failed = 0;
  const failures = [];
  for (const g of groups) {
    if (!GROUPS[g]) throw new Error(`unknown integration group ${g} (known: ${Object.keys(GROUPS).join(', ')})`);
    console.log(`\n--- integration group "${g}"`);
    const r = await runGroup(g, suiteIndex, work);
    passed += r.passed;
    failed += r.failed;
    failures.push(...r.failures);
  }
  writeFileSync(join(work, 'summary.json'), JSON.stringify({ passed, failed, failures }, null, 2));
  console.log(`integration: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

// The workbench forwards console calls printf-style: ("%s %d", a, b).
function formatPrintf(args) {
  if (args.length === 0) return '';
  const [fmt, ...rest] = args;
  if (typeof fmt !== 'string') return args.map(String).join(' ');
  const out = fmt.replace(/%[sdifoOc%]/g, (m) => (m === '%%' ? '%' : m === '%c' ? (rest.shift(), '') : String(rest.shift())));
  return [out, ...rest.map(String)].join(' ');
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  mkdirSync(join(repoRoot, '.test-work/integration'), { recursive: true });
  writeFileSync(join(repoRoot, '.test-work/integration/summary.json'), JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'the integration launcher', error: String(e?.stack ?? e) }] }));
  console.log('integration: 0 passed, 1 failed');
  process.exit(1);
});
