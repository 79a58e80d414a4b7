// The log check's verdict: the error rate in the watch window after the rollback against the
// baseline's, and the sentence that says so with the numbers an on-call engineer would quote.
import { formatDuration } from '../config/duration';
import type { ExecResult } from '../ports';
import { oneLine } from '../redact/displayText';
import type { LogCheckRecord, LogCheckStatus, LogWatchService, PhaseCount } from './types';

export function perMinute(c: PhaseCount): number | undefined {
  return c.windowMs > 0 ? (c.errors * 60_000) / c.windowMs : undefined;
}

/** "9.4/min"; two significant digits below 10. */
export function formatRate(r: number | undefined): string {
  if (r === undefined) return 'no rate (empty window)';
  const shown = r >= 10 ? Math.round(r) : r >= 1 ? Number(r.toFixed(1)) : Number(r.toPrecision(2));
  return `${shown}/min`;
}

/** A window as people say it: "1.5 s", "45 s", "2m", "5m30s". */
export function windowText(ms: number): string {
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return formatDuration(Math.round(ms / 1000) * 1000);
}

/** "47 errors in 5m (9.4/min)". */
export function describeCount(c: PhaseCount): string {
  return `${c.errors} error${c.errors === 1 ? '' : 's'} in ${windowText(c.windowMs)} (${formatRate(perMinute(c))})`;
}

/**
 * Passed when there was no error after the rollback, or when the rate after it is below
 * threshold × the baseline's rate. A baseline of zero errors with errors after the rollback
 * fails: the rollback did not bring the error rate down, it brought errors.
 */
export function judgeLogCounts(service: string, counts: { baseline: PhaseCount; during: PhaseCount; after: PhaseCount }, threshold: number): LogCheckRecord {
  const { baseline, during, after } = counts;
  const baselinePerMin = perMinute(baseline);
  const afterPerMin = perMinute(after);
  const bar = threshold === 1 ? `the baseline's ${formatRate(baselinePerMin)}` : `${threshold} × the baseline's ${formatRate(baselinePerMin)} = ${formatRate(baselinePerMin === undefined ? undefined : threshold * baselinePerMin)}`;
  const before = `${describeCount(baseline)} before the rollback`;
  const rollback = during.windowMs > 0 ? `; ${during.errors} during it` : '';
  const base = { service, baseline, during, after, threshold, ...(baselinePerMin !== undefined ? { baselinePerMin } : {}), ...(afterPerMin !== undefined ? { afterPerMin } : {}) };
  if (after.errors === 0) {
    return { ...base, status: 'passed', detail: `passed: no error in the ${windowText(after.windowMs)} after the rollback (${after.lines} line${after.lines === 1 ? '' : 's'} read); ${before}${rollback}` };
  }
  const below = baselinePerMin !== undefined && afterPerMin !== undefined && afterPerMin < threshold * baselinePerMin;
  const afterText = `${describeCount(after)} after the rollback`;
  return below
    ? { ...base, status: 'passed', detail: `passed: ${afterText}, below ${bar} (${before}${rollback})` }
    : { ...base, status: 'failed', detail: `failed: ${afterText} is not below ${bar} (${before}${rollback})` };
}

export function couldNotRun(service: string, why: string, counts: { baseline: PhaseCount; during: PhaseCount; after: PhaseCount }, threshold: number): LogCheckRecord {
  return { service, status: 'could-not-run', detail: `could not run: ${why}`, ...counts, threshold };
}

/** How much of the host's last stderr line a failure quotes: the host writes it (journal, post-mortem, checklist, triggers). */
const SAID_MAX = 300;

/** How a run of the logs command went wrong, with the last thing it said on stderr (one line, its control characters shown, bounded). */
export function describeFailure(spec: Pick<LogWatchService, 'command' | 'where'>, r: ExecResult): string {
  const said = oneLine(r.stderr.trim().split('\n').slice(-1)[0] ?? '', SAID_MAX);
  const tail = said ? `: ${said}` : '';
  const what = `\`${spec.command} on ${spec.where}\``;
  if (r.lost) return `the connection to ${spec.where} was lost while \`${spec.command}\` ran${tail}`;
  if (r.timedOut) return `${what} did not finish within its time limit${tail}`;
  return `${what} ${r.code === null ? `was killed by ${r.signal ?? 'a signal'}` : `exited ${r.code}`}${tail}`;
}

/**
 * A log check's status as the all-clear and the post-mortem name it, from its journal record:
 * passed only when the step is ok with a passing verdict; skipped when the operator skipped it
 * (whatever the watch found); could-not-run when the logs could not be judged; pending before.
 */
export function logCheckStatus(js: { outcome: string; logWatch?: { check?: LogCheckRecord } }): LogCheckStatus | 'pending' {
  if (js.outcome === 'skipped') return 'skipped';
  const check = js.logWatch?.check;
  if (js.outcome === 'ok') return check?.status === 'passed' ? 'passed' : 'could-not-run';
  if (js.outcome === 'failed' || js.outcome === 'unknown') return check?.status === 'failed' ? 'failed' : 'could-not-run';
  return 'pending';
}
