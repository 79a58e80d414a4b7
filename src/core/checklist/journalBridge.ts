import type { RollbackJournal, UnreadableJournal } from '../run/journalTypes';
import type { JournalStore } from '../run/ports';

/**
 * The engine and the checklist both write the same journal file. The engine keeps its
 * journal in memory and saves it whole, so a checklist written beside it would be
 * overwritten on the engine's next save. Give this store to the engine instead of the
 * plain one: every engine save carries the latest checklist, and a checklist save
 * writes onto the engine's latest journal, one write at a time.
 */
export class ChecklistJournalBridge implements JournalStore {
  private readonly latest = new Map<string, RollbackJournal>();
  private readonly checklists = new Map<string, unknown>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly inner: JournalStore) {}

  save(journal: RollbackJournal): Promise<void> {
    this.latest.set(journal.runId, journal);
    return this.enqueue(() => this.inner.save(this.withChecklist(journal)));
  }

  async load(runId: string): Promise<RollbackJournal | undefined> {
    const j = await this.inner.load(runId);
    return j && this.withChecklist(j);
  }

  async list(): Promise<RollbackJournal[]> {
    return (await this.inner.list()).map((j) => this.withChecklist(j));
  }

  problems(): Promise<UnreadableJournal[]> {
    return this.inner.problems();
  }

  /** The journal the engine saved last for a run, without a disk read (the engine saves before it emits run-started). */
  latestJournal(runId: string): RollbackJournal | undefined {
    return this.latest.get(runId);
  }

  /**
   * Stores the checklist of a run. Before the engine's first save of a new run there is
   * no journal yet: the checklist waits and goes out with that save.
   */
  async saveChecklist(runId: string, checklist: unknown): Promise<void> {
    this.checklists.set(runId, checklist);
    const base = this.latest.get(runId) ?? (await this.inner.load(runId));
    if (!base) return;
    if (!this.latest.has(runId)) this.latest.set(runId, base);
    await this.enqueue(() => this.inner.save(this.withChecklist(this.latest.get(runId) ?? base)));
  }

  private withChecklist(journal: RollbackJournal): RollbackJournal {
    return this.checklists.has(journal.runId) ? { ...journal, checklist: this.checklists.get(journal.runId) } : journal;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.queue.then(write, write);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
