// Entry point VS Code calls with extensionTestsPath: runs the Mocha suite inside the
// real extension host. The same file serves both launchers (code-server here,
// @vscode/test-electron where a desktop VS Code can be downloaded).
import * as fs from 'node:fs';
import * as path from 'node:path';
// Mocha 11 is CommonJS; the bundle keeps it external so it resolves from node_modules.
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // One suite per workspace: the launcher opens the matching fixture and names the group.
  const group = process.env.ROLLBACK_PILOT_SUITE ?? 'views';
  const dir = path.join(__dirname, group);
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(dir, f));
  }
  const resultsFile = process.env.ROLLBACK_PILOT_TEST_RESULTS;
  const failures: Array<{ title: string; error: string }> = [];
  let passed = 0;
  // Written after every test, not only at the end: if the extension host dies or hangs,
  // the launcher can still say which test was running and what had passed.
  const save = (running: string | undefined, finished: boolean) => {
    if (!resultsFile) return;
    fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed: failures.length, failures, running, finished }, null, 2));
  };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failed) => {
      save(undefined, true);
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
    runner.on('test', (test) => save(test.fullTitle(), false));
    runner.on('hook', (hook) => save(hook.fullTitle(), false));
    runner.on('hook end', () => save(undefined, false));
    runner.on('pass', () => { passed++; save(undefined, false); });
    runner.on('fail', (test, err: Error) => {
      failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err) });
      save(undefined, false);
    });
  });
}
