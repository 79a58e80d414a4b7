// The same integration suite through @vscode/test-electron, which downloads a desktop
// VS Code 1.100.3 (needs internet: not runnable on the offline CI machines, where
// run-code-server.mjs runs the suite instead).
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';
import { buildSuite } from './buildSuite.mjs';
import { makeIntegrationWorkspace } from './fixtureWorkspace.mjs';

const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (b.status !== 0) process.exit(1);
const suite = await buildSuite();
const workspace = makeIntegrationWorkspace(join(repoRoot, '.test-work/electron/workspace'));
try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(repoRoot, '.test-work/electron/user-data')],
    extensionTestsEnv: { ROLLBACK_PILOT_TEST_RESULTS: join(repoRoot, '.test-work/electron/results.json') },
  });
} catch (e) {
  console.error(`test:electron failed: ${e?.message ?? e}`);
  process.exit(1);
}
