// The log-watch step kinds. `log-watch` starts one background watch per service (it returns at
// once: the rollback is not held up); `logs` is a service's check, after the watch window.
// The watches of a run live beside its journal object (a resumed run has a new one: its checks
// start a fresh watch against the baseline the journal kept).
import { formatDuration } from '../../config/duration';
import type { PlanCommand, PlanStep } from '../../plan/types';
import type { CommandRunner, ExecResult } from '../../ports';
import { runStoppable } from '../../logs/stoppable';
import type { LogCheckRecord, LogCounts, LogWatchService, PhaseCount } from '../../logs/types';
import { couldNotRun } from '../../logs/verdict';
import { ServiceLogWatch, type WatchTiming } from '../../logs/watch';
import type { JournalStep, RollbackJournal } from '../journalTypes';
import type { StepContext, StepRun } from './context';

/** Step kinds after which the rollback's changes are over: the watch window starts when the first of them starts. */
const VERIFYING = new Set(['wait', 'health', 'smoke', 'logs']);

class RunWatches {
  readonly watches = new Map<string, ServiceLogWatch>();
  private readonly disposers: Array<() => void> = [];

  constructor(readonly startStepId: string) {}

  add(w: ServiceLogWatch): void {
    this.watches.set(w.spec.service, w);
  }

  onDispose(f: () => void): void {
    this.disposers.push(f);
  }

  dispose(): void {
    for (const w of this.watches.values()) w.stop();
    for (const f of this.disposers.splice(0)) f();
  }
}

const runs = new WeakMap<RollbackJournal, RunWatches>();

/** Tests and the bench tune the watch's timing (its pauses and polls) here; the product uses the defaults. */
export const logWatchTiming: Partial<WatchTiming> = {};

/** When the rollback's changes ended: the start of the first verifying step that has started, in the plan as it is now. */
export function changesEndedAt(journal: RollbackJournal): number | undefined {
  const byId = new Map(journal.steps.map((s) => [s.stepId, s]));
  for (const step of journal.plan.steps) {
    if (!VERIFYING.has(step.kind)) continue;
    const started = byId.get(step.id)?.startedAt;
    if (started) return Date.parse(started);
  }
  return undefined;
}

function watchFor(svc: LogWatchService, ctx: StepContext, stepId: string, startedAt: number, baseline?: PhaseCount, onCounts?: (c: LogCounts) => void): ServiceLogWatch {
  const { journal } = ctx;
  return new ServiceLogWatch(
    svc,
    {
      exec: (command, onOutput, signal) => execStoppable(ctx, { command, where: svc.where, ...(svc.cwd !== undefined ? { cwd: svc.cwd } : {}) }, onOutput, signal),
      now: () => ctx.clock.now(),
      sleep: (ms, signal) => ctx.clock.sleep(ms, signal),
      changesEndedAt: () => changesEndedAt(journal),
      alive: () => journal.status === 'running',
      onUpdate: (counts) => {
        onCounts?.(counts);
        ctx.events?.emit({ type: 'log-counts', runId: journal.runId, stepId, counts, at: ctx.clock.now() });
      },
      timing: logWatchTiming,
    },
    startedAt,
    baseline,
  );
}

/** A command of the watch, stopped for good when `signal` aborts (on a host too: core/logs/stoppable.ts), over the run's own connection. */
function execStoppable(ctx: StepContext, cmd: PlanCommand, onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void, signal: AbortSignal): Promise<ExecResult> {
  const host: CommandRunner = {
    where: cmd.where,
    run: (command, o = {}) => ctx.exec({ command, where: cmd.where, ...(o.cwd !== undefined ? { cwd: o.cwd } : {}) }, o.onOutput, o.onStarted, o.signal),
    dispose: () => Promise.resolve(),
  };
  return runStoppable(host, cmd.command, { ...(cmd.cwd !== undefined ? { cwd: cmd.cwd } : {}), onOutput, signal });
}

function runWatchesOf(ctx: StepContext, startStepId: string): RunWatches {
  runs.get(ctx.journal)?.dispose(); // a start step run again replaces its watches
  const r = new RunWatches(startStepId);
  runs.set(ctx.journal, r);
  const runId = ctx.journal.runId;
  // Nothing outlives the run: its end (any end), or its cancel, stops every command of the watch.
  const sub = ctx.events?.on((e) => e.type === 'run-finished' && e.runId === runId && r.dispose());
  if (sub) r.onDispose(() => sub.dispose());
  const onAbort = (): void => r.dispose();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  r.onDispose(() => ctx.signal?.removeEventListener('abort', onAbort));
  stopWhenTheRunEnds(ctx.journal, r);
  return r;
}

/**
 * The run's status leaves "running" the moment its last step is decided, before the runner
 * releases the lock and closes its connections: the watch's commands are stopped right then,
 * over connections that still stand. (After they are closed, a command on the host that
 * prints nothing would outlive them: sshd does not end a session's processes when its
 * connection goes.) The status stays a plain value for everyone who reads or copies it.
 */
function stopWhenTheRunEnds(journal: RollbackJournal, r: RunWatches): void {
  let status = journal.status;
  Object.defineProperty(journal, 'status', {
    configurable: true,
    enumerable: true,
    get: () => status,
    set: (next: RollbackJournal['status']) => {
      status = next;
      if (next !== 'running') r.dispose();
    },
  });
  r.onDispose(() => Object.defineProperty(journal, 'status', { configurable: true, enumerable: true, writable: true, value: status }));
}

