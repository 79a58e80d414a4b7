// What a step kind needs from the run that executes it: the runner builds one of these per
// step (RollbackRunner.stepContext), so each kind is a plain function in its own file.
import type { Clock, ExecOptions, ExecResult, HttpPort } from '../../ports';
import type { PlanCommand, StepOutcome } from '../../plan/types';
import type { RollbackEvents } from '../events';
import type { JournalStep, RollbackJournal } from '../journalTypes';
import type { Notifier, Prompter } from '../ports';
import type { VerificationPort } from '../../verification/ports';

/** How much output a step keeps in the journal. */
export const TAIL = 4096;

export function tail(text: string): string {
  return text.length > TAIL ? text.slice(-TAIL) : text;
}

/** One attempt of a step: its outcome, why, and the output tail. */
export interface StepRun {
  outcome: StepOutcome;
  detail: string;
  output: string;
}

export interface StepContext {
  journal: RollbackJournal;
  /** The step's journal record (a running command's process group is kept there for a resume). */
  js: JournalStep;
  clock: Clock;
  http: HttpPort;
  events?: RollbackEvents;
  notify?: Notifier;
  /** The all-clear's question when a check did not pass (Prompter.allClearException). */
  prompter?: Pick<Prompter, 'allClearException'>;
  /** Secrets a check's headers name, and the product's redactor (verification/ports.ts). */
  verification?: VerificationPort;
  signal?: AbortSignal;
  commandTimeoutMs: number;
  /** `signal` ends this command alone (a log stream in the background); the run's own cancel ends it too. */
  exec(cmd: PlanCommand, onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void, onStarted?: ExecOptions['onStarted'], signal?: AbortSignal): Promise<ExecResult>;
  /** Writes the journal (in order with the run's other saves). */
  save(): Promise<void>;
}
