// The backup check before destructive database steps, run by the engine: `backup.list` is a
// real `ls` of a folder of dated backup files; the run reads the newest date and judges it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { backupCheckStep } from '../../../src/core/database/dbPlan';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { FailureState, Prompter } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';

const work = mkdtempSync(join(tmpdir(), 'rp-backup-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** `app-YYYYMMDD-HHMMSS.dump`, the way pg_dump cron jobs name their files, for a moment `agoMs` before now. */
function dumpName(agoMs: number): string {
  return `app-${new Date(Date.now() - agoMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}.dump`;
}

function backupsFolder(name: string, files: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}

const downStep: PlanStep = { id: 'db-down-7', kind: 'database', title: 'Undo 7', why: 'x', commands: [{ command: 'true', where: 'local' }], destructive: true };

function plan(id: string, steps: PlanStep[]): RollbackPlan {
  return {
    id, environment: 'staging', where: 'local', strategy: 'revert', cwd: work,
    from: { name: 'v2.0.0', sha: 'b'.repeat(40) }, to: { name: 'v1.9.0', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'orders fail', affectedServices: [], createdAt: '2026-11-21T09:00:00.000Z', createdBy: 'tester', steps,
  };
}

function runner(failures: FailureState[]) {
  const prompter: Prompter = {
    chooseOnFailure: (_step, state) => { failures.push(state); return Promise.resolve({ action: 'stop' }); },
    confirmStep: () => Promise.resolve('run'),
    typeEnvironmentName: (env) => Promise.resolve(env),
  };
  return new RollbackRunner({ runnerFor: () => new LocalCommandRunner({ cwd: work }), journals: new FileJournalStore(join(work, 'journals')), prompter, http: new NodeHttp(), operator: 'dana@laptop' });
}

function checkFor(folder: string, maxAgeMs: number): PlanStep {
  return backupCheckStep({ verdicts: [], migrations: { backup: { list: `ls -1 ${folder}`, maxAgeMs } }, where: 'local', cwd: work });
}

test('a fresh backup passes the check, and the journal says which one and how old it is', async () => {
  const fresh = dumpName(20 * 60_000);
  const folder = backupsFolder('fresh', [dumpName(3 * 86_400_000), fresh, 'README.txt']);
  const r = await runner([]).run(plan('b-fresh', [checkFor(folder, 3_600_000), downStep]));
  assert.equal(r.success, true, r.state);
  assert.equal(r.journal.steps[0].detail, `newest backup ${fresh}, 20 minutes old`);
  assert.equal(r.journal.steps[1].outcome, 'ok');
});

test('a backup older than maxAge stops before the destructive step and says how old the newest is', async () => {
  const folder = backupsFolder('stale', [dumpName(3 * 86_400_000), dumpName(30 * 3_600_000)]);
  const failures: FailureState[] = [];
  const r = await runner(failures).run(plan('b-stale', [checkFor(folder, 24 * 3_600_000), downStep]));
  assert.equal(r.success, false);
  assert.equal(failures.length, 1, 'the operator is asked what to do');
  assert.match(failures[0].detail, /^the newest backup \(app-\d{8}-\d{6}\.dump\) is 30 hours old, older than migrations\.backup\.maxAge \(24 hours\)/);
  assert.equal(r.journal.steps[1].outcome, 'pending', 'the down step did not run');
});

test('a listing with no dated backup fails the check instead of passing it', async () => {
  const folder = backupsFolder('empty', ['README.txt']);
  const failures: FailureState[] = [];
  const r = await runner(failures).run(plan('b-none', [checkFor(folder, 3_600_000), downStep]));
  assert.equal(r.success, false);
  assert.match(failures[0].detail, /printed no backup with a date/);
  assert.equal(r.journal.steps[1].outcome, 'pending');
});
