import type { Clock, CommandRunner, ExecOptions, ExecResult, HttpPort } from '../ports';
import type { DecisionRecord } from '../decision/record';
import { planDigest } from '../plan/planner';
import type { PlanCommand, PlanStep, RollbackPlan, StepOutcome } from '../plan/types';
import type { RollbackEvents } from './events';
import type { JournalEvent, JournalStep, RollbackJournal } from './journalTypes';
import { lockAtRunStart } from './lockAtStart';
import { lockAtRunEnd } from './lockAtEnd';
import { durableState, JournalWriteError, type DurableState } from './journalWrites';
import type { FailureDecision, JournalStore, LogSink, Notifier, ProcessGroups, Prompter, VerificationRunnerDeps } from './ports';
import { switchToCheckout, switchToFullRedeploy, type SwitchContext } from './planSwitch';
import { RemoteProcessGroups } from './remoteProcesses';
import { settleInterruptedStep, type ResumeContext } from './resumeCheck';
import { realClock } from './realClock';
import { runStepOfKind } from './steps';
import { recordStash } from './steps/stash';
import { tail, type StepContext, type StepRun } from './steps/context';

const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;
/** How often the user may retry one step before we stop asking. */
const MAX_ATTEMPTS = 20;

export interface RunnerDeps extends VerificationRunnerDeps {
  /** Creates the runner of one target ("local" or the SSH destination); called once per target per run. */
  runnerFor(where: string): CommandRunner;
  journals: JournalStore;
  prompter: Prompter;
  http: HttpPort;
  events?: RollbackEvents;
  clock?: Clock;
  log?: LogSink;
  notify?: Notifier;
  /** "user@machine" recorded in the journal and the lock. */
  operator: string;
  /** This machine's name, recorded in the journal when a run starts (see RollbackJournal.machine). */
  machine?: string;
  /** Finds local commands that outlived an interrupted run; without it a resume cannot tell and runs the step again. */
  processes?: ProcessGroups;
}

export interface RunOptions {
  /** Stop now: the running command is killed (its step ends "unknown"). */
  signal?: AbortSignal;
  /** Stop after this step: the running step finishes, nothing after it starts. */
  stopAfterStep?: AbortSignal;
  /** planDigest() of the plan the user previewed; the run refuses a plan that differs. */
  expectedDigest?: string;
  /** When the rollback was decided (the checklist's timer starts here). */
  decidedAt?: string;
  /** How it was decided (asked, triggers, investigations, cause): kept in the journal for the post-mortem. */
  decision?: DecisionRecord;
}

export interface RunResult {
  success: boolean;
  journal: RollbackJournal;
  /** One sentence on where everything stands, for the notification and the status bar. */
  state: string;
}

export class RunRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/** Work only a person can do: no command, and it matters (confirmed or destructive). */
function isManual(step: PlanStep): boolean {
  return step.manual ?? (step.commands.length === 0 && !step.health && step.kind !== 'notify' && step.kind !== 'wait' && (!!step.confirmEach || step.destructive));
}

/** Executes a RollbackPlan step by step, journaling every state change. */
export class RollbackRunner {
  private readonly clock: Clock;
  private readonly runners = new Map<string, CommandRunner>();

  constructor(private readonly deps: RunnerDeps) {
    this.clock = deps.clock ?? realClock;
  }

  /** Starts a new run of a previewed plan. */
  async run(plan: RollbackPlan, options: RunOptions = {}): Promise<RunResult> {
    if (options.expectedDigest && options.expectedDigest !== planDigest(plan)) {
      throw new RunRefusedError('The plan changed since it was previewed; preview it again before running.');
    }
    const now = new Date(this.clock.now()).toISOString();
    const journal: RollbackJournal = {
      version: 1,
      runId: plan.id,
      plan,
      operator: this.deps.operator,
      ...(this.deps.machine ? { machine: this.deps.machine } : {}),
      decidedAt: options.decidedAt ?? now,
      ...(options.decision ? { decision: options.decision } : {}),
      status: 'planned',
      steps: plan.steps.map((s) => ({ stepId: s.id, outcome: 'pending', attempts: 0 })),
      events: [],
    };
    return this.execute(journal, options, false);
  }

