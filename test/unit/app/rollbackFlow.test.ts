// The application layer's rollback flow in plain Node, driven by the integration suite's own
// scripted dialogs (the same answers the VS Code tests give), over real git, the real shell
// and the fixture shop's real services: decide → target → plan → preview → confirm → run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OPEN_CONFIG, runRollbackFlow } from '../../../src/app/rollbackFlow';
import type { RollbackPlan } from '../../../src/core/plan/types';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { healthOf, tempDir } from '../engine/helpers';
import { appServices } from './harness';
import { appFixture, type AppFixture } from './fixture';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const journals = (dir: string): RollbackJournal[] => (existsSync(join(dir, '.rollback/journals')) ? readdirSync(join(dir, '.rollback/journals')).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, '.rollback/journals', f), 'utf8')) as RollbackJournal) : []);

describe('the rollback flow without VS Code (fixture shop deployed in the workspace)', { timeout: 300_000 }, () => {
  let f: AppFixture;
  before(async () => {
    f = await appFixture();
  });
  after(() => f?.cleanup());

  test('a roll-forward decision ends the flow before any plan', async () => {
    const dialogs = new ScriptedDialogs({ decision: 'roll-forward' });
    const s = appServices(f.workspace, () => dialogs);
    const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
    assert.equal(outcome.stoppedBecause, 'roll forward chosen');
    assert.deepEqual(dialogs.asked, ['decide']);
    assert.match(dialogs.infos[0], /^Rolling forward: ship the hotfix/);
    s.dispose();
  });

  test('nothing runs when the plan is not confirmed: the preview and the diff were shown first', async () => {
    const dialogs = new ScriptedDialogs({ confirmPlan: false });
    const s = appServices(f.workspace, () => dialogs);
    const head = git(f.workspace, 'rev-parse', 'HEAD');
    const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
    assert.equal(outcome.stoppedBecause, 'not confirmed');
    assert.deepEqual(dialogs.asked, ['decide', 'reason', 'environment:local', 'confirmPlan']);
    assert.match(s.ui.presenter.previews[0], /^# Rollback of local: v1\.4\.0 → v1\.3\.0\n/);
    assert.match(s.ui.presenter.previews[0], /git -c .* revert --no-edit -m 1 /);
    assert.match(s.ui.presenter.diffs[0], /^# What the code change will do: v1\.4\.0 → v1\.3\.0\n.*apps\/api\/server\.js/s);
    assert.ok(dialogs.infos.some((m) => /Nothing ran/.test(m)));
    assert.equal(git(f.workspace, 'rev-parse', 'HEAD'), head);
    assert.equal((await healthOf(`http://127.0.0.1:${f.apiPort}/health`)).status, 500);
    assert.equal(journals(f.workspace).length, 0);
    s.dispose();
  });

  test('a rollback.yml edited between the preview and the confirmation refuses the run, saying so', async () => {
    const yml = join(f.workspace, 'rollback.yml');
    const original = readFileSync(yml, 'utf8');
    const dialogs = new (class extends ScriptedDialogs {
      override async confirmPlan(plan: RollbackPlan): Promise<boolean> {
        appendFileSync(yml, '# edited while the preview was open\n');
        return super.confirmPlan(plan);
      }
    })();
    const s = appServices(f.workspace, () => dialogs);
    try {
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      assert.equal(outcome.stoppedBecause, 'plan changed since the preview');
      assert.match(dialogs.errors.join('\n'), /The plan changed since you previewed it, so nothing ran:\n- rollback\.yml changed since the preview/);
      assert.equal(journals(f.workspace).length, 0);
    } finally {
      writeFileSync(yml, original);
      s.dispose();
    }
  });

  test('plans, runs and records: api /health reports 1.3.0, every step reported, v1.4.0 marked bad', async () => {
    const dialogs = new ScriptedDialogs();
    const s = appServices(f.workspace, () => dialogs);
    const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
    assert.ok(outcome.result, `ran (${outcome.stoppedBecause}; ${dialogs.errors.join(' | ')})`);
    assert.equal(outcome.result.success, true, outcome.result.state);
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    assert.equal(s.ui.presenter.reported[0], 'Rolling back local to v1.3.0');
    assert.deepEqual(s.ui.presenter.reported.slice(1), outcome.plan!.steps.map((st) => st.title), 'the progress followed every step');
    assert.deepEqual(journals(f.workspace).map((j) => j.status), ['succeeded']);
    assert.ok(dialogs.infos.some((m) => /^Rolled back local to v1\.3\.0 on local\./.test(m)));
    s.workspace.invalidate(['releases']);
    const listing = await s.workspace.releases();
    const bad = listing.releases.find((r) => r.name === 'v1.4.0')!;
    assert.deepEqual(bad.markers.includes('bad'), true);
    assert.match(bad.badReason ?? '', /^rolled back on local to v1\.3\.0: api \/health answers 500 since the deploy$/);
    s.dispose();
  });
});

describe('the flow refuses a broken rollback.yml before asking anything', () => {
  test('the error offers to open the file, and opens it when asked', async () => {
    const tmp = tempDir('app-config');
    try {
      execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: tmp.dir });
      writeFileSync(join(tmp.dir, 'rollback.yml'), 'environments:\n  production:\n    host: [not, a, host]\n');
      const dialogs = new ScriptedDialogs();
      const s = appServices(tmp.dir, () => dialogs);
      s.ui.presenter.pick = (_m, actions) => actions[0];
      const outcome = await runRollbackFlow(s.flow, s.ui, { pickTarget: false });
      assert.equal(outcome.stoppedBecause, 'config errors');
      assert.deepEqual(dialogs.asked, []);
      assert.match(dialogs.errors[0], /^rollback\.yml has errors; fix them before rolling back/);
      assert.equal(OPEN_CONFIG, 'Open rollback.yml');
      assert.deepEqual(s.ui.presenter.opened, [join(tmp.dir, 'rollback.yml')]);
      s.dispose();
    } finally {
      tmp.cleanup();
    }
  });
});
