import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { Prompter } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';

const work = mkdtempSync(join(tmpdir(), 'rp-manual-'));
after(() => rmSync(work, { recursive: true, force: true }));

function plan(id: string, steps: PlanStep[]): RollbackPlan {
  return {
    id, environment: 'staging', where: 'local', strategy: 'revert', cwd: work,
    from: { name: 'v2.0.0', sha: 'b'.repeat(40) }, to: { name: 'v1.9.0', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'login fails', affectedServices: [], createdAt: '2026-11-21T09:00:00.000Z', createdBy: 'tester', steps,
  };
}
const restore: PlanStep = { id: 'db-restore', kind: 'database', title: 'Restore the database backup (no backup.restore configured: do it by hand)', why: 'x', commands: [], destructive: true, confirmEach: true };
const summary: PlanStep = { id: 'db-summary', kind: 'database', title: 'Database: 1 migration: 1 destructive', why: 'x', commands: [], destructive: false };
const after1: PlanStep = { id: 'after', kind: 'smoke', title: 'After', why: 'x', commands: [{ command: 'true', where: 'local' }], destructive: false };

function runner(answer: 'done' | 'skip' | 'stop', asked: string[]) {
  const prompter: Prompter = {
    chooseOnFailure: () => Promise.resolve({ action: 'stop' }),
    confirmStep: () => Promise.reject(new Error('a manual step must not be offered "Run"')),
    confirmManual: (step) => { asked.push(step.id); return Promise.resolve(answer); },
    typeEnvironmentName: (env) => Promise.resolve(env),
  };
  return new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: work }), journals: new FileJournalStore(join(work, 'journals')), prompter, http: new NodeHttp(), operator: 'dana@laptop' });
}

test('a step only a person can do is asked as "done by hand?", recorded with who confirmed it; an informational step is not asked', async () => {
  const asked: string[] = [];
  const r = await runner('done', asked).run(plan('m-done', [summary, restore, after1]));
  assert.equal(r.success, true, r.state);
  assert.deepEqual(asked, ['db-restore']);
  const step = r.journal.steps.find((s) => s.stepId === 'db-restore')!;
  assert.equal(step.outcome, 'ok');
  assert.equal(step.detail, 'done by hand, confirmed by dana@laptop');
  assert.match(r.journal.steps.find((s) => s.stepId === 'db-summary')!.detail ?? '', /informational/);
});

test('"skip" records the manual step as skipped (not done), and "stop" stops the run before it', async () => {
  const skipped = await runner('skip', []).run(plan('m-skip', [restore, after1]));
  assert.equal(skipped.journal.steps[0].outcome, 'skipped');
  assert.match(skipped.journal.steps[0].skippedReason ?? '', /not done by hand/);
  const stopped = await runner('stop', []).run(plan('m-stop', [restore, after1]));
  assert.equal(stopped.success, false);
  assert.deepEqual(stopped.journal.steps.map((s) => s.outcome), ['pending', 'pending']);
  assert.equal(stopped.journal.status, 'stopped');
});
