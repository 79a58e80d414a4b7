import type { CommandRunner } from '../ports';
import { shQuote } from '../plan/shellQuote';
import type { RollbackJournal, UnreadableJournal } from './journalTypes';
import type { JournalStore } from './ports';

/** Runs a reload or crash interrupted, newest first: what "Resume Rollback" offers. */
export async function resumableRuns(store: JournalStore): Promise<RollbackJournal[]> {
  const all = await store.list();
  return all
    .filter((j) => j.status === 'running' || j.status === 'stopped' || j.status === 'failed')
    .sort((a, b) => (b.startedAt ?? b.decidedAt).localeCompare(a.startedAt ?? a.decidedAt));
}

/** What Resume shows: the runs it can continue, and the journal files it cannot read (with the reason), never dropped. */
export async function resumeListing(store: JournalStore): Promise<{ runs: RollbackJournal[]; unreadable: UnreadableJournal[] }> {
  return { runs: await resumableRuns(store), unreadable: await store.problems() };
}

/** "8/12 steps finished (1 skipped)": skipped steps are finished too, and a resume will not run them. */
export function runProgress(journal: Pick<RollbackJournal, 'steps'>): string {
  const skipped = journal.steps.filter((s) => s.outcome === 'skipped').length;
  const finished = journal.steps.filter((s) => s.outcome === 'ok').length + skipped;
  return `${finished}/${journal.steps.length} steps finished${skipped ? ` (${skipped} skipped)` : ''}`;
}

/** Where the resume happens: who is at the keyboard, on which machine, and whether the journal file is tracked by git. */
export interface ResumeHere {
  /** "user@machine", as operatorName() records it. */
  operator: string;
  machine: string;
  /** The journal file is in the repository's index (it came with a clone or a pull): its path, relative to the repository. */
  trackedAs?: string;
}

const userOf = (operator: string): string => (operator.includes('@') ? operator.slice(0, operator.lastIndexOf('@')) : operator);
const machineOf = (journal: Pick<RollbackJournal, 'machine' | 'operator'>): string | undefined =>
  journal.machine ?? (journal.operator.includes('@') ? journal.operator.slice(journal.operator.lastIndexOf('@') + 1) : undefined);

/**
 * Why this journal is not the record of a run started here: another operator, another
 * machine, or a file that came with the repository. Empty when it is ours. A journal
 * marked "running" that arrived with a `git pull` describes someone else's run on someone
 * else's target: resuming it blind would run their remaining steps.
 */
export function foreignOrigin(journal: Pick<RollbackJournal, 'machine' | 'operator'>, here: ResumeHere): string[] {
  const out: string[] = [];
  if (userOf(journal.operator) !== userOf(here.operator)) out.push(`it was started by another operator, ${journal.operator} (you are ${here.operator})`);
  const machine = machineOf(journal);
  if (machine === undefined) out.push('it does not say which machine it was started on');
  else if (machine !== here.machine) out.push(`it was started on another machine, ${machine} (this one is ${here.machine})`);
  if (here.trackedAs) out.push(`its file ${here.trackedAs} is tracked by git: it came with the repository (a clone or a pull), not from a run in this window`);
  return out;
}

/**
 * Whether the journal file is in the repository's index: one that came with a clone or a
 * pull is the record of someone else's run. Not a repository, or git missing: false.
 */
export async function trackedByGit(runner: CommandRunner, repo: string, file: string): Promise<boolean> {
  const r = await runner.run(`git ls-files --error-unmatch -- ${shQuote(file)}`, { cwd: repo, timeoutMs: 15_000 }).catch(() => undefined);
  return r?.code === 0 && !r.lost;
}
