import type { RollbackJournal } from './journalTypes';
import type { JournalStore } from './ports';

/** Runs a reload or crash interrupted, newest first: what "Resume Rollback" offers. */
export async function resumableRuns(store: JournalStore): Promise<RollbackJournal[]> {
  const all = await store.list();
  return all
    .filter((j) => j.status === 'running' || j.status === 'stopped' || j.status === 'failed')
    .sort((a, b) => (b.startedAt ?? b.decidedAt).localeCompare(a.startedAt ?? a.decidedAt));
}

/** "8/12 steps finished (1 skipped)": skipped steps are finished too, and a resume will not run them. */
export function runProgress(journal: Pick<RollbackJournal, 'steps'>): string {
  const skipped = journal.steps.filter((s) => s.outcome === 'skipped').length;
  const finished = journal.steps.filter((s) => s.outcome === 'ok').length + skipped;
  return `${finished}/${journal.steps.length} steps finished${skipped ? ` (${skipped} skipped)` : ''}`;
}
