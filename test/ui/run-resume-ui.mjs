// UI test of a rollback interrupted by a crash, in a real VS Code (code-server + the packaged
// .vsix) driven through Chromium: the extension host is killed (SIGKILL) while the api's build
// step runs, the window is reloaded, the extension says at once that a rollback was
// interrupted and offers to resume it. The build the crash left running is found still
// running and waited for (never a second build beside it), and the resumed run finishes
// without redoing what was done: one revert commit, one stash of the operator's work, the
// steps done before the crash run once. The fixture's api really answers /health before and after.
//
// Run: node --import tsx test/ui/run-resume-ui.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, installVsix, launchChromium, packageVsix, privateDirs, repoRoot, startCodeServer, workbenchUrl } from '../integration/codeServer.mjs';
import { deployCurrent, makeAppRepo, stopApp } from '../fixtures/appRepo.ts';
import { getHealth } from './lib/http.mjs';
import { currentPrompt, notificationTexts, pickQuickItem, runFromPalette, until, waitForActivation } from './lib/workbench.mjs';
import { driveRollback, openWorkbench, trustIfAsked } from './lib/rollbackFlow.mjs';
import { fail, theJournal, uiChecks } from './lib/checks.mjs';
import { findChecklistFrame, pageSummary, parseStepRow, stepRows } from './lib/checklistPage.mjs';

const work = join(repoRoot, '.test-work/ui-resume');
/** The api's build waits for this file (at most 60 s), so the crash lands while it runs and outlives it. */
const gate = join(work, 'build-gate');
const GATED_BUILD = `i=0; until [ -e ${gate} ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done; sh scripts/build.sh api`;
const { startedAt, check, broke, finish, crashed } = uiChecks('ui-resume', work);
const observed = { dialogs: [], console: [] };
const readJournal = theJournal;

const git = (workspace, ...args) => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();

/** The extension host processes of this code-server (its own process group), by pid. */
function extensionHosts(server) {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '-g', String(server.child.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => /--type=extensionHost/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** The extension's own log lines (its LogOutputChannel), from every extension host this code-server started. */
function extensionLog(vscodeDir) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes('rollback-pilot.rollback-pilot') && e.name.endsWith('.log')) out.push(...readFileSync(p, 'utf8').split('\n'));
    }
  };
  walk(join(vscodeDir, 'user-data', 'logs'));
  return out;
}

