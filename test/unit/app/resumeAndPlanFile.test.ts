// Resume and plan files in the application layer, in plain Node over the fixture shop deployed
// in a clone beside the workspace: a run stopped at its destructive step (the environment name
// not typed) is resumed by a second front end and finishes; a plan written out (plan --json) is
// run exactly, or refused, and what it shows is redacted while its digest is the real plan's.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { planFileOf, PlanFileError, readPlanFile, runPlanFile } from '../../../src/app/planFile';
import { planRollback, runRollbackFlow } from '../../../src/app/rollbackFlow';
import { resumeFlow } from '../../../src/app/resumeFlow';
import { planDigest } from '../../../src/core/plan/digest';
import { ScriptedDialogs } from '../../integration/suite/scriptedDialogs';
import { healthOf } from '../engine/helpers';
import { appServices } from './harness';
import { appFixture, type AppFixture } from './fixture';

const fixtures: AppFixture[] = [];
const fixture = async (downSteps: boolean): Promise<AppFixture> => {
  const f = await appFixture({ separateTarget: true, downSteps });
  fixtures.push(f);
  return f;
};
const dbLog = (f: AppFixture): string => (existsSync(join(f.target, 'run/db.log')) ? readFileSync(join(f.target, 'run/db.log'), 'utf8') : '');

describe('resume and plan files without VS Code', { timeout: 300_000 }, () => {
  afterEach(() => {
    while (fixtures.length) fixtures.pop()!.cleanup();
  });

  test('a run stopped before its destructive step (name not typed) is resumed from its journal by another front end and finishes', async () => {
    const f = await fixture(true);
    const first = new ScriptedDialogs({ typed: () => undefined });
    const a = appServices(f.workspace, () => first);
    const outcome = await runRollbackFlow(a.flow, a.ui, { pickTarget: false });
    assert.ok(outcome.result && outcome.plan, `${outcome.stoppedBecause}; ${first.errors.join(' | ')}`);
    assert.equal(outcome.result.success, false);
    assert.match(outcome.result.state, /it is destructive and the environment name "local" was not typed\. Nothing of it ran/);
    assert.deepEqual(a.ui.presenter.unfinished.map((u) => u.runId), [outcome.plan.id]);
    assert.ok(first.asked.some((q) => /^type:local:db-down-/.test(q)), first.asked.join(', '));
    assert.equal(dbLog(f), '');
    a.dispose();

    // A second window (or the command line): its own services over the same files.
    const second = new ScriptedDialogs();
    const b = appServices(f.workspace, () => second);
    const resumed = await resumeFlow(b.sessions, b.ui);
    assert.equal(resumed.journal?.runId, outcome.plan.id);
    assert.equal(resumed.result?.success, true, `${resumed.result?.state}; ${second.errors.join(' | ')}`);
    assert.match(b.ui.presenter.previews[0], /Resum/);
    assert.ok(second.asked.includes('confirm:Resume the rollback of local to v1.3.0?'), second.asked.join(', '));
    assert.ok(second.asked.some((q) => /^type:local:db-down-/.test(q)));
    assert.match(dbLog(f), /^down 0*5 to 0*4$/m);
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    const none = await resumeFlow(b.sessions, b.ui);
    assert.equal(none.stoppedBecause, 'nothing to resume');
    b.dispose();
  });

  test('a plan file runs exactly the plan it holds: redacted where a known secret appears, the digest still the real plan\'s; a wrong digest refuses', async () => {
    const f = await fixture(false);
    const dialogs = new ScriptedDialogs();
    const s = appServices(f.workspace, () => dialogs);
    // A value the redactor knows appears in the plan (the merged branch's name, in the revert step's why).
    s.redactor.setSource('env-file:.env', ['feature/fast-path']);
    const planned = await planRollback(s.flow, s.ui, 'api 500 since v1.4.0', { environment: 'local', pickTarget: false });
    assert.ok(!('stoppedBecause' in planned), JSON.stringify(planned));
    assert.match(JSON.stringify(planned.previewed.plan), /feature\/fast-path/);
    const text = JSON.stringify(planFileOf(planned.previewed, s.redactor));
    assert.doesNotMatch(text, /feature\/fast-path/, 'nothing shown carries the secret');
    const file = readPlanFile(text, 'plan.json');
    assert.equal(file.digest, planDigest(planned.previewed.plan), 'the digest is of the plan as built');
    assert.notEqual(planDigest(file.plan), file.digest);

    const wrong = await runPlanFile(s.flow, s.ui, file, 'f'.repeat(64), 'plan.json', s.redactor);
    assert.equal(wrong.stoppedBecause, 'digest mismatch');
    assert.match(dialogs.errors.at(-1)!, /^--digest f{64} is not the digest of the plan in plan\.json \([0-9a-f]{64}\): nothing ran/);

    const ran = await runPlanFile(s.flow, s.ui, file, file.digest, 'plan.json', s.redactor);
    assert.equal(ran.result?.success, true, `${ran.stoppedBecause}; ${dialogs.errors.join(' | ')}`);
    assert.equal(ran.plan?.id, file.plan.id, 'the run is the planned one, by its id');
    assert.ok(!dialogs.asked.includes('confirmPlan') && !dialogs.asked.includes('decide'), 'an approved plan asks neither the decision nor the confirmation');
    const health = await healthOf(`http://127.0.0.1:${f.apiPort}/health`);
    assert.equal(health.status, 200);
    s.dispose();
  });

  test('a file that is not a plan is refused naming the file and what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"kind": "rollback-pilot-plan"', /^ci\/plan\.json: not JSON \(.*\); write it with rollback-pilot plan --json > ci\/plan\.json$/],
      ['{"plan": {}}', /^ci\/plan\.json: not a rollback-pilot plan \(no "kind": "rollback-pilot-plan"\)$/],
      ['{"kind": "rollback-pilot-plan", "version": 7}', /^ci\/plan\.json: plan file version 7; this rollback-pilot reads version 1$/],
      ['{"kind": "rollback-pilot-plan", "version": 1, "digest": "x"}', /^ci\/plan\.json: missing plan, preview, facts, request, undoAnswers$/],
      ['{"kind": "rollback-pilot-plan", "version": 1, "digest": "abc", "plan": {}, "preview": "", "facts": {}, "request": {}, "undoAnswers": []}', /^ci\/plan\.json: "digest" is not a sha256$/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => readPlanFile(text, 'ci/plan.json'), (e: unknown) => e instanceof PlanFileError && message.test(e.message), text);
    }
  });
});
