// Keeps ReleaseRecords in memory and in storage (the VS Code layer gives a file storage
// for `.rollback/records.json`). Updates are serialised and re-read the stored text first,
// so two commands in a row, or another window, do not lose each other's writes.
// A store can also carry the team's copy on the chosen environment's target (another
// RecordsStore over the target's runner): what it shows is both together (mergeRecords),
// the target is read only when asked (refreshTarget: never an SSH connection on a view's
// open), and every change goes to both, the local file first.
import {
  emptyRecords,
  markBad,
  mergeRecords,
  NewerRecordsError,
  RecordsConflictError,
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

/** The change was saved locally but not in the team's copy on the target (the message says where and why). */
export class TargetRecordsError extends Error {
  override readonly name = 'TargetRecordsError';
}

/** A compare-and-swap write that lost to another writer is re-read and applied again, this many times in all. */
const WRITE_ATTEMPTS = 4;

export class RecordsStore {
  private current: ReleaseRecords = emptyRecords();
  private team?: { environment: string; store: RecordsStore; read: boolean };
  private lastProblem: RecordsError | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(records: ReleaseRecords) => void>();

  constructor(private readonly storage: RecordsStorage) {}

  /** Local records and, once read, the attached target's (see mergeRecords). */
  get records(): ReleaseRecords {
    return this.shown(this.current);
  }

  /** Where the stored records live (the local file; the target's copy is `targetLocation`). */
  get location(): string {
    return this.storage.location;
  }

  /** The reason the stored records (local, or the target's) could not be read, if they could not; the store then works without them. */
  get problem(): RecordsError | undefined {
    const target = this.team?.store.problem;
    if (!target) return this.lastProblem;
    if (!this.lastProblem) return target;
    return new RecordsError(`${this.lastProblem.message}; ${target.message}`, this.storage.location);
  }

  /** The environment whose target records are attached, and where they are. */
  get target(): { environment: string; location: string; read: boolean } | undefined {
    return this.team && { environment: this.team.environment, location: this.team.store.location, read: this.team.read };
  }

  /**
   * Attaches the team's records on an environment's target (or detaches with undefined).
   * Nothing is read here: refreshTarget does that, when the user planned a rollback or asked.
   * Attaching the same environment and location again keeps what was read.
   */
  attachTarget(environment: string | undefined, storage?: RecordsStorage): void {
    if (!environment || !storage) {
      this.team = undefined;
      return;
    }
    if (this.team && this.team.environment === environment && this.team.store.location === storage.location) return;
    this.team = { environment, store: new RecordsStore(storage), read: false };
  }

  /** Reads the attached target's records (over its connection). Never rejects: a problem becomes `problem`. */
  async refreshTarget(): Promise<ReleaseRecords> {
    const team = this.team;
    if (team) {
      await team.store.load();
      team.read = true;
      for (const l of this.listeners) l(this.records);
    }
    return this.records;
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
      return this.shown(records);
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

  /** Sets the outcome where the deploy is recorded (here, on the target, or both); rejects only when neither has it. */
  async setDeployOutcome(environment: string, sha: string, outcome: 'ok' | 'unverified' | 'rolled-back'): Promise<ReleaseRecords> {
    const has = (r: ReleaseRecords) => r.deploys.some((d) => d.environment === environment && d.sha === sha);
    const change = (r: ReleaseRecords) => setDeployOutcome(r, environment, sha, outcome);
    const team = this.team;
    if (!has(this.current) && !(team && has(team.store.current))) return this.update(change);
    if (has(this.current)) await this.updateHere(change);
    if (team && has(team.store.current)) await this.toTarget(team, change);
    return this.records;
  }

  /**
   * Applies `change` to the freshly read records and stores the result, here and then in the
   * attached target's copy. Rejects on invalid input or a failed local write; a failed target
   * write rejects with TargetRecordsError after the local one was kept.
   */
  async update(change: (records: ReleaseRecords) => ReleaseRecords): Promise<ReleaseRecords> {
    await this.updateHere(change);
    const team = this.team;
    if (team) await this.toTarget(team, change);
    return this.records;
  }

  private async toTarget(team: NonNullable<RecordsStore['team']>, change: (records: ReleaseRecords) => ReleaseRecords): Promise<void> {
    try {
      await team.store.updateHere(change);
      team.read = true;
    } catch (e) {
      throw new TargetRecordsError(`Saved in ${this.storage.location}, but not in the team's records on the target: ${(e as Error).message}`);
    } finally {
      for (const l of this.listeners) l(this.records);
    }
  }

  private shown(local: ReleaseRecords): ReleaseRecords {
    const team = this.team;
    return team?.read ? mergeRecords(local, team.store.current, team.store.location) : local;
  }

  /** The update of this store's own storage: re-read, change, compare-and-swap write (again when another writer won). */
  private updateHere(change: (records: ReleaseRecords) => ReleaseRecords): Promise<ReleaseRecords> {
    return this.enqueue(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.writeOnce(change);
        } catch (e) {
          if (!(e instanceof RecordsConflictError) || attempt >= WRITE_ATTEMPTS) throw e;
        }
      }
    });
  }

  private async writeOnce(change: (records: ReleaseRecords) => ReleaseRecords): Promise<ReleaseRecords> {
    const { records, corrupt, unreadable } = await this.readStored();
    // Records that could not be read are never replaced by a file holding only this change.
    if (unreadable) throw new RecordsError(`Nothing was written: ${this.lastProblem?.message ?? this.storage.location}`, this.storage.location);
    if (this.lastProblem instanceof NewerRecordsError) {
      // Moving it aside would hide the newer version's records from everyone who runs it.
      throw new RecordsError(`Nothing was written: ${this.lastProblem.message}`, this.storage.location);
    }
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
    for (const l of this.listeners) l(this.records);
    return next;
  }

  private async readStored(): Promise<{ records: ReleaseRecords; corrupt: boolean; unreadable?: boolean }> {
    let text: string | undefined;
    try {
      text = await this.storage.read();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.lastProblem = new RecordsError(`${this.storage.location}: cannot read (${msg})`, this.storage.location);
      return { records: emptyRecords(), corrupt: false, unreadable: true };
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
