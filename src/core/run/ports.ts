import type { PlanStep, RollbackPlan, StepOutcome } from '../plan/types';
import type { RollbackJournal } from './journalTypes';

/** Where journals live. The Node implementation writes `<dir>/<runId>.json` via temp file + rename. */
export interface JournalStore {
  save(journal: RollbackJournal): Promise<void>;
  load(runId: string): Promise<RollbackJournal | undefined>;
  list(): Promise<RollbackJournal[]>;
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

/** Everything interactive the run needs; the VS Code layer implements it with quick picks and input boxes. */
export interface Prompter {
  chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision>;
  /** Steps with confirmEach (e.g. each down migration) ask before they run. */
  confirmStep(step: PlanStep, plan: RollbackPlan): Promise<'run' | 'skip' | 'stop'>;
  /** Manual steps: the operator does the work by hand and says so. Without it, confirmStep's "run" means done. */
  confirmManual?(step: PlanStep, plan: RollbackPlan): Promise<'done' | 'skip' | 'stop'>;
  /** Before a plan with destructive steps starts: return what the user typed (undefined = cancelled). */
  typeEnvironmentName(environment: string, destructiveSteps: PlanStep[]): Promise<string | undefined>;
  /**
   * On resume: the command a step was running when the run was interrupted is still running
   * (it outlived a crashed or closed window, or a lost SSH connection; `where` says which host). Wait for it, stop it, or stop the rollback.
   * Without this method the run waits.
   */
  commandStillRunning?(step: PlanStep, running: { processGroup: number; command: string; where: string }): Promise<'wait' | 'terminate' | 'stop'>;
}

/** Local processes by process group: whether one still runs, and stopping it. */
export interface LocalProcesses {
  isRunning(processGroup: number): boolean;
  /** SIGTERM to the group, then SIGKILL if it is still there after `graceMs`. */
  terminate(processGroup: number, graceMs: number): Promise<void>;
}

/** Receives the structured lines `{"event":"rollback_start",…}` and `{"event":"rollback_end",…}`. */
export interface LogSink {
  log(line: string): void;
}

/** Sends the notify steps' messages; without one, notify steps are recorded as skipped. */
export type Notifier = (step: PlanStep, plan: RollbackPlan) => Promise<'sent' | 'copied' | 'skipped'>;