async function shot(page, name) {
  await page.screenshot({ path: join(work, `${name}.png`) }).catch(() => {});
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const vsix = packageVsix();
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const workspace = join(work, 'workspace');
  await makeAppRepo(workspace, { apiPort, workerPort });
  deployCurrent(workspace);
  // The operator's local rollback.yml makes the api build wait for the gate (not committed:
  // it is also the uncommitted work the rollback must stash once and only once).
  const yml = join(workspace, 'rollback.yml');
  writeFileSync(yml, readFileSync(yml, 'utf8').replace('build: sh scripts/build.sh api', `build: "${GATED_BUILD}"`));
  let server;
  let browser;
  let page;
  try {
    const before = await until(() => getHealth(apiPort).catch(() => undefined), { timeout: 10_000, what: 'the fixture api to answer' });
    if (before.status !== 500) fail(`the fixture should start on the bad v1.4.0 (500): got ${before.status} ${before.body}`);
    const headBefore = git(workspace, 'rev-parse', 'HEAD');

    const dirs = privateDirs(join(work, 'vscode'));
    await installVsix(dirs, vsix);
    const settings = { 'workbench.startupEditor': 'none', 'window.commandCenter': false, 'workbench.tips.enabled': false, 'git.openRepositoryInParentFolders': 'never', 'extensions.ignoreRecommendations': true };
    server = await startCodeServer({ dirs, logFile: join(work, 'code-server.log'), settings });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.on('response', (r) => {
      if (r.status() >= 400) observed.console.push(`http ${r.status()}: ${r.url().slice(0, 300)}`);
    });
    page.on('requestfailed', (r) => observed.console.push(`request failed: ${r.url().slice(0, 300)} (${r.failure()?.errorText})`));
    page.on('pageerror', (e) => observed.console.push(`page error: ${String(e).slice(0, 300)}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') observed.console.push(`${m.type()}: ${m.text().slice(0, 300)}`);
    });
    await openWorkbench(page, workbenchUrl(server, workspace));
    if (!(await trustIfAsked(page, 30_000))) fail('the folder did not ask for trust');
    await page.locator('.activitybar .action-item a[aria-label^="Rollback"]').first().waitFor({ timeout: 30_000 });
    await waitForActivation(dirs.userData);

    // 1. Start the rollback as an operator and drive it until the api's build is running.
    let crashedDuring;
    await check('a rollback started from the palette reaches the api build step', async () => {
      await runFromPalette(page, 'Rollback: Revert Last Deploy');
      await until(async () => {
        const q = await currentPrompt(page);
        return q.kind === 'quickpick' && /roll back or roll forward/.test(q.title);
      }, { timeout: 30_000, what: 'the decision quick pick' }).catch(async (e) => {
        // Say what the window showed instead (a CI run once timed out here with nothing else to go on).
        await shot(page, 'no-decision');
        throw new Error(`${e.message}; on screen: prompt ${JSON.stringify(await currentPrompt(page))}, notifications ${JSON.stringify(await notificationTexts(page))}`);
      });
      await pickQuickItem(page, 'Roll back');
      // Running, and its process saved: the runner saves the step as running, then the process
      // it started (a second journal write). Killed between the two, the resume rightly cannot
      // tell whether the build still runs; this test is about the case where it can (a CI run
      // once killed the host between the two writes).
      const buildRunning = () => {
        const j = readJournal(workspace);
        const i = j?.plan.steps.findIndex((s) => s.kind === 'build' && s.service === 'api') ?? -1;
        return i >= 0 && j.steps[i].outcome === 'running' && j.steps[i].process?.command === GATED_BUILD ? { journal: j, index: i } : undefined;
      };
      await driveRollback(page, { shot, stopWhen: async () => Boolean(buildRunning()), record: (e) => observed.dialogs.push({ at: Date.now() - startedAt, ...e }) });
      crashedDuring = buildRunning();
      if (!crashedDuring) fail('the build step is not running');
    });

    // 2. The crash.
    const hosts = extensionHosts(server);
    await check('the extension host is killed mid-step: the journal says "running" and the lock stays', async () => {
      if (!crashedDuring) fail('not reached');
      if (hosts.length === 0) fail('no extension host process found in the code-server process group');
      for (const pid of hosts) process.kill(pid, 'SIGKILL');
      await until(() => extensionHosts(server).every((p) => !hosts.includes(p)), { timeout: 10_000, what: 'the extension host to die' });
      const j = readJournal(workspace);
      observed.journalAfterCrash = j.steps.map((s, i) => `${j.plan.steps[i].kind}${j.plan.steps[i].service ? `:${j.plan.steps[i].service}` : ''}=${s.outcome}`);
      if (j.status !== 'running') fail(`journal status after the crash: ${j.status}`);
      if (j.steps[crashedDuring.index].outcome !== 'running') fail(`the build step's outcome after the crash: ${j.steps[crashedDuring.index].outcome}`);
      // The build itself outlived the extension host, and the journal says which process it is.
      const left = j.steps[crashedDuring.index].process;
      if (!left || left.command !== GATED_BUILD) fail(`the journal does not name the running build: ${JSON.stringify(left)}`);
      try {
        process.kill(-left.processGroup, 0);
      } catch {
        fail(`the build's process group ${left.processGroup} did not outlive the extension host`);
      }
      const lock = join(workspace, '.rollback/locks/rollback.lock');
      if (!existsSync(lock)) fail('the lock was dropped by the crash');
      if (JSON.parse(readFileSync(lock, 'utf8')).runId !== j.runId) fail('the lock names another run');
      await shot(page, 'after-crash');
    });

    // 3. Reload: the extension says at once what was interrupted and offers to resume.
    let offer;
    await check('after "Reload Window" a warning names the interrupted rollback and its progress, with "Resume Rollback"', async () => {
      await page.reload();
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      await trustIfAsked(page, 2_000);
      offer = await until(async () => (await notificationTexts(page)).find((t) => /A rollback of local to v1\.3\.0 was interrupted/.test(t)), { timeout: 45_000, what: 'the interrupted-rollback warning' });
      const j = readJournal(workspace);
      // Skipped steps (the notify with no webhook) are finished too: a resume will not run them.
      const skipped = j.steps.filter((s) => s.outcome === 'skipped').length;
      const finished = j.steps.filter((s) => s.outcome === 'ok').length + skipped;
      if (!offer.includes(`run ${j.runId}`) || !offer.includes(`${finished}/${j.steps.length} steps finished${skipped ? ` (${skipped} skipped)` : ''}`)) fail(`the warning says: ${offer}`);
      await shot(page, 'resume-offer');
    });

    // 4. Resume from the notification: the build the crash left running is still running.
    let waitedFor;
    await check('"Resume Rollback" finds the build the crash left running, waits for it, runs the step again and finishes', async () => {
      if (!offer) fail('not reached');
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /was interrupted/ }).first();
      await toast.locator('.monaco-button', { hasText: 'Resume Rollback' }).first().click({ timeout: 10_000 });
      const finalMessage = await driveRollback(page, {
        shot,
        record: (e) => observed.dialogs.push({ at: Date.now() - startedAt, ...e }),
        onWaiting: async (p) => {
          waitedFor = p;
          await shot(page, 'still-running');
          // The leftover build may end now; the resumed run must not have started a second one meanwhile.
          const j = readJournal(workspace);
          if (j.steps[crashedDuring.index].attempts !== crashedDuring.journal.steps[crashedDuring.index].attempts) fail('the build was started again while the old one still ran');
          writeFileSync(gate, '');
        },
      });
      if (!waitedFor) fail('the resume did not say that the interrupted build was still running');
      if (!waitedFor.placeholder.includes(GATED_BUILD)) fail(`the question does not name the command: ${waitedFor.placeholder}`);
      if (!/Rolled back local to v1\.3\.0/.test(finalMessage ?? '')) fail(`the run ended with: ${finalMessage}`);
    });

    await check('the api answers 200 with 1.3.0; the journal records the resume and is complete; the lock is released', async () => {
      const h = await getHealth(apiPort);
      if (h.status !== 200 || !/"version":"1\.3\.0"/.test(h.body)) fail(`/health: ${h.status} ${h.body}`);
      const j = readJournal(workspace);
      if (j.status !== 'succeeded') fail(`journal status: ${j.status}`);
      if (!j.events.some((e) => e.kind === 'resumed')) fail(`no "resumed" event: ${j.events.map((e) => e.kind).join(', ')}`);
      const bad = j.steps.filter((s) => s.outcome !== 'ok' && s.outcome !== 'skipped');
      if (bad.length) fail(`unfinished steps: ${JSON.stringify(bad)}`);
      if (existsSync(join(workspace, '.rollback/locks/rollback.lock'))) fail('the lock is still there');
    });

    await check('nothing done before the crash was done again: one revert commit, one stash, those steps ran once', async () => {
      if (!crashedDuring) fail('not reached');
      const j = readJournal(workspace);
      const ranBefore = crashedDuring.journal.steps.map((s, i) => (s.outcome === 'ok' ? i : -1)).filter((i) => i >= 0);
      if (ranBefore.length === 0) fail('no step had finished before the crash');
      const rerun = ranBefore.filter((i) => j.steps[i].attempts !== crashedDuring.journal.steps[i].attempts);
      if (rerun.length) fail(`steps run again after the resume: ${rerun.map((i) => j.plan.steps[i].title).join(', ')}`);
      const commits = git(workspace, 'log', '--format=%s', `${headBefore}..HEAD`).split('\n').filter(Boolean);
      observed.commitsAfter = commits;
      if (commits.length !== 1 || !/^Revert|^Roll back|rollback/i.test(commits[0])) fail(`commits on top of v1.4.0: ${JSON.stringify(commits)}`);
      const stashes = git(workspace, 'stash', 'list').split('\n').filter(Boolean);
      observed.stashes = stashes;
      if (stashes.length !== 1) fail(`stashes: ${JSON.stringify(stashes)}`);
      // The operator's edit is in that stash.
      if (!git(workspace, 'show', 'stash@{0}', '--', 'rollback.yml').includes('build-gate')) fail('the stash does not hold the operator\'s rollback.yml edit');
      // The build that was cut off ran again after the old one ended (two attempts), the rest once.
      const b = j.steps[crashedDuring.index];
      if (b.outcome !== 'ok' || b.attempts !== 2) fail(`the interrupted build: ${JSON.stringify(b)}`);
      const kinds = j.events.map((e) => e.kind);
      if (!(kinds.indexOf('leftover-waited') >= 0 && kinds.indexOf('leftover-waited') < kinds.indexOf('leftover-ended'))) fail(`journal events: ${kinds.join(', ')}`);
    });
    await check('the checklist panel is back after the crash and shows the resumed run with every step ok', async () => {
      const frame = await until(() => findChecklistFrame(page), { timeout: 20_000, what: 'the checklist webview page' }).catch(() => undefined);
      if (!frame) fail(`no checklist page; frames: ${JSON.stringify(await Promise.all(page.frames().map((f) => f.evaluate(() => document.title).catch(() => '?'))))}`);
      // As a user would: give the page a few seconds to fill in (it may be loaded again if its first load never started).
      const summary = await until(async () => {
        const f = (await findChecklistFrame(page)) ?? frame;
        const s = await pageSummary(f).catch(() => undefined);
        return s && /v1\.4\.0 → v1\.3\.0/.test(s.h1) ? s : undefined;
      }, { timeout: 20_000, what: 'the checklist heading' }).catch(async () => pageSummary(frame).catch(() => ({ h1: '' })));
      observed.checklistReloads = extensionLog(join(work, 'vscode')).filter((l) => /checklist: the page/.test(l));
      if (!/v1\.4\.0 → v1\.3\.0/.test(summary.h1)) fail(`the panel heading: ${summary.h1}; the page: ${await frame.evaluate(() => `${document.body.innerHTML.slice(0, 600)} | scripts: ${[...document.scripts].map((x) => x.src).join(', ')}`).catch(() => '?')}; console: ${JSON.stringify(observed.console.slice(-15))}`);
      const live = (await findChecklistFrame(page)) ?? frame;
      const rows = await until(async () => {
        const r = (await stepRows(live)).map(parseStepRow);
        return r.length && r.every((x) => /ok|skipped|done/i.test(x.outcome)) ? r : undefined;
      }, { timeout: 10_000, what: 'every step row to be finished' }).catch(async () => (await stepRows(live)).map(parseStepRow));
      observed.checklistRows = rows;
      const build = rows.find((r) => /Build api/.test(r.title));
      if (!build || !/ok/i.test(build.outcome)) fail(`the build row: ${JSON.stringify(build)}; rows: ${JSON.stringify(rows)}`);
    });
  } catch (e) {
    broke(e);
  } finally {
    if (page) await shot(page, 'final');
    await browser?.close().catch(() => {});
    server?.stop();
    stopApp(workspace);
  }
  process.exit(finish(observed));
}

main().catch((e) => process.exit(crashed(e)));
