// One service's log watch, from the start of the rollback to its verdict, in the background.
//
// The logs command is started once, with {since} the start of the baseline window. What it
// prints in its first burst (the history from {since} on: up to a pause of settleMs) is the
// baseline; what comes after, by second of arrival, is the rollback's and then the watch
// window's. A command that prints and exits (`docker compose logs --since {since} api`,
// `journalctl … --since {since}`) is read again for each window instead: {since} the start of
// the rollback, then of the watch window, and its count replaces the last one. A following
// command that ends (its container was recreated) is started again; one that fails is retried
// a few times, then the watch says why it stopped. Nothing here waits on the rollback's steps.
import type { ExecResult } from '../ports';
import { ArrivalCounts, LineSplitter, phaseCount } from './lines';
import { errorMatcher } from './pattern';
import { fillSince, takesSince } from './since';
import type { LogCheckRecord, LogCounts, LogWatchService, PhaseCount } from './types';
import { couldNotRun, describeFailure, judgeLogCounts } from './verdict';

export const WATCH_TIMING = {
  /** The first burst (the history) ends at a pause this long in the output… */
  settleMs: 300,
  /** …or this long after its first line, or when no line came this long after the start. */
  burstMaxMs: 10_000,
  firstOutputMs: 5_000,
  /** A command that prints and exits is read again this often while the rollback runs. */
  pollMs: 3_000,
  /** After a failed run the next waits this long; after this many failures in a row the watch stops trying. */
  retryMs: 3_000,
  maxFailures: 3,
  /** A read at the verdict may take this long. */
  finalReadMs: 60_000,
  /** New counts go out at most this often. */
  updateMs: 1_000,
};
export type WatchTiming = typeof WATCH_TIMING;

export interface WatchEnv {
  /** Runs a command where the service runs (its cwd), killed when `signal` aborts. */
  exec(command: string, onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void, signal: AbortSignal): Promise<ExecResult>;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** When the rollback's changes ended and the checks began, once that is known. */
  changesEndedAt(): number | undefined;
  /** False once the run has ended: no command is started after that (its connections are gone). */
  alive(): boolean;
  onUpdate?(counts: LogCounts): void;
  timing?: Partial<WatchTiming>;
}

interface Run {
  startedAt: number;
  first: boolean;
  /** The burst of a restarted command that ignores {since} repeats lines already counted. */
  skipBurst: boolean;
  inBurst: boolean;
  lastOutputAt?: number;
  /** The first run's lines after its burst: the run's own until it proves to follow (a command that exits soon was one dump: all baseline on the first run). */
  pending?: ArrivalCounts;
  stderr: string;
}

const MAX_LINE_SHOWN = 300;
/** A following command that keeps ending is started again at most this often. */
const MAX_RESTARTS = 100;

export class ServiceLogWatch {
  private readonly t: WatchTiming;
  private readonly stop$ = new AbortController();
  private readonly arrivals = new ArrivalCounts();
  private baseline = { errors: 0, lines: 0 };
  private baselineKnown = false;
  private mode: LogCounts['mode'] = 'starting';
  private readonly polled = new Map<number, { errors: number; lines: number }>();
  private run?: Run;
  /** A run of a following command is in flight. */
  private streaming = false;
  private restarts = 0;
  private failures = 0;
  private problem?: string;
  /** Set when the watch gave up: why it cannot say anything about the window. */
  private broken?: string;
  private lastError?: string;
  private everPrinted = false;
  private matcher?: (line: string) => boolean;
  private updateTimer?: ReturnType<typeof setTimeout>;
  private firstLook?: ReturnType<typeof setTimeout>;
  private lastUpdate = 0;
  private verdictDone?: LogCheckRecord;

  constructor(
    readonly spec: LogWatchService,
    private readonly env: WatchEnv,
    /** When the watch starts: the baseline is the window before it. */
    readonly startedAt: number,
    /** The baseline a watch of this run counted before a reload (from the journal): this watch reads from startedAt on. */
    resumedBaseline?: { errors: number; lines: number },
  ) {
    this.t = { ...WATCH_TIMING, ...env.timing };
    if (resumedBaseline) {
      this.baseline = { errors: resumedBaseline.errors, lines: resumedBaseline.lines };
      this.baselineKnown = true;
    }
    if (spec.errors.problem) this.broken = spec.errors.problem;
    else {
      try {
        this.matcher = errorMatcher(spec.errors);
      } catch (e) {
        this.broken = `the error pattern /${spec.errors.source}/${spec.errors.flags} does not compile: ${(e as Error).message}`;
      }
    }
    const filled = fillSince(spec.command, startedAt, spec.since);
    if ('problem' in filled) this.broken ??= filled.problem;
  }

