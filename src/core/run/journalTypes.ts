import type { DecisionRecord } from '../decision/record';
import type { RollbackPlan, StepOutcome } from '../plan/types';
import type { JournalLogWatch } from '../logs/types';
import type { CheckEntryResult } from '../verification/types';

/**
 * The durable record of one rollback. Written after every state change (temp file +
 * rename) so a reload or crash can resume, and read later by the post-mortem and the
 * read-only history. `version` lets a newer extension read an older journal.
 */
export interface RollbackJournal {
  version: 1;
  runId: string;
  plan: RollbackPlan;
  /** Who ran it (OS user, git user.name) and from which machine. */
  operator: string;
  /**
   * The machine (host name) the run was started on, recorded when it starts: a resume on
   * another machine, or of a journal that came with the repository, says so before anything
   * runs. Absent in journals written before it was recorded (then the host part of `operator`).
   */
  machine?: string;
  decidedAt: string;
  /**
   * How the decision was reached: when it was asked, the triggers offered, each brief
   * investigation and how it ended, what changed (core/decision/record.ts). Absent in journals
   * written before it was recorded, and for runs not decided through the question (plan files).
   */
  decision?: DecisionRecord;
  startedAt?: string;
  finishedAt?: string;
  status: 'planned' | 'running' | 'stopped' | 'succeeded' | 'failed' | 'abandoned';
  steps: JournalStep[];
  /** Free-form timeline entries from other parts (notifications sent, checklist items, lock events). */
  events: JournalEvent[];
  /** The checklist's own state, owned by the checklist model. */
  checklist?: unknown;
  /** Where the user's uncommitted work went, if anything was stashed. */
  stash?: { ref: string; message: string; restoreHint: string };
}

export interface JournalStep {
  stepId: string;
  outcome: StepOutcome;
  startedAt?: string;
  finishedAt?: string;
  /** Last ~4 KiB of combined output. */
  outputTail?: string;
  detail?: string;
  /** Set when a user skipped the step, with their reason. */
  skippedReason?: string;
  /** Log watching: the baselines the start step counted, and a log check's verdict with its counts. */
  logWatch?: JournalLogWatch;
  /** A check step's own results, one per check it made (each step of a smoke flow), of its last attempt. */
  results?: CheckEntryResult[];
  attempts: number;
  /**
   * The command this step is running, from its start to its end (and after it, when the
   * connection to its host was lost). A command outlives the extension host that started it
   * (its own process group) and the SSH connection that carried it (its own session on the
   * host), so after a crash or a cut this is how a resume finds it still running instead of
   * starting a second copy. `where` is "local" or the SSH destination (absent in journals
   * written before remote commands were tracked: local).
   */
  process?: LeftoverProcess;
}

export interface JournalEvent {
  at: string;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

/** A step's command as the journal knows it while it runs (see JournalStep.process). */
export interface LeftoverProcess {
  processGroup: number;
  command: string;
  /** "local" or the SSH destination; absent in journals from before remote commands were tracked. */
  where?: string;
  /** The group leader's start time in clock ticks since boot (Linux), to tell it from a later process with the same pid. */
  startTicks?: string;
}

/** A file in the journal folder that cannot be read as a journal (torn, empty, not JSON, another version): shown, never dropped. */
export interface UnreadableJournal {
  /** The file, as the store names it (an absolute path for the file store). */
  file: string;
  /** Why it cannot be read, e.g. "not valid JSON (Unexpected end of JSON input)". */
  reason: string;
}
