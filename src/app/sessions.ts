import type { CommandRunner, HttpPort } from '../core/ports';
import type { DecisionRecord } from '../core/decision/record';
import type { RollbackPlan } from '../core/plan/types';
import { redactRunnerDeps, type Redactor } from '../core/redact';
import { RollbackRunner, type RollbackEvents, type RunResult } from '../core/run';
import type { RollbackJournal } from '../core/run/journalTypes';
import type { JournalStore, Notifier, ProcessGroups, Prompter as RunPrompter } from '../core/run/ports';
import type { RecordsStore } from '../core/releases/recordsStore';
import type { AppLog } from './log';
import { machineName, operatorName } from './operator';
import { operatorGitIdentity } from '../core/plan/preflight';
import { attachTeamRecords } from './teamState';
import { deployOutcomeOf, secretStorageKey } from '../core/verification';

/** "local" or an SSH destination → a runner there (the composition root decides how: local shell, ssh2 with the product's known_hosts). */
export type RunnerFactory = (where: string, timeoutMs?: number) => CommandRunner;

export interface SessionsDeps {
  root: { readonly fsPath: string };
  /** Journals under .rollback/journals (in VS Code saved through the checklist's bridge, so its state rides along). */
  journals: JournalStore;
  events: RollbackEvents;
  /** The engine's questions, asked by whichever front end runs the rollback now. */
  prompter: () => RunPrompter;
  records: RecordsStore;
  log: AppLog;
  runnerFor: RunnerFactory;
  http: HttpPort;
  processes: ProcessGroups;
  /** The product's one redactor: the engine's output, journals, questions, log lines and events pass through it. */
  redactor: Redactor;
  notify?: Notifier;
  /** Where the secret:NAME values of health and smoke checks live (VS Code's SecretStorage); without it such a check fails naming the secret. */
  secrets?: { get(key: string): PromiseLike<string | undefined> };
  /** Who runs the rollbacks of these sessions ("Name <email>"); default operatorName() (this machine's git identity, else user@host). */
  operator?: string;
  /**
   * The operator's git identity as this front end already reads it (the command line, once at
   * start, alongside its first reads); planning then waits for that read instead of starting
   * another. Without it, planning asks git itself, so a changed identity counts (VS Code).
   */
  gitIdentity?: () => Promise<{ name: string; email: string } | undefined>;
}

/**
 * Runs rollbacks for one workspace: gives the engine its dependencies (a runner per target,
 * journals under .rollback/journals, HTTP probes), tracks the run in progress so the status
 * bar, the terminal and the checklist can follow it, and records the outcome in the release
 * records. The same class runs a rollback from VS Code and from the command line, so both
 * write the same journal, take the same lock and record the same outcome.
 */
export class RollbackSessions {
  readonly root: { readonly fsPath: string };
  readonly journals: JournalStore;
  readonly events: RollbackEvents;
  readonly log: AppLog;
  private active?: { runId: string; controller: AbortController; stopAfter: AbortController; plan: RollbackPlan };

  constructor(private readonly deps: SessionsDeps) {
    this.root = deps.root;
    this.journals = deps.journals;
    this.events = deps.events;
    this.log = deps.log;
  }

  /** The operator's git identity for a plan: the front end's own read when it has one, else read now over the local runner. */
  operatorGitIdentity(): Promise<{ name: string; email: string } | undefined> {
    return this.deps.gitIdentity?.() ?? operatorGitIdentity(this.deps.runnerFor('local'), this.root.fsPath);
  }

  /** A check's `secret:NAME` for a fleet's health headers (issue 15): the redactor knows the value before anyone else gets it. */
  async checkSecret(name: string): Promise<string | undefined> {
    const value = (await this.deps.secrets?.get(secretStorageKey(name))) ?? undefined;
    if (value) this.deps.redactor.setSource(`secret-storage:${secretStorageKey(name)}`, [value]);
    return value;
  }

  /** Text about to be shown: known secret values and the pattern families hidden (the one redactor). */
  redact(text: string): string {
    return this.deps.redactor.redact(text);
  }

  get activeRun(): { runId: string; plan: RollbackPlan } | undefined {
    return this.active;
  }

