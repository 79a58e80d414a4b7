// UI test: a real VS Code (code-server) with the packaged .vsix installed, driven as a
// user would in Chromium: trust the folder, click the Rollback icon, read the tree,
// expand a release, see its commits and migrations. Saves screenshots for the README.
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, privateDirs, startCodeServer, launchChromium, installVsix, workbenchUrl, packageVsix } from '../integration/codeServer.mjs';
import { makeIntegrationWorkspace } from '../integration/fixtureWorkspace.mjs';

const work = join(repoRoot, '.test-work/ui');
const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e?.stack ?? String(e) });
    console.log(`  ✘ ${name}\n${String(e?.message ?? e).split('\n').map((l) => '      ' + l).join('\n')}`);
  }
}


async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const vsix = packageVsix();
  const dirs = privateDirs(join(work, 'vscode'));
  await installVsix(dirs, vsix);
  const workspace = makeIntegrationWorkspace(join(work, 'workspace'));
  const server = await startCodeServer({
    dirs,
    logFile: join(work, 'code-server.log'),
    settings: { 'workbench.startupEditor': 'none', 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false },
  });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  try {
    await page.goto(workbenchUrl(server, workspace));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });

    await check('the folder asks for trust, and trusting it lets the extension run', async () => {
      const trust = page.getByRole('button', { name: /Yes, I trust the authors/ });
      await trust.waitFor({ timeout: 30_000 });
      await trust.click();
    });

    await check('the activity bar shows the Rollback icon and clicking it opens the Releases and Migrations views', async () => {
      const icon = page.locator('.activitybar .action-item a[aria-label^="Rollback"]').first();
      await icon.waitFor({ timeout: 30_000 });
      await icon.click();
      await page.locator('.pane-header', { hasText: 'Releases' }).first().waitFor({ timeout: 20_000 });
      await page.locator('.pane-header', { hasText: 'Migrations' }).first().waitFor({ timeout: 20_000 });
    });

    const releasesPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Releases' }) }).first();
    await check('the Releases tree lists v1.4.0 … v1.0.0 newest first, with the deployed and last-known-good markers', async () => {
      await releasesPane.locator('.monaco-list-row', { hasText: 'v1.0.0' }).waitFor({ timeout: 30_000 });
      const rows = await releasesPane.locator('.monaco-list-row .label-name').allInnerTexts();
      const names = rows.filter((r) => /^v\d/.test(r));
      if (names.slice(0, 5).join(',') !== 'v1.4.0,v1.3.0,v1.2.0,v1.1.0,v1.0.0') throw new Error(`releases in the tree: ${names.join(', ')}`);
      const v140 = await releasesPane.locator('.monaco-list-row', { hasText: 'v1.4.0' }).first().innerText();
      if (!/deployed/.test(v140)) throw new Error(`v1.4.0 row lacks "deployed": ${v140}`);
      const v130 = await releasesPane.locator('.monaco-list-row', { hasText: 'v1.3.0' }).first().innerText();
      if (!/last-known-good/.test(v130)) throw new Error(`v1.3.0 row lacks "last-known-good": ${v130}`);
    });

    await check('expanding v1.2.0 shows its commit (with author) and the migration it added, with its safety class', async () => {
      await releasesPane.locator('.monaco-list-row', { hasText: 'v1.2.0' }).first().click();
      await releasesPane.locator('.monaco-list-row', { hasText: 'Commits' }).first().click();
      await releasesPane.locator('.monaco-list-row', { hasText: 'Require an email on users' }).waitFor({ timeout: 15_000 });
      const commit = await releasesPane.locator('.monaco-list-row', { hasText: 'Require an email on users' }).innerText();
      if (!/Dana Ops/.test(commit)) throw new Error(`commit row lacks the author: ${commit}`);
      const migrationsRow = releasesPane.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^Migrations$/ }) }).first();
      await migrationsRow.waitFor({ timeout: 15_000 });
      const summary = await migrationsRow.innerText();
      if (!/1 migration.*needs mitigation/.test(summary)) throw new Error(`the release's Migrations row lacks its safety summary: ${summary}`);
      await migrationsRow.click();
      const migration = releasesPane.locator('.monaco-list-row', { hasText: 'b1_users_email' }).first();
      await migration.waitFor({ timeout: 15_000 });
      const row = await migration.innerText();
      if (!/needs mitigation/.test(row)) throw new Error(`the migration row lacks its class: ${row}`);
    });

    await check('the Migrations view lists the Alembic chain in down_revision order', async () => {
      const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Migrations' }) }).last();
      await pane.locator('.monaco-list-row', { hasText: 'd2_drop_legacy' }).waitFor({ timeout: 15_000 });
      const rows = (await pane.locator('.monaco-list-row .label-name').allInnerTexts()).filter((r) => r.endsWith('.py'));
      const expected = ['c3_create_users.py', 'a9_add_orders.py', 'b1_users_email.py', '0f_audit_trigger.py', 'd2_drop_legacy.py'];
      if (rows.join(',') !== expected.join(',')) throw new Error(`migrations in the tree: ${rows.join(', ')}`);
    });

    await page.screenshot({ path: join(work, 'releases.png') });
    mkdirSync(join(repoRoot, 'media/screenshots'), { recursive: true });
    copyFileSync(join(work, 'releases.png'), join(repoRoot, 'media/screenshots/releases.png'));
  } catch (e) {
    results.push({ name: 'ui run', ok: false, error: e?.stack ?? String(e) });
    console.error(e);
  } finally {
    await page.screenshot({ path: join(work, 'final.png') }).catch(() => {});
    await browser.close().catch(() => {});
    server.stop();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  writeFileSync(join(work, 'summary.json'), JSON.stringify({ passed, failed, results }, null, 2));
  console.log(`ui: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  writeFileSync(join(work, 'summary.json'), JSON.stringify({ passed: 0, failed: 1, error: String(e) }));
  console.log('ui: 0 passed, 1 failed');
  process.exit(1);
});
