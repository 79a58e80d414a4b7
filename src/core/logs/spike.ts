// The error spike as a trigger for the decision: "api: 47 errors in the last 5 minutes, 3 in
// the hour before" (runbook 000's first trigger, `docker-compose logs api --tail 100 | grep -i
// error`, with the numbers). Read with the service's own logs command, where the service runs:
// once from {since} = the start of the recent window, once from the start of the earlier one;
// the difference is the earlier window's count. Bounded: a command that follows is read for
// its first burst only, and every read has a deadline.
import type { CommandRunner, ExecResult } from '../ports';
import { LineSplitter } from './lines';
import { errorMatcher } from './pattern';
import { fillSince, takesSince } from './since';
import type { LogWatchService } from './types';
import { runStoppable } from './stoppable';
import { describeFailure } from './verdict';
import { oneLine } from '../redact/displayText';

export interface ErrorSpike {
  service: string;
  /** Errors in the recent window (the last recentMs). */
  recent: number;
  recentMs: number;
  /** Errors in the window before it; undefined when the command takes no {since} (nothing can be split by time). */
  earlier?: number;
  earlierMs: number;
  /** The recent rate is at least three times the earlier one, with at least 5 errors: worth offering as a trigger. */
  spike: boolean;
  /** The sentence for the decision step. */
  text: string;
  /** Why the logs could not be read (then the counts are 0 and `text` says so). */
  problem?: string;
}

export const SPIKE_DEFAULTS = { recentMs: 5 * 60_000, earlierMs: 60 * 60_000, timeoutMs: 15_000, settleMs: 300, firstOutputMs: 5_000 } as const;

/** "the last 5 minutes", "the last minute", "the hour", "2 hours", "90 seconds". */
function span(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  if (min === 1) return 'minute';
  if (min % 60 === 0) return min === 60 ? 'hour' : `${min / 60} hours`;
  return `${min} minutes`;
}

const errorsWord = (n: number): string => `${n} error${n === 1 ? '' : 's'}`;

/** The decision step's sentence for a spike already counted. */
export function errorSpikeText(s: Pick<ErrorSpike, 'service' | 'recent' | 'recentMs' | 'earlier' | 'earlierMs' | 'problem'>): string {
  // The problem may quote the host (its stderr, a connection error): one bounded line in the decision's QuickPick and page.
  if (s.problem) return `${s.service}: its logs could not be read (${oneLine(s.problem, 400)})`;
  const recentSpan = span(s.recentMs);
  const recent = `${errorsWord(s.recent)} in the last ${recentSpan}`;
  if (s.earlier === undefined) return `${s.service}: ${errorsWord(s.recent)} in its log (its logs command takes no {since}, so they cannot be split by time)`;
  const before = span(s.earlierMs);
  return `${s.service}: ${recent}, ${s.earlier} in the ${before} before`;
}

export function isSpike(recent: number, recentMs: number, earlier: number | undefined, earlierMs: number): boolean {
  if (recent < 5) return false;
  if (earlier === undefined) return false;
  const recentRate = recent / recentMs;
  const earlierRate = earlier / earlierMs;
  return earlierRate === 0 || recentRate >= 3 * earlierRate;
}

/** Counts the errors of one service's logs in the recent window and the one before it, where the service runs. */
export async function measureErrorSpike(runner: CommandRunner, w: LogWatchService, now: number, options: Partial<typeof SPIKE_DEFAULTS> = {}): Promise<ErrorSpike> {
  const o = { ...SPIKE_DEFAULTS, ...options };
  const base = { service: w.service, recentMs: o.recentMs, earlierMs: o.earlierMs };
  const fail = (problem: string): ErrorSpike => ({ ...base, recent: 0, spike: false, problem, text: errorSpikeText({ ...base, recent: 0, problem }) });
  if (w.errors.problem) return fail(w.errors.problem);
  const matches = errorMatcher(w.errors);
  const read = async (sinceMs: number): Promise<number | { problem: string }> => {
    const filled = fillSince(w.command, sinceMs, w.since);
    if ('problem' in filled) return filled;
    let errors = 0;
    let lines = 0;
    const split = new LineSplitter((line) => {
      lines++;
      if (matches(line)) errors++;
    });
    const r = await readBurst(runner, filled.command, w.cwd, (chunk) => split.push(chunk), o);
    split.flush();
    if (r.code === 0) return errors;
    // A following command is cut after its burst; one that printed nothing at all told nothing.
    if (r.timedOut && !r.lost) return lines > 0 ? errors : { problem: `\`${w.command} on ${w.where}\` printed nothing within ${Math.round(o.firstOutputMs / 1000)} s` };
    return { problem: describeFailure(w, r) };
  };
  const recent = await read(now - o.recentMs);
  if (typeof recent !== 'number') return fail(recent.problem);
  if (!takesSince(w.command)) return { ...base, recent, spike: false, text: errorSpikeText({ ...base, recent }) };
  const total = await read(now - o.recentMs - o.earlierMs);
  if (typeof total !== 'number') return fail(total.problem);
  const earlier = Math.max(0, total - recent);
  return { ...base, recent, earlier, spike: isSpike(recent, o.recentMs, earlier, o.earlierMs), text: errorSpikeText({ ...base, recent, earlier }) };
}

/**
 * Runs the command until it exits, or, when it follows, until its first burst of output is
 * over (a pause of settleMs, nothing at all for firstOutputMs, or the deadline). A command cut
 * on a host is terminated there (closing its channel would leave it running).
 */
async function readBurst(runner: CommandRunner, command: string, cwd: string | undefined, onStdout: (chunk: string) => void, o: typeof SPIKE_DEFAULTS): Promise<ExecResult> {
  const stop = new AbortController();
  let timer = setTimeout(() => stop.abort(), o.firstOutputMs);
  const deadline = setTimeout(() => stop.abort(), o.timeoutMs);
  try {
    return await runStoppable(runner, command, {
      ...(cwd !== undefined ? { cwd } : {}),
      timeoutMs: o.timeoutMs,
      signal: stop.signal,
      onOutput: (chunk, stream) => {
        if (stream !== 'stdout') return;
        clearTimeout(timer);
        timer = setTimeout(() => stop.abort(), o.settleMs);
        onStdout(chunk);
      },
    });
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
  }
}