  /** A runner for "local" or an SSH destination; the engine makes one per target per run. */
  runnerFor(where: string, timeoutMs?: number): CommandRunner {
    return this.deps.runnerFor(where, timeoutMs);
  }

  /** The team's records on the environment's target, attached and read (when a rollback is planned for it). */
  async readTeamRecords(env: { name: string; host: string; path: string; records?: string }): Promise<void> {
    if (attachTeamRecords(this.deps.records, (host) => this.runnerFor(host), env)) await this.deps.records.refreshTarget();
  }

  private engine(): RollbackRunner {
    return new RollbackRunner(redactRunnerDeps({
      runnerFor: (where) => this.runnerFor(where),
      journals: this.journals,
      prompter: this.deps.prompter(),
      http: this.deps.http,
      events: this.events,
      log: { log: (line) => this.log.info(line) },
      operator: this.deps.operator ?? operatorName(),
      machine: machineName(),
      notify: this.deps.notify,
      processes: this.deps.processes,
      verification: { secret: async (name) => (await this.deps.secrets?.get(secretStorageKey(name))) ?? undefined },
    }, this.deps.redactor));
  }

  /** Runs a previewed plan. Refuses a second run from this window while one is active. */
  async run(plan: RollbackPlan, digest: string, decidedAt: string, decision?: DecisionRecord): Promise<RunResult> {
    return this.guard(plan, (signal, stopAfterStep) => this.engine().run(plan, { signal, stopAfterStep, expectedDigest: digest, decidedAt, ...(decision ? { decision } : {}) }));
  }

  async resume(journal: RollbackJournal): Promise<RunResult> {
    return this.guard(journal.plan, (signal, stopAfterStep) => this.engine().resume(journal, { signal, stopAfterStep }));
  }

  /** Stop now: the running command is killed part way. */
  cancel(): void {
    this.active?.controller.abort();
  }

  /** Stop after the running step: its command finishes, nothing after it starts. */
  stopAfterStep(): void {
    this.active?.stopAfter.abort();
  }

  private async guard(plan: RollbackPlan, go: (signal: AbortSignal, stopAfterStep: AbortSignal) => Promise<RunResult>): Promise<RunResult> {
    if (this.active) throw new Error(`A rollback (${this.active.runId}) is already running in this window`);
    const controller = new AbortController();
    const stopAfter = new AbortController();
    this.active = { runId: plan.id, controller, stopAfter, plan };
    try {
      const result = await go(controller.signal, stopAfter.signal);
      await this.recordOutcome(result).catch((e) => this.log.warn(`Could not record the deploy: ${(e as Error).message}`));
      return result;
    } finally {
      this.active = undefined;
    }
  }

  /**
   * A finished rollback is a deploy of the target release, and the release it left is marked bad.
   * Called after every run here, and by the fleet run (src/app/fleetRun.ts), which runs outside guard().
   */
  async recordOutcome(result: RunResult): Promise<void> {
    if (!result.success) return;
    const records = this.deps.records;
    const p = result.journal.plan;
    // The team's copy on the target gets the outcome, the bad mark and the deploy too (a resume may not have read it first).
    if (p.cwd) attachTeamRecords(records, (host) => this.runnerFor(host), { name: p.environment, host: p.where, path: p.cwd, records: p.records });
    await records.setDeployOutcome(p.environment, p.from.sha, 'rolled-back').catch(() => undefined);
    // The release just left is bad by the operator's own judgment: the next Revert Last Deploy must
    // not offer it again (Unmark Release as Bad undoes this).
    await records
      .markBad({ sha: p.from.sha, reason: `rolled back on ${p.environment} to ${p.to.name}: ${p.reason}`, at: new Date().toISOString(), by: result.journal.operator })
      .catch((e) => this.log.warn(`Could not mark ${p.from.name} bad: ${(e as Error).message}`));
    await records.recordDeploy({ sha: p.to.sha, at: new Date().toISOString(), environment: p.environment, tag: p.to.name, outcome: deployOutcomeOf(result.journal) });
  }

  dispose(): void {
    this.cancel();
  }
}
