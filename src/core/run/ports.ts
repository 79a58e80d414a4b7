import type { PlanStep, RollbackPlan, StepOutcome } from '../plan/types';
import type { LeftoverProcess, RollbackJournal, UnreadableJournal } from './journalTypes';
import type { AllClearBlocker } from '../verification/checks';

export type { VerificationRunnerDeps } from '../verification/ports';

/**
 * Where journals live. The Node implementation writes `<dir>/<runId>.json` durably (temp
 * file, fsync, rename, fsync of the folder): when save() resolves, a crash or power cut
 * keeps that state; when it rejects, the run stops (see JournalWriteError).
 */
export interface JournalStore {
  save(journal: RollbackJournal): Promise<void>;
  load(runId: string): Promise<RollbackJournal | undefined>;
  /** The journals that can be read. Those that cannot are in problems(), never silently dropped. */
  list(): Promise<RollbackJournal[]>;
  /** Files in the store that cannot be read as journals, each with the reason: Resume shows them. */
  problems(): Promise<UnreadableJournal[]>;
}

export type FailureDecision =
  | { action: 'retry' }
  | { action: 'skip'; reason: string }
  | { action: 'switch-to-checkout' }
  | { action: 'full-redeploy' }
  | { action: 'stop' };

/** What the user is told when a step fails, so they can choose the next move. */
export interface FailureState {
  plan: RollbackPlan;
  journal: RollbackJournal;
  outcome: StepOutcome;
  detail: string;
  outputTail: string;
  attempts: number;
  /** The step's own cleanup ran (e.g. `git revert --abort`): the repository is as it was before the step. */
  cleanedUp: boolean;
  /** The plan carries a checkout fallback for this step. */
  canSwitchToCheckout: boolean;
  /** The plan carries a full redeploy that would replace this step and the service steps after it. */
  canFullRedeploy: boolean;
}

/** What the operator is told about a step whose outcome the interrupted run did not record. */
export interface UnknownOutcomeInfo {
  plan: RollbackPlan;
  /** "running": the run died while the step ran; "unknown": it was cut off (lost connection, cancel, timeout on a host). */
  outcome: 'running' | 'unknown';
  /** When the step started (ISO), if recorded. */
  startedAt?: string;
  /** The commands the step runs, as "<where>$ <command>" lines. */
  commands: string[];
  /** What the journal knew: the detail of the cut, the leftover command that ended since. */
  detail?: string;
  /** The last output recorded for the step. */
  outputTail?: string;
  /** Why it cannot be checked: no check in the plan, or the check's own result when it could not tell. */
  whyNotChecked: string;
  attempts: number;
}

export type UnknownOutcomeAnswer = 'run-again' | 'mark-done' | 'stop';

/** Everything interactive the run needs; the VS Code layer implements it with quick picks and input boxes. */
export interface Prompter {
  chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision>;
  /** Steps with confirmEach (e.g. each down migration) ask before they run. */
  confirmStep(step: PlanStep, plan: RollbackPlan): Promise<'run' | 'skip' | 'stop'>;
  /** Manual steps: the operator does the work by hand and says so. Without it, confirmStep's "run" means done. */
  confirmManual?(step: PlanStep, plan: RollbackPlan): Promise<'done' | 'skip' | 'stop'>;
  /** Right before a destructive step runs (each attempt): return what the user typed (undefined = cancelled). */
  typeEnvironmentName(environment: string, destructiveSteps: PlanStep[]): Promise<string | undefined>;
  /**
   * On resume: the command a step was running when the run was interrupted is still running
   * (it outlived a crashed or closed window, or a lost SSH connection; `where` says which host). Wait for it, stop it, or stop the rollback.
   * Without this method the run waits.
   */
  commandStillRunning?(step: PlanStep, running: LeftoverProcess & { where: string }): Promise<'wait' | 'terminate' | 'stop'>;
  /**
   * On resume: a step was running (or cut off) when the run was interrupted, and whether it
   * took effect cannot be checked (no check in the plan, or the check could not run). Run it
   * again, record it as done (the operator looked), or stop. The answer and who gave it go
   * into the journal. Without this method the run stops there: it never re-runs such a step silently.
   */
  unknownOutcome?(step: PlanStep, info: UnknownOutcomeInfo): Promise<UnknownOutcomeAnswer>;
  /**
   * The all-clear is not earned: a verification check failed, was skipped or could not run.
   * Return the reason the operator typed for sending it anyway (it goes into the message, the
   * journal and the post-mortem), or undefined to withhold it. Without this method it is withheld.
   */
  allClearException?(blockers: AllClearBlocker[], plan: RollbackPlan): Promise<string | undefined>;
}

/**
 * Process groups, local or on a host: whether one still runs, and stopping it. With
 * `startTicks`, a group whose leader pid now belongs to a process started at another time
 * is gone (the kernel does not hand out a pid still in use as a group id), and is never signalled.
 */
export interface ProcessGroups {
  /** true / false, or why it cannot be told (the host does not answer). */
  isRunning(processGroup: number, startTicks?: string): Promise<boolean | string>;
  /** SIGTERM to the group, then SIGKILL if it is still there after `graceMs`. */
  terminate(processGroup: number, graceMs: number, startTicks?: string): Promise<void>;
}

/** Receives the structured lines `{"event":"rollback_start",…}` and `{"event":"rollback_end",…}`. */
export interface LogSink {
  log(line: string): void;
}

/** For the all-clear sent although not every check passed: which checks, and the operator's reason. */
export interface NotifyOptions {
  except?: { blockers: AllClearBlocker[]; reason: string };
}

/** Sends the notify steps' messages; without one, notify steps are recorded as skipped. */
export type Notifier = (step: PlanStep, plan: RollbackPlan, options?: NotifyOptions) => Promise<'sent' | 'copied' | 'skipped'>;
