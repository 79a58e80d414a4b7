// Activation benchmark in a real VS Code (code-server with the packaged .vsix):
// the time from activate() entry to the first level of the Releases tree, with the
// Rollback views visible at start-up (the window is reloaded after opening them once,
// as a user's restored layout would be), and the size of the bundle the .vsix ships.
import { readdirSync, readFileSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, privateDirs, startCodeServer, launchChromium, installVsix, packageVsix, workbenchUrl } from '../test/integration/codeServer.mjs';
import { makeIntegrationWorkspace } from '../test/integration/fixtureWorkspace.mjs';

const ACTIVATION_BUDGET_MS = 500;
const ACTIVATION_TOTAL_BUDGET_MS = 1000;
const BUNDLE_BUDGET_KIB = 2048;
const work = join(repoRoot, '.test-work/bench/activation');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const vsix = packageVsix();
const bundleKiB = statSync(join(repoRoot, 'dist/extension.js')).size / 1024;
const vsixKiB = statSync(vsix).size / 1024;

const dirs = privateDirs(join(work, 'vscode'));
await installVsix(dirs, vsix);
const workspace = makeIntegrationWorkspace(join(work, 'workspace'));
const server = await startCodeServer({ dirs, logFile: join(work, 'code-server.log'), settings: { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' } });
const browser = await launchChromium();
const samples = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  await page.goto(workbenchUrl(server, workspace));
  const icon = page.locator('.activitybar .action-item a[aria-label^="Rollback"]').first();
  await icon.waitFor({ timeout: 60_000 });
  await icon.click();
  await page.locator('.monaco-list-row', { hasText: 'v1.0.0' }).first().waitFor({ timeout: 30_000 });
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.locator('.monaco-list-row', { hasText: 'v1.0.0' }).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
  }
  // Every activation wrote its timing to the extension's log channel.
  const logs = readdirSync(join(dirs.userData, 'logs'), { recursive: true }).filter((f) => String(f).endsWith('Rollback Pilot.log'));
  for (const f of logs) {
    for (const m of readFileSync(join(dirs.userData, 'logs', String(f)), 'utf8').matchAll(/First Releases tree level ready (\d+) ms after activation started \(VS Code asked for it at (\d+) ms\)/g)) {
      samples.push({ ready: Number(m[1]), asked: Number(m[2]) });
    }
  }
} finally {
  await browser.close().catch(() => {});
  server.stop();
}
// The first sample is the cold one where the view was opened by a click; the reloads start with it visible.
const warm = samples.slice(1).sort((a, b) => a.ready - b.ready);
if (warm.length === 0) { console.error(`bench activation: no timings found in the extension log (samples: ${JSON.stringify(samples)})`); process.exit(1); }
const median = warm[Math.floor(warm.length / 2)];
// The workbench decides when it first asks for the tree (layout restore); what the
// extension adds on top of that wait is its own cost.
console.log(`bench activation-to-first-tree: ${median.ready} ms ratio=${(median.ready / ACTIVATION_TOTAL_BUDGET_MS).toFixed(2)} vs ${ACTIVATION_TOTAL_BUDGET_MS}ms-budget target<=1.0 (VS Code asked for the tree at ${median.asked} ms)`);
console.log(`bench first-tree-own-work: ${median.ready - median.asked} ms ratio=${((median.ready - median.asked) / ACTIVATION_BUDGET_MS).toFixed(2)} vs ${ACTIVATION_BUDGET_MS}ms-budget target<=1.0`);
console.log(`bench bundle-size: ${bundleKiB.toFixed(0)} KiB ratio=${(bundleKiB / BUNDLE_BUDGET_KIB).toFixed(2)} vs ${BUNDLE_BUDGET_KIB}KiB-budget target<=1.0`);
console.log(`bench vsix-size: ${vsixKiB.toFixed(0)} KiB ratio=${(vsixKiB / BUNDLE_BUDGET_KIB).toFixed(2)} vs ${BUNDLE_BUDGET_KIB}KiB-budget target<=1.0`);
