import * as os from 'node:os';
import * as vscode from 'vscode';
import type { CommandRunner } from '../core/ports';
import type { RollbackPlan } from '../core/plan/types';
import { redactRunnerDeps, type Redactor } from '../core/redact';
import { RollbackEvents, RollbackRunner, type RunResult } from '../core/run';
import type { RollbackJournal } from '../core/run/journalTypes';
import type { JournalStore, Notifier } from '../core/run/ports';
import type { RecordsStore } from '../core/releases/recordsStore';
import { NodeHttp } from '../infra/http';
import { NodeLocalProcesses } from '../infra/shell/localProcesses';
import { LocalCommandRunner } from '../infra/shell/localCommandRunner';
import { SshCommandRunner } from '../infra/ssh';
import type { RollbackDialogs } from './dialogs';
import { attachTeamRecords } from '../app/teamState';

/** Who is at the keyboard, as recorded in journals and locks. */
export function operatorName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // Containers without a passwd entry: keep "unknown".
  }
  return `${user}@${os.hostname()}`;
}

/**
 * Runs rollbacks for one workspace: builds the engine's dependencies (local shell or one
 * SSH connection per host, journals under .rollback/journals, HTTP probes), tracks the
 * run in progress so the status bar, the terminal and the checklist can follow it, and
 * records the outcome in the release records.
 */
export class RollbackSessions implements vscode.Disposable {
  readonly events: RollbackEvents;
  private active?: { runId: string; controller: AbortController; stopAfter: AbortController; plan: RollbackPlan };
  private readonly http = new NodeHttp();

  constructor(
    readonly root: vscode.Uri,
    /** Journals under .rollback/journals, saved through the checklist's bridge so its state rides along. */
    readonly journals: JournalStore,
    events: RollbackEvents,
    private readonly dialogs: () => RollbackDialogs,
    private readonly records: RecordsStore,
    readonly log: vscode.LogOutputChannel,
    private readonly settings: () => { knownHostsFile?: string; sshConfigFile?: string; connectTimeoutMs: number },
    /** The product's one redactor: the engine's output, journals, questions, log lines and events pass through it. */
    private readonly redactor: Redactor,
    private readonly notify?: Notifier,
  ) {
    this.events = events;
  }

  /** Text about to be shown: known secret values and the pattern families hidden (the one redactor). */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  get activeRun(): { runId: string; plan: RollbackPlan } | undefined {
    return this.active;
  }

  /** A runner for "local" or an SSH destination; the engine makes one per target per run. */
  runnerFor(where: string, timeoutMs?: number): CommandRunner {
    if (where === 'local') return new LocalCommandRunner({ cwd: this.root.fsPath, timeoutMs });
    const s = this.settings();
    return new SshCommandRunner({
      destination: where,
      hostKeyPrompt: this.dialogs(),
      knownHostsFiles: s.knownHostsFile ? [s.knownHostsFile] : undefined,
      sshConfigFile: s.sshConfigFile,
      readyTimeoutMs: s.connectTimeoutMs,
      keepaliveIntervalMs: 10_000,
      keepaliveCountMax: 3,
      commandTimeoutMs: timeoutMs,
    });
  }

  /** The team's records on the environment's target, attached and read (when a rollback is planned for it). */
  async readTeamRecords(env: { name: string; host: string; path: string }): Promise<void> {
    if (attachTeamRecords(this.records, (host) => this.runnerFor(host), env)) await this.records.refreshTarget();
  }

  private engine(): RollbackRunner {
    return new RollbackRunner(redactRunnerDeps({
      runnerFor: (where) => this.runnerFor(where),
      journals: this.journals,
      prompter: this.dialogs(),
      http: this.http,
      events: this.events,
      log: { log: (line) => this.log.info(line) },
      operator: operatorName(),
      machine: os.hostname(),
      notify: this.notify,
      processes: new NodeLocalProcesses(),
    }, this.redactor));
  }

  /** Runs a previewed plan. Refuses a second run from this window while one is active. */
  async run(plan: RollbackPlan, digest: string, decidedAt: string): Promise<RunResult> {
    return this.guard(plan, (signal, stopAfterStep) => this.engine().run(plan, { signal, stopAfterStep, expectedDigest: digest, decidedAt }));
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

  /** A finished rollback is a deploy of the target release; the bad release stays what it was. */
  private async recordOutcome(result: RunResult): Promise<void> {
    if (!result.success) return;
    const p = result.journal.plan;
    // The team's copy on the target gets the outcome, the bad mark and the deploy too (a resume may not have read it first).
    if (p.cwd) attachTeamRecords(this.records, (host) => this.runnerFor(host), { name: p.environment, host: p.where, path: p.cwd });
    await this.records.setDeployOutcome(p.environment, p.from.sha, 'rolled-back').catch(() => undefined);
    // The release just left is bad by the operator's own judgment: the next Revert Last Deploy must
    // not offer it again (Unmark Release as Bad undoes this).
    await this.records
      .markBad({ sha: p.from.sha, reason: `rolled back on ${p.environment} to ${p.to.name}: ${p.reason}`, at: new Date().toISOString(), by: result.journal.operator })
      .catch((e) => this.log.warn(`Could not mark ${p.from.name} bad: ${(e as Error).message}`));
    await this.records.recordDeploy({ sha: p.to.sha, at: new Date().toISOString(), environment: p.environment, tag: p.to.name, outcome: 'ok' });
  }

  dispose(): void {
    this.cancel();
  }
}
