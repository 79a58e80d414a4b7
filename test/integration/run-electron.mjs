// The same integration suite through @vscode/test-electron, which downloads a desktop
// VS Code 1.100.3 (needs internet: not runnable on the offline CI machines, where
// run-code-server.mjs runs the suite instead). Same groups, same fixtures.
//
//   node --import tsx test/integration/run-electron.mjs [group …]
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';
import { buildSuite } from './buildSuite.mjs';
import { GROUPS } from './groups.mjs';

const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (b.status !== 0) process.exit(1);
const suite = await buildSuite();
const groups = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(GROUPS);
let failed = 0;
for (const group of groups) {
  const base = join(repoRoot, '.test-work/electron', group);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const fixture = await GROUPS[group](join(base, 'workspace'));
  try {
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      launchArgs: [fixture.folder, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(base, 'user-data')],
      extensionTestsEnv: { ROLLBACK_PILOT_SUITE: group, ROLLBACK_PILOT_TEST_RESULTS: join(base, 'results.json'), ...fixture.env },
    });
  } catch (e) {
    console.error(`test:electron [${group}] failed: ${e?.message ?? e}`);
    failed++;
  } finally {
    await fixture.cleanup();
  }
}
process.exit(failed ? 1 : 0);
