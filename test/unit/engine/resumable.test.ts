// What "Resume Rollback" offers and how it describes each run's progress.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { resumableRuns, runProgress } from '../../../src/core/run/resumable';
import { FileJournalStore } from '../../../src/infra/shell/fileJournalStore';
import { tempDir } from './helpers';

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