  /** Starts reading in the background; never throws and never waits. */
  start(): void {
    if (this.broken) return this.update(true);
    // A quiet log says nothing when its (empty) history ends: look once it must have.
    this.firstLook = setTimeout(() => this.update(true), this.t.firstOutputMs + this.t.settleMs);
    this.loop().catch((e: unknown) => {
      this.broken = `the log watch stopped: ${e instanceof Error ? e.message : String(e)}`;
      this.update(true);
    });
  }

  /** Stops the command (and the polls); the counts stay. */
  stop(): void {
    this.stop$.abort();
    clearTimeout(this.updateTimer);
    clearTimeout(this.firstLook);
  }

  get stopped(): boolean {
    if (!this.stop$.signal.aborted && !this.env.alive()) this.stop();
    return this.stop$.signal.aborted;
  }

  private get where(): string {
    return `${this.spec.command} on ${this.spec.where}`;
  }

  private async loop(): Promise<void> {
    // A watch started again after a reload has its baseline from the journal: it reads from now on.
    let first = !this.baselineKnown;
    let probe = true;
    let since = first ? this.startedAt - this.spec.baselineMs : this.startedAt;
    while (!this.stopped) {
      const r = await this.readStream(since, first, probe);
      if (this.stopped) return;
      const ok = r.code === 0 && !r.lost && !r.timedOut;
      if (probe && ok && (this.run?.pending?.between(0).lines === 0 || r.durationMs <= this.t.burstMaxMs)) {
        // It printed and exited: a dump (of the baseline, on the first run). Read it again per window from now on.
        this.absorbPending(first);
        this.baselineKnown = true;
        this.mode = 'poll';
        this.problem = undefined;
        this.update(true);
        return this.pollLoop();
      }
      if (ok || r.timedOut) {
        if (++this.restarts > MAX_RESTARTS) {
          this.broken = `\`${this.where}\` ended ${MAX_RESTARTS} times; the watch stopped`;
          return this.update(true);
        }
        // A following command that ended (its container was recreated) or reached the command timeout: start it again from here.
        this.absorbPending(false);
        this.baselineKnown = true;
        this.mode = 'follow';
        [first, probe] = [false, false];
        if (r.durationMs < this.t.retryMs) await this.env.sleep(this.t.retryMs, this.stop$.signal);
        since = this.env.now();
        continue;
      }
      this.failures++;
      this.problem = describeFailure(this.spec, r);
      if (this.everPrinted) {
        // The baseline was read before it failed: go on reading from here.
        this.absorbPending(false);
        this.baselineKnown = true;
        [first, probe] = [false, false];
        since = this.env.now();
      }
      this.update(true);
      if (this.failures >= this.t.maxFailures) {
        this.broken = `${this.problem} (${this.failures} tries; the watch stopped)`;
        return this.update(true);
      }
      await this.env.sleep(this.t.retryMs, this.stop$.signal);
    }
  }

  /** One run of the command as a stream: lines are counted as they arrive. */
  private async readStream(since: number, first: boolean, probe: boolean): Promise<ExecResult> {
    const filled = fillSince(this.spec.command, since, this.spec.since) as { command: string };
    const run: Run = { startedAt: this.env.now(), first, skipBurst: !first && !takesSince(this.spec.command), inBurst: true, stderr: '', ...(probe ? { pending: new ArrivalCounts() } : {}) };
    this.run = run;
    const split = new LineSplitter((line) => this.countStreamed(run, line));
    this.streaming = true;
    const r = await this.env.exec(filled.command, (chunk, stream) => {
      if (stream === 'stderr') {
        run.stderr = (run.stderr + chunk).slice(-2000);
        return;
      }
      const now = this.env.now();
      if (run.inBurst) run.inBurst = !this.burstOver(run, now);
      run.lastOutputAt = now;
      split.push(chunk);
    }, this.stop$.signal).finally(() => (this.streaming = false));
    split.flush();
    if (r.code === 0 && !r.lost && !r.timedOut && this.failures > 0) this.failures = 0;
    return { ...r, stderr: run.stderr || r.stderr };
  }

  /** Whether the history a run prints first has ended by `now`: a pause, its length, or nothing at all for a while. */
  private burstOver(run: Run, now: number): boolean {
    if (!run.inBurst) return true;
    return run.lastOutputAt === undefined ? now - run.startedAt >= this.t.firstOutputMs : now - run.lastOutputAt >= this.t.settleMs || now - run.startedAt >= this.t.burstMaxMs;
  }

