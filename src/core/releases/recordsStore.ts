// Keeps ReleaseRecords in memory and in storage (the VS Code layer gives a file storage
// for `.rollback/records.json`). Updates are serialised and re-read the stored text first,
// so two commands in a row, or another window, do not lose each other's writes.
import {
  emptyRecords,
  markBad,
  parseRecords,
  recordDeploy,
  RecordsError,
  serializeRecords,
  setDeployOutcome,
  setSnapshot,
  unmarkBad,
  type BadMark,
  type DeployRecord,
  type ReleaseRecords,
} from './records';

export interface RecordsStorage {
  /** Where the records live, for messages (e.g. the file path). */
  readonly location: string;
  /** The stored text, or undefined when nothing is stored yet. */
  read(): Promise<string | undefined>;
  /** Replaces the stored text atomically (a reader never sees half a file). */
  write(text: string): Promise<void>;
  /** Moves the current (corrupt) content aside; returns where it went. */
  moveAside(): Promise<string>;
}

export class RecordsStore {
  private current: ReleaseRecords = emptyRecords();
  private lastProblem: RecordsError | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(records: ReleaseRecords) => void>();

  constructor(private readonly storage: RecordsStorage) {}

  get records(): ReleaseRecords {
    return this.current;
  }

  /** The reason the stored records could not be read, if they could not; the store then works on empty records. */
  get problem(): RecordsError | undefined {
    return this.lastProblem;
  }

  onDidChange(listener: (records: ReleaseRecords) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the storage. Never rejects: a corrupt or unreadable file becomes `problem` and empty records. */
  load(): Promise<ReleaseRecords> {
    return this.enqueue(async () => {
      const { records } = await this.readStored();
      this.current = records;
      return records;
    });
  }

  recordDeploy(deploy: DeployRecord): Promise<ReleaseRecords> {
    return this.update((r) => recordDeploy(r, deploy));
  }

  markBad(mark: BadMark): Promise<ReleaseRecords> {
    return this.update((r) => markBad(r, mark));
  }

  unmarkBad(sha: string): Promise<ReleaseRecords> {
    return this.update((r) => unmarkBad(r, sha));
  }

  setSnapshot(sha: string | undefined): Promise<ReleaseRecords> {
    return this.update((r) => setSnapshot(r, sha));
  }

  setDeployOutcome(environment: string, sha: string, outcome: 'ok' | 'rolled-back'): Promise<ReleaseRecords> {
    return this.update((r) => setDeployOutcome(r, environment, sha, outcome));
  }

  /** Applies `change` to the freshly read records and stores the result. Rejects on invalid input or a failed write. */
  update(change: (records: ReleaseRecords) => ReleaseRecords): Promise<ReleaseRecords> {
    return this.enqueue(async () => {
      const { records, corrupt } = await this.readStored();
      const next = change(records);
      if (corrupt) {
        // Keep what the user had: the corrupt file goes aside, never under our write.
        const aside = await this.storage.moveAside();
        this.lastProblem = new RecordsError(
          `${this.storage.location} could not be read and was moved to ${aside}; a new one was started. (${this.lastProblem?.message ?? 'corrupt'})`,
          this.storage.location,
        );
      }
      await this.storage.write(serializeRecords(next));
      if (!corrupt) this.lastProblem = undefined;
      this.current = next;
      for (const l of this.listeners) l(next);
      return next;
    });
  }

  private async readStored(): Promise<{ records: ReleaseRecords; corrupt: boolean }> {
    let text: string | undefined;
    try {
      text = await this.storage.read();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.lastProblem = new RecordsError(`${this.storage.location}: cannot read (${msg})`, this.storage.location);
      return { records: emptyRecords(), corrupt: false };
    }
    if (text === undefined) {
      this.lastProblem = undefined;
      return { records: emptyRecords(), corrupt: false };
    }
    try {
      const records = parseRecords(text, this.storage.location);
      this.lastProblem = undefined;
      return { records, corrupt: false };
    } catch (e) {
      this.lastProblem =
        e instanceof RecordsError ? e : new RecordsError(`${this.storage.location}: ${String(e)}`, this.storage.location);
      return { records: emptyRecords(), corrupt: true };
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
