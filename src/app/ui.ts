// What the application layer needs from a front end: questions (Prompter) and showing
// (Presenter). VS Code answers with quick picks, modals and editors (src/vscode), the
// terminal with readline (src/cli), the tests with scripted answers. Nothing here draws.
import type { EnvironmentChoice } from '../core/config/environmentOrder';
import type { UndoChoice, UndoPath } from '../core/database';
import type { InvestigationPageInfo } from '../core/decision/page';
import type { Cause, CauseChoice, ConfigRemedy } from '../core/decision/tree';
import type { RollbackPlan } from '../core/plan/types';
import type { Release } from '../core/releases';
import type { RollbackJournal, UnreadableJournal } from '../core/run/journalTypes';
import type { Prompter as RunPrompter } from '../core/run/ports';
import type { HostKeyPrompt } from '../infra/ssh/hostKeyPrompt';

/** 'investigate': runbook 000's "roll back after brief investigation (~5 minutes max)": a timer, then the question again. */
export type Decision = 'roll-back' | 'roll-forward' | 'investigate';

/**
 * Every question a rollback asks the operator: the engine's own (failure, confirm each,
 * the environment name typed before a destructive step, unknown outcomes), the SSH host
 * key, and the flow's (decision, reason, environment, target, database undo, the plan).
 */
export interface Prompter extends RunPrompter, HostKeyPrompt {
  /** `triggers`: lines that may arrive while the question is open, e.g. "api: 47 errors in the last 5 minutes, 3 in the hour before" (app/errorSpikes.ts). */
  decide(triggers?: Promise<string[]>): Promise<Decision | undefined>;
  reason(defaultReason?: string): Promise<string | undefined>;
  /** Choices in the order to show (orderEnvironments: where each goes, what runs there); returns the environment's name. */
  pickEnvironment(choices: EnvironmentChoice[]): Promise<string | undefined>;
  pickRelease(releases: Release[], title: string): Promise<Release | undefined>;
  /** Before planning, when the bad release's migrations can be undone either way: down steps or the backup. */
  chooseDatabaseUndo(choice: UndoChoice, environment: string): Promise<UndoPath | undefined>;
  /** Asked with the preview shown: true to run exactly this plan. */
  confirmPlan(plan: RollbackPlan): Promise<boolean>;
  /** The same question with "Rehearse first" beside it (offered when the plan has database steps to rehearse); without it, confirmPlan is asked. */
  confirmPlanOrRehearse?(plan: RollbackPlan): Promise<'run' | 'rehearse' | undefined>;
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  /** The decision tree (core/decision): what changed, so the plan fits it. Without it the cause is the code. */
  chooseCause?(choices: CauseChoice[]): Promise<Cause | undefined>;
  /** The configuration branch: restore the config files and recreate the services, or restart them as they are. */
  chooseConfigRemedy?(hasConfigFiles: boolean): Promise<ConfigRemedy | undefined>;
}

/** The two messages every front end shows; an error may offer actions (VS Code: buttons) and returns the one picked. */
export interface Messages {
  info(message: string): void;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
  /**
   * rollback.yml has errors: said for as long as it has them (VS Code: a notice with a link
   * to the file that closes itself once they are fixed). Without it, `error` says it.
   */
  configErrors?(message: string): void;
}

/**
 * The questions plus the two messages: the shape the VS Code dialogs and the integration
 * suite's scripted dialogs implement (one object, so a test records what was asked and shown).
 */
export interface RollbackDialogs extends Prompter, Messages {}

/** How a running rollback is stopped, handed to the presenter while it shows the progress. */
export interface StopControl {
  /** The title of the step running now, if any. */
  running(): string | undefined;
  /** The running step finishes; nothing after it starts. */
  afterStep(): void;
  /** The running command is killed part way (its outcome is then unknown). */
  now(): void;
}

/** A document to show: the plan preview (exactly the text the digest was taken of), and for git strategies the code change. */
export interface PreviewDocument {
  text: string;
  diff?: { title: string; text: () => Promise<string> };
}

/** What a front end shows; the flow never draws itself. */
export interface Presenter extends Messages {
  /**
   * A brief investigation: a visible timer of `lengthMs` from `startedAt` (VS Code: the status
   * bar and the checklist). Resolves when it is over or the operator decides earlier
   * ('decide'), chooses the rollback there ('roll-back': not asked again), or gives up on it
   * ('cancelled'). Without it, the decision is asked again at once. `page`: the triggers and
   * the logs to show beside the countdown.
   */
  investigate?(lengthMs: number, startedAt: number, page?: InvestigationPageInfo): Promise<'decide' | 'roll-back' | 'cancelled'>;
  warn(message: string): void;
  showPreview(doc: PreviewDocument): Promise<void>;
  /** Opens a file of the workspace (rollback.yml with errors, an unreadable journal), by absolute path. */
  openFile(absPath: string): Promise<void>;
  /** Shows the run's progress while `work` runs; a stop the operator asks for goes through `stop`. */
  progress<T>(title: string, work: (report: (message: string, increment: number) => void) => Promise<T>, stop: StopControl): Promise<T>;
  /** Which interrupted run to resume, when there are several (or unreadable files beside one). */
  pickRun(runs: RollbackJournal[], unreadable: UnreadableJournal[]): Promise<{ journal: RollbackJournal } | { unreadable: UnreadableJournal } | undefined>;
  /** A run ended without finishing: say so and how to continue it (VS Code: a Resume Rollback button). */
  runDidNotFinish(message: string, runId: string): Promise<void>;
}

/** The question-and-answer side and the showing side a flow is driven with. */
export interface FlowUi {
  prompter: Prompter;
  presenter: Presenter;
}