  /** Continues a journaled run: finished steps are not run again; unknown ones are re-checked first. */
  async resume(journal: RollbackJournal, options: RunOptions = {}): Promise<RunResult> {
    if (journal.status === 'succeeded') throw new RunRefusedError(`Run ${journal.runId} already succeeded; nothing to resume.`);
    const copy = structuredClone(journal);
    this.event(copy, 'resumed', `Resumed by ${this.deps.operator}${this.deps.machine ? ` on ${this.deps.machine}` : ''}`, { operator: this.deps.operator, ...(this.deps.machine ? { machine: this.deps.machine } : {}) });
    return this.execute(copy, options, true);
  }

  private runnerFor(where: string): CommandRunner {
    let r = this.runners.get(where);
    if (!r) {
      r = this.deps.runnerFor(where);
      this.runners.set(where, r);
    }
    return r;
  }

  private event(journal: RollbackJournal, kind: string, message: string, data?: Record<string, unknown>): void {
    const e: JournalEvent = { at: new Date(this.clock.now()).toISOString(), kind, message, ...(data ? { data } : {}) };
    journal.events.push(e);
  }

  private saveQueue: Promise<void> = Promise.resolve();
  /** What the last save that succeeded put on disk; the first failed save; whether the run has stopped writing. */
  private durable?: DurableState;
  private writeFailure?: JournalWriteError;
  private writesStopped = false;

  /**
   * Writes the journal; writes happen one at a time and in order, so an older state never lands
   * last. After a write failed, every later save fails with it (the run stops at its next save),
   * and once the run has stopped nothing more is written: the file keeps the last durable state
   * the failure message describes.
   */
  private save(journal: RollbackJournal): Promise<void> {
    if (this.writesStopped) return Promise.resolve();
    if (this.writeFailure) return Promise.reject(this.writeFailure);
    const write = this.saveQueue.then(() => {
      if (this.writeFailure) throw this.writeFailure;
      const state = durableState(journal, this.clock.now());
      return this.deps.journals.save(journal).then(
        () => void (this.durable = state),
        (e: Error) => {
          throw (this.writeFailure ??= new JournalWriteError(e, this.durable, journal));
        },
      );
    });
    // One failed write must not block the later ones; its own caller sees the error.
    this.saveQueue = write.catch(() => undefined);
    return write;
  }

  private async execute(journal: RollbackJournal, options: RunOptions, resuming: boolean): Promise<RunResult> {
    const plan = journal.plan;
    const started = this.clock.now();
    const lockTarget = { runner: this.runnerFor(plan.where), cwd: plan.cwd ?? '.', environment: plan.environment };
    let locked = false;
    let state = '';
    let success = false;
    try {
      const now = () => new Date(this.clock.now()).toISOString();
      const start = await lockAtRunStart(lockTarget, { who: this.deps.operator, since: now(), runId: journal.runId }, journal, { event: (k, m, d) => this.event(journal, k, m, d), save: () => this.save(journal), now, resuming });
      locked = start.locked;
      journal.status = 'running';
      journal.startedAt ??= new Date(started).toISOString();
      await this.save(journal);
      this.deps.log?.log(JSON.stringify({ event: 'rollback_start', runId: journal.runId, environment: plan.environment, where: plan.where, from: plan.from.name, fromSha: plan.from.sha, to: plan.to.name, toSha: plan.to.sha, reason: plan.reason, operator: this.deps.operator, resumed: resuming }));
      this.deps.events?.emit({ type: 'run-started', runId: journal.runId, plan, at: started });

      state = start.locked ? await this.loop(journal, options, resuming) : start.refuse();
      success = (journal.status as RollbackJournal['status']) === 'succeeded';
    } finally {
      if (locked) {
        // Kept while a command of the run may still be running on its host (lockAtEnd.ts).
        const end = await lockAtRunEnd(lockTarget, journal);
        this.event(journal, end.kind, end.message, end.data);
        if (end.state) state = state ? `${state} ${end.state}` : end.state;
      }
      if (journal.status === 'running') journal.status = 'stopped';
      if (journal.status !== 'abandoned' || locked) {
        journal.finishedAt = new Date(this.clock.now()).toISOString();
        await this.save(journal);
      }
      for (const r of this.runners.values()) await r.dispose().catch(() => undefined);
      this.runners.clear();
    }
    this.deps.log?.log(JSON.stringify({ event: 'rollback_end', runId: journal.runId, environment: plan.environment, from: plan.from.name, to: plan.to.name, success, status: journal.status, durationMs: this.clock.now() - started }));
    this.deps.events?.emit({ type: 'run-finished', runId: journal.runId, success, at: this.clock.now(), state });
    return { success, journal, state };
  }

