import type { RollbackJournal } from './journalTypes';
import type { JournalStore } from './ports';

/** Runs a reload or crash interrupted, newest first: what "Resume Rollback" offers. */
export async function resumableRuns(store: JournalStore): Promise<RollbackJournal[]> {
  const all = await store.list();
  return all
    .filter((j) => j.status === 'running' || j.status === 'stopped' || j.status === 'failed')
    .sort((a, b) => (b.startedAt ?? b.decidedAt).localeCompare(a.startedAt ?? a.decidedAt));
}
