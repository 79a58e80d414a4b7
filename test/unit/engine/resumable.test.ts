// What "Resume Rollback" offers and how it describes each run's progress.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { PlanStep } from '../../../src/core/plan/types';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { foreignOrigin, resumableRuns, runProgress, trackedByGit } from '../../../src/core/run/resumable';
import { renderResumeMarkdown } from '../../../src/core/run/resumePreview';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { git, tempDir } from './helpers';

function journal(runId: string, status: RollbackJournal['status'], startedAt: string, outcomes: Array<RollbackJournal['steps'][number]['outcome']>): RollbackJournal {
  return {
    version: 1, runId, operator: 'dana@laptop', decidedAt: startedAt, startedAt, status, events: [],
    plan: { id: runId, environment: 'staging', where: 'local', strategy: 'revert', from: { name: 'v2', sha: 'b'.repeat(40) }, to: { name: 'v1', sha: 'a'.repeat(40) }, targetSource: 'previous-tag', reason: 'x', affectedServices: [], createdAt: startedAt, createdBy: 'dana', steps: [] },
    steps: outcomes.map((outcome, i) => ({ stepId: `s${i}`, outcome, attempts: outcome === 'pending' ? 0 : 1 })),
  };
}

test('progress counts skipped steps as finished and says how many were skipped', () => {
  assert.equal(runProgress(journal('a', 'running', '2026-11-22T09:00:00Z', ['ok', 'skipped', 'ok', 'running', 'pending'])), '3/5 steps finished (1 skipped)');
  assert.equal(runProgress(journal('b', 'running', '2026-11-22T09:00:00Z', ['ok', 'unknown', 'pending'])), '1/3 steps finished');
  assert.equal(runProgress(journal('c', 'failed', '2026-11-22T09:00:00Z', ['failed'])), '0/1 steps finished');
});

test('resume offers interrupted, stopped and failed runs, newest first; never finished or abandoned ones', async () => {
  const tmp = tempDir('resumable');
  try {
    const store = new FileJournalStore(join(tmp.dir, 'journals'));
    await store.save(journal('old-stopped', 'stopped', '2026-11-20T09:00:00Z', ['ok']));
    await store.save(journal('new-running', 'running', '2026-11-22T09:00:00Z', ['running']));
    await store.save(journal('mid-failed', 'failed', '2026-11-21T09:00:00Z', ['failed']));
    await store.save(journal('done', 'succeeded', '2026-11-22T10:00:00Z', ['ok']));
    await store.save(journal('never-started', 'abandoned', '2026-11-22T11:00:00Z', ['pending']));
    assert.deepEqual((await resumableRuns(store)).map((j) => j.runId), ['new-running', 'mid-failed', 'old-stopped']);
  } finally {
    tmp.cleanup();
  }
});

test('a journal started by another operator, on another machine, or that came with the repository says so; our own says nothing', () => {
  const ours = { operator: 'dana@laptop', machine: 'laptop' };
  assert.deepEqual(foreignOrigin({ operator: 'dana@laptop', machine: 'laptop' }, ours), []);
  assert.deepEqual(foreignOrigin({ operator: 'sam@build-7', machine: 'build-7' }, ours), [
    'it was started by another operator, sam@build-7 (you are dana@laptop)',
    'it was started on another machine, build-7 (this one is laptop)',
  ]);
  // Journals from before the machine was recorded: the host part of the operator stands in.
  assert.deepEqual(foreignOrigin({ operator: 'dana@desktop' }, ours), ['it was started on another machine, desktop (this one is laptop)']);
  assert.deepEqual(foreignOrigin({ operator: 'dana' }, ours), ['it does not say which machine it was started on']);
  assert.match(foreignOrigin({ operator: 'dana@laptop', machine: 'laptop' }, { ...ours, trackedAs: '.rollback/journals/r1.json' })[0], /^its file \.rollback\/journals\/r1\.json is tracked by git: it came with the repository/);
});

test('a journal file committed to the repository is seen as tracked; one written by a run is not', async () => {
  const tmp = tempDir('tracked');
  try {
    git(tmp.dir, 'init', '-q');
    mkdirSync(join(tmp.dir, '.rollback', 'journals'), { recursive: true });
    writeFileSync(join(tmp.dir, '.rollback', 'journals', 'pulled.json'), '{}');
    writeFileSync(join(tmp.dir, '.rollback', 'journals', 'mine.json'), '{}');
    git(tmp.dir, 'add', '-f', '.rollback/journals/pulled.json');
    const runner = new LocalCommandRunner({ cwd: tmp.dir });
    assert.equal(await trackedByGit(runner, tmp.dir, '.rollback/journals/pulled.json'), true);
    assert.equal(await trackedByGit(runner, tmp.dir, '.rollback/journals/mine.json'), false);
    assert.equal(await trackedByGit(runner, join(tmp.dir, '..'), 'nowhere.json'), false, 'outside a repository: not tracked');
  } finally {
    tmp.cleanup();
  }
});

test('the resume preview names where the journal came from, what stays done, what is unknown and how it is settled, then the remaining steps as the rollback preview shows them', () => {
  const j = journal('r9', 'running', '2026-11-22T09:00:00Z', ['ok', 'running', 'unknown', 'pending']);
  const step = (id: string, extra: Partial<PlanStep> = {}): PlanStep => ({ id, kind: 'build', title: `Title ${id}`, why: 'x', commands: [{ command: `make ${id}`, where: 'local' }], destructive: false, ...extra });
  j.plan.steps = [step('s0'), step('s1', { alreadyDone: { command: 'test -e s1.done', where: 'local' } }), step('s2'), step('s3')];
  const md = renderResumeMarkdown(j, ['it was started on another machine, build-7 (this one is laptop)']);
  assert.match(md, /^# Resume run r9: staging → v1, 3 of 4 steps left/);
  assert.match(md, /This run was not started here\.\*\* Nothing runs unless you choose "Resume anyway":\n> - it was started on another machine, build-7/);
  assert.match(md, /## Done already \(not run again\)\n\n- Title s0: ok/);
  assert.match(md, /- Title s1: checked first with `test -e s1\.done`; runs again only if that says the effect is missing/);
  assert.match(md, /- Title s2: no check: you are asked whether to run it again, record it as done, or stop/);
  const remaining = md.slice(md.indexOf('## Steps'));
  assert.ok(remaining.includes('make s1') && remaining.includes('make s2') && remaining.includes('make s3'));
  assert.ok(!remaining.includes('make s0'), 'a finished step is not in the steps to run');
});