  /** The steps; a journal that cannot be written stops them at once, with a message that says what is on disk. */
  private async loop(journal: RollbackJournal, options: RunOptions, resuming: boolean): Promise<string> {
    try {
      return await this.steps(journal, options, resuming);
    } catch (e) {
      if (!(e instanceof JournalWriteError)) throw e;
      this.writesStopped = true;
      journal.status = 'stopped';
      this.event(journal, 'journal-write-failed', e.describe(journal));
      return e.describe(journal);
    }
  }

  private async steps(journal: RollbackJournal, options: RunOptions, resuming: boolean): Promise<string> {
    const plan = journal.plan;
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      const js = journal.steps[i];
      if (js.outcome === 'ok' || js.outcome === 'skipped') continue;
      const stop = options.signal?.aborted ? 'now' : options.stopAfterStep?.aborted ? 'after-step' : undefined;
      if (stop) {
        journal.status = 'stopped';
        this.event(journal, 'cancelled', `Cancelled before ${step.title} (${stop === 'now' ? 'stop now' : 'stop after the running step'}) by ${this.deps.operator}`);
        return `Cancelled before "${step.title}"${stop === 'after-step' ? ' (stopped after the running step finished; nothing was killed)' : ''}; finished steps stay done. Resume continues from there.`;
      }
      // Running when a window died, or cut off from its host: it may have taken effect, or still be at work.
      if (resuming && (js.outcome === 'running' || js.outcome === 'unknown')) {
        const verdict = await settleInterruptedStep(this.resumeContext(journal, options), step, js);
        if (verdict.action === 'stop') return verdict.state;
        if (verdict.action === 'done') {
          await this.finishStep(journal, js, 'ok', verdict.detail, verdict.output);
          continue;
        }
      }
      if (isManual(step)) {
        const answer = this.deps.prompter.confirmManual
          ? await this.deps.prompter.confirmManual(step, plan)
          : (await this.deps.prompter.confirmStep(step, plan)) === 'run' ? 'done' : 'stop';
        if (answer === 'stop') {
          journal.status = 'stopped';
          this.event(journal, 'stopped', `Stopped before ${step.title}`);
          return `Stopped before "${step.title}" at your request.`;
        }
        this.deps.events?.emit({ type: 'step-started', runId: journal.runId, step, at: this.clock.now() });
        js.startedAt = new Date(this.clock.now()).toISOString();
        js.attempts++;
        if (answer === 'skip') {
          js.skippedReason = 'declined when asked: not done by hand';
          await this.finishStep(journal, js, 'skipped', js.skippedReason, '');
        } else {
          await this.finishStep(journal, js, 'ok', `done by hand, confirmed by ${this.deps.operator}`, '');
        }
        continue;
      }
      let attempts = 0;
      for (;;) {
        if (step.confirmEach) {
          const answer = await this.deps.prompter.confirmStep(step, plan);
          if (answer === 'skip') {
            js.skippedReason = 'declined when asked before it ran';
            await this.finishStep(journal, js, 'skipped', js.skippedReason, '');
            break;
          }
          if (answer === 'stop') {
            journal.status = 'stopped';
            this.event(journal, 'stopped', `Stopped before ${step.title}`);
            return `Stopped before "${step.title}" at your request.`;
          }
        }
        // Typed at the moment it matters, for this step alone: a name typed minutes earlier for the whole plan guards nothing.
        if (step.destructive) {
          const typed = await this.deps.prompter.typeEnvironmentName(plan.environment, [step]);
          if (typed !== plan.environment) {
            journal.status = 'stopped';
            this.event(journal, 'stopped', `Stopped before ${step.title}: the environment name was not typed`);
            return `Stopped before "${step.title}": it is destructive and the environment name "${plan.environment}" was not typed. Nothing of it ran; Resume Rollback asks again.`;
          }
        }
        attempts++;
        js.attempts++;
        js.outcome = 'running';
        js.startedAt = new Date(this.clock.now()).toISOString();
        delete js.finishedAt;
        await this.save(journal);
        this.deps.events?.emit({ type: 'step-started', runId: journal.runId, step, at: this.clock.now() });
        const result = await this.runStep(step, journal, options, js);
        await this.finishStep(journal, js, result.outcome, result.detail, result.output);
        if (result.outcome === 'ok' || result.outcome === 'skipped') {
          if (result.outcome === 'ok' && step.stashMessage) {
            // Not cancellable: the stash exists, and the operator must be told where it went.
            await recordStash(step, { journal, exec: (cmd) => this.exec(cmd, journal.plan, {}, () => undefined), save: () => this.save(journal), event: (kind, message) => this.event(journal, kind, message) });
          }
          break;
        }
        if (result.outcome === 'unknown') {
          journal.status = 'stopped';
          this.event(journal, 'unknown', `"${step.title}": ${result.detail}`);
          await this.save(journal);
          return `Stopped: "${step.title}" has an unknown outcome (${result.detail}). Run Rollback: Resume Rollback; it checks whether the step took effect, or asks you, before running it again.`;
        }
        let cleanedUp = false;
        if (step.onFailure) {
          const r = await this.exec(step.onFailure, plan, options, () => undefined);
          cleanedUp = r.code === 0 && !r.lost;
          this.event(journal, cleanedUp ? 'step-cleaned-up' : 'step-cleanup-failed', `${step.onFailure.command} → ${r.code === 0 ? 'ok' : `exit ${r.code}`}`, { stepId: step.id });
          js.detail = `${js.detail ?? ''}${cleanedUp ? '; cleaned up, the repository is as it was before this step' : '; the cleanup command failed, check the repository by hand'}`;
          await this.save(journal);
        }
        const canSwitch = !!plan.fallback?.replaces.includes(step.id);
        const canFullRedeploy = !!plan.fullRedeploy?.replaces.includes(step.id);
        const decision: FailureDecision =
          attempts >= MAX_ATTEMPTS || options.stopAfterStep?.aborted
            ? { action: 'stop' }
            : await this.deps.prompter.chooseOnFailure(step, { plan, journal, outcome: result.outcome, detail: result.detail, outputTail: tail(result.output), attempts, cleanedUp, canSwitchToCheckout: canSwitch, canFullRedeploy });
        // The failure itself goes into the timeline: a retry overwrites the step's own record.
        const why = decision.action === 'skip' ? ` (${decision.reason})` : '';
        this.event(journal, 'failure-decision', `${step.title} ${result.outcome} (attempt ${attempts}: ${result.detail}); decided: ${decision.action}${why}`, { stepId: step.id, attempt: attempts, detail: result.detail });
        if (decision.action === 'retry') continue;
        if (decision.action === 'skip') {
          js.skippedReason = decision.reason;
          js.outcome = 'skipped';
          await this.save(journal);
          this.deps.events?.emit({ type: 'step-finished', runId: journal.runId, stepId: step.id, outcome: 'skipped', at: this.clock.now(), detail: decision.reason });
          break;
        }
        if (decision.action === 'switch-to-checkout' && canSwitch && plan.fallback) {
          switchToCheckout(journal, i, this.switchContext(journal));
          await this.save(journal);
          i--; // the step at index i is now the first fallback step
          break;
        }
        if (decision.action === 'full-redeploy' && canFullRedeploy) {
          switchToFullRedeploy(journal, i, this.switchContext(journal));
          await this.save(journal);
          i--; // the step at index i is now the full redeploy's first
          break;
        }
        journal.status = 'failed';
        await this.save(journal);
        return `Stopped after "${step.title}" failed (${result.detail})${cleanedUp ? '; the step was undone cleanly' : ''}. Steps before it are done; nothing after it ran.`;
      }
    }
    const failedOrUnknown = journal.steps.filter((s) => s.outcome !== 'ok' && s.outcome !== 'skipped');
    journal.status = failedOrUnknown.length === 0 ? 'succeeded' : 'failed';
    const skipped = journal.steps.filter((s) => s.outcome === 'skipped' && s.skippedReason).length;
    return journal.status === 'succeeded'
      ? `${plan.environment} is on ${plan.to.name}${skipped ? ` (${skipped} step(s) skipped by you)` : ''}.`
      : `Finished with ${failedOrUnknown.length} step(s) not done.`;
  }

  private switchContext(journal: RollbackJournal): SwitchContext {
    return { event: (kind, message, data) => this.event(journal, kind, message, data), planChanged: (plan) => this.deps.events?.emit({ type: 'plan-changed', runId: journal.runId, plan, at: this.clock.now() }) };
  }

  private async finishStep(journal: RollbackJournal, js: JournalStep, outcome: StepOutcome, detail: string, output: string): Promise<void> {
    js.outcome = outcome;
    js.detail = detail;
    js.finishedAt = new Date(this.clock.now()).toISOString();
    if (output) js.outputTail = tail(output);
    await this.save(journal);
    this.deps.events?.emit({ type: 'step-finished', runId: journal.runId, stepId: js.stepId, outcome, at: this.clock.now(), detail });
  }

  private exec(cmd: PlanCommand, plan: RollbackPlan, options: RunOptions, onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void, onStarted?: ExecOptions['onStarted']): Promise<ExecResult> {
    return this.runnerFor(cmd.where).run(cmd.command, { cwd: cmd.cwd, input: cmd.input, timeoutMs: cmd.timeoutMs ?? plan.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, signal: options.signal, onOutput, onStarted, ...(cmd.rawOutput ? { rawOutput: true } : {}) });
  }

  private resumeContext(journal: RollbackJournal, options: RunOptions): ResumeContext {
    return {
      journal, prompter: this.deps.prompter, operator: this.deps.operator, clock: this.clock, signal: options.signal,
      commandTimeoutMs: journal.plan.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      event: (kind, message, data) => this.event(journal, kind, message, data),
      save: () => this.save(journal),
      exec: (cmd) => this.exec(cmd, journal.plan, options, () => undefined),
      processGroupsOn: (where) => this.processGroupsOn(where),
      say: (stepId, line) => this.deps.events?.emit({ type: 'step-output', runId: journal.runId, stepId, chunk: `${line}\n`, stream: 'stderr' }),
    };
  }

  /** Where a leftover command can be looked for: this machine's process groups, or the host's over SSH. */
  private processGroupsOn(where: string): ProcessGroups | undefined {
    return where === 'local' ? this.deps.processes : new RemoteProcessGroups(this.runnerFor(where));
  }

  /** What a step kind needs from the run (steps/), so each kind lives in its own file. */
  private stepContext(journal: RollbackJournal, options: RunOptions, js: JournalStep): StepContext {
    return {
      journal, js, clock: this.clock, http: this.deps.http, events: this.deps.events, notify: this.deps.notify, signal: options.signal, verification: this.deps.verification, prompter: this.deps.prompter,
      commandTimeoutMs: journal.plan.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      exec: (cmd, onOutput, onStarted, signal) => this.exec(cmd, journal.plan, signal ? { ...options, signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal } : options, onOutput ?? (() => undefined), onStarted),
      save: () => this.save(journal),
    };
  }

  private runStep(step: PlanStep, journal: RollbackJournal, options: RunOptions, js: JournalStep): Promise<StepRun> {
    return runStepOfKind(step, this.stepContext(journal, options, js));
  }
}