  private countStreamed(run: Run, line: string): void {
    const error = this.isError(line);
    this.everPrinted = true;
    // Lines again after a failure: the stream works.
    if (this.problem && !this.broken) this.problem = undefined;
    if (run.inBurst && run.first) {
      this.baseline.lines++;
      if (error) this.baseline.errors++;
    } else if (run.inBurst && run.skipBurst) {
      return; // the restarted command's history, counted the first time
    } else {
      (run.pending ?? this.arrivals).add(this.env.now(), error);
      if (run.first) this.baselineKnown = true;
    }
    this.update(false);
  }

  /** The first run's lines after its burst: baseline (it was one dump) or the rollback's (it follows). */
  private absorbPending(asBaseline: boolean): void {
    const p = this.run?.pending;
    if (!p || !this.run) return;
    if (asBaseline) {
      const c = p.between(0);
      this.baseline.errors += c.errors;
      this.baseline.lines += c.lines;
    } else this.arrivals.merge(p);
    delete this.run.pending;
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopped) {
      await this.env.sleep(this.t.pollMs, this.stop$.signal);
      if (this.stopped) return;
      const from = this.env.changesEndedAt() ?? this.startedAt;
      const r = await this.readWindow(from, this.stop$.signal);
      if (this.stopped) return;
      if ('problem' in r) {
        this.problem = r.problem;
        this.failures++;
      } else {
        const prev = this.polled.get(from) ?? { errors: 0, lines: 0 };
        this.arrivals.addCounts(this.env.now(), Math.max(0, r.errors - prev.errors), Math.max(0, r.lines - prev.lines));
        this.polled.set(from, r);
        this.problem = undefined;
        this.failures = 0;
      }
      this.update(true);
    }
  }

  /** One run of a dump command from `since`: every line it prints, counted once it exits. */
  private async readWindow(since: number, signal: AbortSignal): Promise<{ errors: number; lines: number } | { problem: string }> {
    const filled = fillSince(this.spec.command, since, this.spec.since) as { command: string };
    const counts = { errors: 0, lines: 0 };
    let stderr = '';
    const split = new LineSplitter((line) => {
      counts.lines++;
      this.everPrinted = true;
      if (this.isError(line)) counts.errors++;
    });
    const r = await this.env.exec(filled.command, (chunk, stream) => (stream === 'stdout' ? split.push(chunk) : void (stderr = (stderr + chunk).slice(-2000))), signal);
    split.flush();
    if (r.code === 0 && !r.lost && !r.timedOut) return counts;
    return { problem: describeFailure(this.spec, { ...r, stderr: stderr || r.stderr }) };
  }

  private isError(line: string): boolean {
    const hit = this.matcher?.(line) ?? false;
    if (hit) this.lastError = line.length > MAX_LINE_SHOWN ? `${line.slice(0, MAX_LINE_SHOWN - 1)}…` : line;
    return hit;
  }

  /** Where things stand, for the checklist. */
  counts(): LogCounts {
    const now = this.env.now();
    const t1 = this.env.changesEndedAt();
    const live = this.live(now, t1);
    return {
      service: this.spec.service,
      phase: t1 !== undefined ? 'after' : this.baselineKnown || !this.run?.first || this.burstOver(this.run, now) ? 'during' : 'baseline',
      // A first run still going after its history is a following command, as far as anyone can tell yet.
      mode: this.mode === 'starting' && this.run && this.burstOver(this.run, now) ? 'follow' : this.mode,
      baseline: phaseCount(this.baseline, this.spec.baselineMs),
      during: live.during,
      after: live.after,
      series: this.arrivals.series(this.startedAt, now, t1),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.broken ?? this.problem ? { problem: this.broken ?? this.problem } : {}),
      ...(this.verdictDone ? { status: this.verdictDone.status, detail: this.verdictDone.detail } : {}),
      at: now,
    };
  }

  private live(now: number, t1: number | undefined): { during: PhaseCount; after: PhaseCount } {
    if (this.mode === 'poll') {
      const during = this.polled.get(this.startedAt) ?? { errors: 0, lines: 0 };
      const after = t1 !== undefined ? this.polled.get(t1) ?? { errors: 0, lines: 0 } : { errors: 0, lines: 0 };
      return { during: phaseCount(during, (t1 ?? now) - this.startedAt), after: phaseCount(after, t1 !== undefined ? now - t1 : 0) };
    }
    const all = new ArrivalCounts();
    all.merge(this.arrivals);
    if (this.run?.pending) all.merge(this.run.pending);
    const during = all.between(this.startedAt, t1 ?? Infinity);
    const after = t1 !== undefined ? all.between(t1) : { errors: 0, lines: 0 };
    return { during: phaseCount(during, (t1 ?? now) - this.startedAt), after: phaseCount(after, t1 !== undefined ? now - t1 : 0) };
  }

  private update(now: boolean): void {
    if (!this.env.onUpdate) return;
    const at = this.env.now();
    if (now || at - this.lastUpdate >= this.t.updateMs) {
      clearTimeout(this.updateTimer);
      this.updateTimer = undefined;
      this.lastUpdate = at;
      this.env.onUpdate(this.counts());
      return;
    }
    // The last lines of a burst still go out, a moment later.
    if (!this.updateTimer && !this.stopped) this.updateTimer = setTimeout(() => this.update(true), this.t.updateMs - (at - this.lastUpdate));
  }

  /**
   * Waits for the watch window (from `windowFrom`, the end of the rollback's changes, to
   * watchMs after it), reads what the window holds and judges it. Undefined when `signal`
   * aborted the wait (the run was cancelled).
   */
  async verdict(windowFrom: number, signal?: AbortSignal): Promise<LogCheckRecord | undefined> {
    const end = windowFrom + this.spec.watchMs;
    // Bounded: one sleep per slice, and the slices cover the window once.
    for (let i = 0; i < 10_000 && this.env.now() < end; i++) {
      if (signal?.aborted) return undefined;
      await this.env.sleep(Math.min(1000, end - this.env.now()), signal);
    }
    if (signal?.aborted) return undefined;
    const now = this.env.now();
    const baseline = phaseCount(this.baseline, this.spec.baselineMs);
    const empty = { baseline, during: phaseCount({ errors: 0, lines: 0 }, windowFrom - this.startedAt), after: phaseCount({ errors: 0, lines: 0 }, now - windowFrom) };
    let record: LogCheckRecord;
    if (this.broken) record = couldNotRun(this.spec.service, this.broken, empty, this.spec.threshold);
    else if (this.mode === 'poll') record = await this.pollVerdict(windowFrom, now, baseline, signal);
    else if (!this.everPrinted) {
      const said = this.run?.stderr.trim().split('\n').slice(-1)[0];
      record = couldNotRun(this.spec.service, `\`${this.where}\` printed no log line on its standard output in ${Math.round((now - this.startedAt) / 1000)} s${said ? ` (it said on stderr: ${said})` : ''}; nothing to judge the error rate by`, empty, this.spec.threshold);
    } else if (this.problem && !this.streaming) {
      record = couldNotRun(this.spec.service, `${this.problem}; the logs were not being read at the end of the watch window`, empty, this.spec.threshold);
    } else {
      // Still streaming at the end of the window: it follows.
      this.absorbPending(false);
      this.mode = 'follow';
      const all = this.arrivals;
      const counts = { baseline, during: phaseCount(all.between(this.startedAt, windowFrom), windowFrom - this.startedAt), after: phaseCount(all.between(windowFrom), now - windowFrom) };
      record = judgeLogCounts(this.spec.service, counts, this.spec.threshold);
    }
    this.verdictDone = record;
    this.update(true);
    return record;
  }

  private async pollVerdict(windowFrom: number, now: number, baseline: PhaseCount, signal?: AbortSignal): Promise<LogCheckRecord> {
    const bound = AbortSignal.any([this.stop$.signal, AbortSignal.timeout(this.t.finalReadMs), ...(signal ? [signal] : [])]);
    const all = await this.readWindow(this.startedAt, bound);
    const after = 'problem' in all ? all : await this.readWindow(windowFrom, bound);
    const zero = { errors: 0, lines: 0 };
    if ('problem' in all || 'problem' in after) {
      const why = 'problem' in all ? all.problem : (after as { problem: string }).problem;
      return couldNotRun(this.spec.service, why, { baseline, during: phaseCount(zero, windowFrom - this.startedAt), after: phaseCount(zero, now - windowFrom) }, this.spec.threshold);
    }
    this.polled.set(this.startedAt, all);
    this.polled.set(windowFrom, after);
    const during = { errors: Math.max(0, all.errors - after.errors), lines: Math.max(0, all.lines - after.lines) };
    if (!this.everPrinted) {
      return couldNotRun(this.spec.service, `\`${this.where}\` printed no log line at all (baseline, rollback and watch window); nothing to judge the error rate by`, { baseline, during: phaseCount(during, windowFrom - this.startedAt), after: phaseCount(after, now - windowFrom) }, this.spec.threshold);
    }
    return judgeLogCounts(this.spec.service, { baseline, during: phaseCount(during, windowFrom - this.startedAt), after: phaseCount(after, now - windowFrom) }, this.spec.threshold);
  }
}
