// The host's own files across a rollback, on a real repository: release v1 tracks a
// settings.env template and public/robots.txt; v2 stops tracking settings.env (and ignores
// it) and drops robots.txt. The host, on v2, has its real settings.env (its only copy, with
// the DB password, mode 600), its own robots.txt (untracked), an uploads/ folder a running
// service writes to, an untracked note and an uncommitted edit to a tracked file. Rolling
// back to v1 (revert and checkout, locally and over the real sshd) must keep every one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlanWithHostFiles, inspectHostFiles } from '../../../src/core/plan/inspectHostFiles';
import { buildPlan } from '../../../src/core/plan/planner';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { git, ScriptedPrompter, tempDir } from './helpers';
import { PASSWORD_ENV, TEMPLATE_ENV, HOST_ROBOTS, makeReleases, populateHost, mode, config, rollBackAndCheck, type Releases } from './hostFilesHarness';

describe('host files around the code step (real git repository, local runner)', () => {
  const tmp = tempDir('hostfiles');
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (): { releases: Releases; host: string; journals: FileJournalStore } => {
    const base = join(tmp.dir, `case-${++n}`);
    const releases = makeReleases(join(base, 'workspace'));
    execFileSync('git', ['clone', '-q', releases.dir, join(base, 'host')]);
    const host = join(base, 'host');
    git(host, 'config', 'user.name', 'Deploy Bot');
    git(host, 'config', 'user.email', 'deploy@shop.example');
    git(host, 'checkout', '-q', '--detach', 'v2');
    populateHost(host);
    return { releases, host, journals: new FileJournalStore(join(base, 'journals')) };
  };
  const local = (): CommandRunner => new LocalCommandRunner();

  for (const strategy of ['revert', 'checkout'] as const) {
    test(`${strategy} v2 → v1: the ignored settings.env and the untracked robots.txt survive byte for byte, uploads/ never moves`, async () => {
      const f = fresh();
      await rollBackAndCheck({ host: 'local', hostDir: f.host, releases: f.releases, strategy, runnerFor: local, journals: f.journals });
    });
  }

  test('the save step is idempotent and its resume check tells when it is done; the restore check too', async () => {
    const f = fresh();
    const plan = await buildPlan({ config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop', runId: 'rb-idem' });
    const save = plan.steps.find((s) => s.id === 'save-host-files')!;
    const restore = plan.steps.find((s) => s.id === 'restore-host-files')!;
    const run = (c: { command: string; cwd?: string }) => local().run(c.command, { cwd: c.cwd });
    assert.equal((await run(save.alreadyDone!)).code, 1, 'not done before it ran');
    const first = await run(save.commands[0]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await run(save.alreadyDone!)).code, 0);
    const again = await run(save.commands[0]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already saved/);
    assert.equal(readFileSync(join(f.host, '.rollback/saved/rb-idem/manifest'), 'utf8'), 'I\tsettings.env\nU\tpublic/robots.txt\n');
    assert.ok(!existsSync(join(f.host, 'public/robots.txt')), 'the untracked file is moved aside for the checkout');
    assert.equal((await run(restore.alreadyDone!)).code, 1, 'the restore is not done yet');
    const r = await run(restore.commands[0]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await run(restore.alreadyDone!)).code, 0);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a revert that conflicts is aborted and the ignored settings.env it wrote over comes back; the run stops with it intact', async () => {
    const f = fresh();
    // Reverting only the commit that stopped tracking settings.env re-adds the template and conflicts on app.txt.
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'revert'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', revertCommit: f.releases.untrack, targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.match(plan.steps.find((s) => s.id === 'code-revert')!.onFailure!.command, /git revert --abort[\s\S]*put back/);
    const prompter = new ScriptedPrompter([{ action: 'stop' }]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, false);
    assert.equal(prompter.failures[0]?.step.id, 'code-revert');
    assert.equal(prompter.failures[0]?.state.cleanedUp, true, 'the cleanup (abort + put back) succeeded');
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), f.releases.v2);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(mode(join(f.host, 'settings.env')), 0o600);
    // The untracked robots.txt waits in the saved folder; the preview and the save step's output give the command that puts it back.
    assert.equal(readFileSync(join(f.host, '.rollback/saved', plan.id, 'files/public/robots.txt'), 'utf8'), HOST_ROBOTS);
    const hint = /^\d+ file\(s\) saved in .*; to put them all back by hand: (.*)$/m.exec(result.journal.steps.find((s) => s.stepId === 'save-host-files')!.outputTail ?? '')?.[1];
    assert.ok(hint, 'the save step printed the command');
    assert.ok(renderPlanMarkdown(plan).includes(hint), 'the preview shows the same command');
    execFileSync('sh', ['-c', hint]);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a conflicting revert switched to the checkout fallback: the host files survive that way too', async () => {
    const f = fresh();
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'revert'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', revertCommit: f.releases.untrack, targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter([{ action: 'switch-to-checkout' }]), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.deepEqual(result.journal.steps.map((s) => s.stepId).slice(2, 6), ['stash', 'save-host-files', 'code-checkout', 'restore-host-files']);
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), f.releases.v1);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS);
  });

  test('a file listed in configFiles keeps the release version (the plan restores it from there); the preview and the restore offer the exact command for the host copy', async () => {
    const f = fresh();
    const cfg = config('local', f.host, 'checkout');
    cfg.environments[0].configFiles = ['settings.env'];
    const plan = await buildPlanWithHostFiles({ config: cfg, environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v2', to: 'v1', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' }, local);
    assert.ok(plan.steps.some((s) => s.id === 'config-restore'));
    const preview = renderPlanMarkdown(plan);
    const offered = /- `settings\.env` — ignored: [^;]*; the plan restores it from v1 \(configFiles\), so v1's version stays; to put the host's copy back: `([^`]+)`/.exec(preview)?.[1];
    assert.ok(offered, preview.split('## Steps')[0]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    assert.equal(readFileSync(join(f.host, 'settings.env'), 'utf8'), TEMPLATE_ENV, 'the release version, as configFiles asks');
    assert.match(result.journal.steps.find((s) => s.stepId === 'restore-host-files')?.outputTail ?? '', /kept settings\.env as the release has it/);
    assert.equal(readFileSync(join(f.host, 'public/robots.txt'), 'utf8'), HOST_ROBOTS, 'the others are put back');
    execFileSync('sh', ['-c', offered]);
    assert.deepEqual(readFileSync(join(f.host, 'settings.env')), Buffer.from(PASSWORD_ENV));
    assert.equal(mode(join(f.host, 'settings.env')), 0o600);
  });

  /** A workspace whose v1 tracks `names` (templates) and whose v2 ignores them; a host on v2 with its own copies. */
  function namesCase(names: string[]): { releases: Releases; host: string; journals: FileJournalStore } {
    const base = join(tmp.dir, `case-${++n}`);
    const dir = join(base, 'workspace');
    const releases = makeReleases(dir);
    for (const name of names) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), 'template\n');
    }
    // v3 = v1 plus the templates; v4 ignores them again: the rollback goes v4 → v3.
    git(dir, 'checkout', '-q', '-b', 'names', 'v1');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'v3: templates');
    git(dir, 'tag', '-a', 'v3', '-m', 'v3');
    writeFileSync(join(dir, '.gitignore'), 'cfg/\n/-n.env\n');
    git(dir, 'rm', '-q', '-r', '--cached', '--', ...new Set(names.map((x) => x.split('/')[0])));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'v4: cfg/ is the host\'s');
    git(dir, 'tag', '-a', 'v4', '-m', 'v4');
    const host = join(base, 'host');
    execFileSync('git', ['clone', '-q', dir, host]);
    git(host, 'checkout', '-q', '--detach', 'v4');
    for (const name of names) {
      mkdirSync(join(host, name, '..'), { recursive: true });
      writeFileSync(join(host, name), `host secret for ${JSON.stringify(name)}\n`);
    }
    return { releases, host, journals: new FileJournalStore(join(base, 'journals')) };
  }

  test('hostile file names in the way are saved and put back as data, never run', async () => {
    const names = ["cfg/it's $(touch PWNED) `touch PWNED2`.env", 'cfg/-rf --no-preserve-root.env', 'cfg/sp ace/a;b|c&d.env', 'cfg/ünï.env', '-n.env'];
    const f = namesCase(names);
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v4', to: 'v3', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.deepEqual(plan.hostFiles?.found?.wouldOverwrite.map((x) => x.path).sort(), [...names].sort());
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    for (const name of names) assert.equal(readFileSync(join(f.host, name), 'utf8'), `host secret for ${JSON.stringify(name)}\n`, name);
    for (const canary of ['PWNED', 'PWNED2', 'cfg/PWNED']) assert.equal(existsSync(join(f.host, canary)), false, `${canary} must never appear`);
    assert.equal(existsSync(join(process.cwd(), 'PWNED')), false);
  });

  test('a name with a newline in the way: the preview says the save step will refuse, and it does, before the code step', async () => {
    const f = namesCase(['cfg/two\nlines.env', 'cfg/plain.env']);
    const plan = await buildPlanWithHostFiles(
      { config: config('local', f.host, 'checkout'), environment: 'production', git: gitQueriesVia(local(), f.releases.dir), from: 'v4', to: 'v3', targetSource: 'user', reason: 'x', createdBy: 'dana@laptop' },
      local,
    );
    assert.equal(plan.hostFiles?.found?.blocked.length, 1);
    assert.match(renderPlanMarkdown(plan), /The save step will refuse, so the code step does not run/);
    const prompter = new ScriptedPrompter([{ action: 'stop' }]);
    const result = await new RollbackRunner({ runnerFor: local, journals: f.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, false);
    assert.equal(prompter.failures[0]?.step.id, 'save-host-files');
    assert.match(prompter.failures[0]?.state.detail ?? '', /newline or control character/);
    assert.equal(git(f.host, 'rev-parse', 'HEAD'), git(f.releases.dir, 'rev-parse', 'v4^{commit}'), 'the code step never ran');
    assert.equal(readFileSync(join(f.host, 'cfg/two\nlines.env'), 'utf8'), `host secret for ${JSON.stringify('cfg/two\nlines.env')}\n`);
  });

  test('inspection of a host whose path is not a git repository says so instead of listing nothing', async () => {
    const dir = join(tmp.dir, 'not-a-repo');
    mkdirSync(dir, { recursive: true });
    const found = await inspectHostFiles(local(), dir, 'a'.repeat(40), 'checkout');
    assert.ok(found.error, 'an error is reported');
    assert.match(found.error, /not-a-repo/);
    assert.deepEqual(readdirSync(dir), [], 'nothing was written there');
  });
});