export async function runLogWatchStart(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const spec = step.logWatch;
  if (spec?.role !== 'start') return { outcome: 'failed', detail: `step ${step.id} has no log watch to start (a plan written by hand?)`, output: '' };
  const r = runWatchesOf(ctx, step.id);
  const now = ctx.clock.now();
  const cannot: string[] = [];
  for (const svc of spec.services) {
    // Each baseline goes into this step's journal record once counted: a resumed run compares with it.
    let kept = false;
    const keep = (counts: LogCounts, ended: boolean): void => {
      if (kept || (counts.phase === 'baseline' && !(ended && counts.baseline.lines > 0)) || counts.problem) return;
      kept = true;
      const js = ctx.journal.steps.find((s) => s.stepId === step.id);
      if (!js) return;
      js.logWatch = { ...js.logWatch, baselines: { ...js.logWatch?.baselines, [svc.service]: counts.baseline } };
      ctx.save().catch(() => undefined); // a failed write stops the run at its next save, with the message
    };
    const w = watchFor(svc, ctx, step.id, now, undefined, (counts) => keep(counts, false));
    // A run that ends early (stopped, failed) still leaves the baseline for its resume; the runner's last save writes it.
    r.onDispose(() => keep(w.counts(), true));
    r.add(w);
    w.start();
    const problem = w.counts().problem;
    if (problem) cannot.push(`${svc.service}: ${problem}`);
  }
  const names = spec.services.filter((s) => !cannot.some((c) => c.startsWith(`${s.service}:`))).map((s) => s.service);
  const baseline = [...new Set(spec.services.map((s) => formatDuration(s.baselineMs)))].join(' or ');
  const detail = `${names.length ? `watching ${names.join(', ')} in the background (baseline: the ${baseline} before ${new Date(now).toISOString().slice(11, 19)} UTC)` : 'no log can be watched'}${cannot.length ? `; cannot watch ${cannot.join('; ')}` : ''}`;
  return { outcome: 'ok', detail, output: spec.services.map((s) => `${s.where}$ ${s.command}\n`).join('') };
}

export async function runLogCheck(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const spec = step.logWatch;
  if (spec?.role !== 'check') return { outcome: 'failed', detail: `could not run: step ${step.id} has no log check (a plan written by hand?)`, output: '' };
  const svc = spec.watch;
  const now = ctx.clock.now();
  let watch = runs.get(ctx.journal)?.watches.get(svc.service);
  // A retry watches a new window from now: the operator asked to look again.
  let windowFrom = ctx.js.attempts > 1 ? now : changesEndedAt(ctx.journal) ?? now;
  if (!watch) {
    const kept = keptBaseline(ctx.journal, svc.service);
    if (!kept) return finish(ctx, unwatched(ctx, step, couldNotRun(svc.service, notWatchedWhy(ctx.journal, svc.service), emptyCounts(svc), svc.threshold)));
    // After a reload: a new watch from now, judged against the baseline counted before it.
    const r = runs.get(ctx.journal) ?? runWatchesOf(ctx, kept.startStepId);
    watch = watchFor(svc, ctx, step.id, now, kept.baseline);
    r.add(watch);
    watch.start();
    windowFrom = now;
  }
  const record = await watch.verdict(windowFrom, ctx.signal);
  if (!record) return { outcome: 'unknown', detail: `cancelled while watching the logs of ${svc.service}`, output: '' };
  // Passed: this service's logs are no longer needed. Otherwise the stream goes on, for a retry.
  if (record.status === 'passed') watch.stop();
  return finish(ctx, record);
}

/** The checklist hears of a check that had no watch to read, too. */
function unwatched(ctx: StepContext, step: PlanStep, record: LogCheckRecord): LogCheckRecord {
  const at = ctx.clock.now();
  const counts: LogCounts = { service: record.service, phase: 'after', mode: 'starting', baseline: record.baseline, during: record.during, after: record.after, series: [], status: record.status, detail: record.detail, at };
  ctx.events?.emit({ type: 'log-counts', runId: ctx.journal.runId, stepId: step.id, counts, at });
  return record;
}

function finish(ctx: StepContext, record: LogCheckRecord): StepRun {
  ctx.js.logWatch = { ...ctx.js.logWatch, check: record };
  const c = (label: string, p: PhaseCount): string => `${label}: ${p.errors} error(s) in ${p.lines} line(s) over ${formatDuration(p.windowMs)}`;
  const output = `${c('baseline', record.baseline)}\n${c('during the rollback', record.during)}\n${c('after the rollback', record.after)}\n`;
  return { outcome: record.status === 'passed' ? 'ok' : 'failed', detail: record.detail, output };
}

function keptBaseline(journal: RollbackJournal, service: string): { startStepId: string; baseline: PhaseCount } | undefined {
  for (const js of journal.steps) {
    const b = js.logWatch?.baselines?.[service];
    if (b) return { startStepId: js.stepId, baseline: b };
  }
  return undefined;
}

function notWatchedWhy(journal: RollbackJournal, service: string): string {
  const start = journal.plan.steps.find((s) => s.logWatch?.role === 'start');
  const js: JournalStep | undefined = start && journal.steps.find((s) => s.stepId === start.id);
  if (!start) return `the plan has no step that watches the logs of ${service}, so there is no baseline to compare with`;
  if (js?.outcome === 'skipped') return `"${start.title}" was skipped, so there is no baseline of ${service} to compare with`;
  return `the baseline of ${service} was not counted before this run was interrupted (no baseline in the journal), so there is nothing to compare with`;
}

function emptyCounts(svc: LogWatchService): { baseline: PhaseCount; during: PhaseCount; after: PhaseCount } {
  const zero = (windowMs: number): PhaseCount => ({ errors: 0, lines: 0, windowMs });
  return { baseline: zero(svc.baselineMs), during: zero(0), after: zero(0) };
}
