// Log output as lines: chunks split at newlines (a line cut between two chunks is counted
// once, whole), each line tested against the error pattern, and the live lines kept as
// counts per tenth of a second of arrival, so the rollback's and the watch window's share can be told
// apart afterwards at any boundary (to a tenth of a second).
import type { LogBucket, PhaseCount } from './types';

/** Splits streamed text into lines; the part after the last newline waits for the next chunk. */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
    // A line without an end (a binary blob, a progress bar) must not grow without bound.
    if (this.rest.length > 1 << 16) this.flush();
  }

  /** The last line, when the output ended without a newline. */
  flush(): void {
    if (this.rest === '') return;
    const line = this.rest;
    this.rest = '';
    this.onLine(line);
  }
}

const SECOND = 1000;
/** Arrivals are kept per tenth of a second: a window's edge falls between two lines that came 0.1 s apart. */
const GRAIN = 100;

/** Errors and lines per tenth of a second of arrival. */
export class ArrivalCounts {
  private readonly byGrain = new Map<number, { errors: number; lines: number }>();

  add(at: number, error: boolean, lines = 1): void {
    const key = Math.floor(at / GRAIN);
    const b = this.byGrain.get(key) ?? { errors: 0, lines: 0 };
    b.lines += lines;
    if (error) b.errors += lines;
    this.byGrain.set(key, b);
  }

  /** Adds n errors and m lines at once (a poll's increase). */
  addCounts(at: number, errors: number, lines: number): void {
    const key = Math.floor(at / GRAIN);
    const b = this.byGrain.get(key) ?? { errors: 0, lines: 0 };
    b.errors += errors;
    b.lines += lines;
    this.byGrain.set(key, b);
  }

  merge(other: ArrivalCounts): void {
    for (const [k, b] of other.byGrain) {
      const mine = this.byGrain.get(k) ?? { errors: 0, lines: 0 };
      this.byGrain.set(k, { errors: mine.errors + b.errors, lines: mine.lines + b.lines });
    }
  }

  /** What arrived from `from` (inclusive) to `to` (exclusive), to the tenth of a second. */
  between(from: number, to = Infinity): { errors: number; lines: number } {
    const lo = Math.floor(from / GRAIN);
    const hi = to === Infinity ? Infinity : Math.floor(to / GRAIN);
    let errors = 0;
    let lines = 0;
    for (const [k, b] of this.byGrain) {
      if (k < lo || k >= hi) continue;
      errors += b.errors;
      lines += b.lines;
    }
    return { errors, lines };
  }

  /** At most about `max` bars from `from` to `now`, split where the watch window starts (`afterFrom`): during, then after. */
  series(from: number, now: number, afterFrom: number | undefined, max = 40): LogBucket[] {
    const width = Math.max(SECOND, Math.ceil((now - from) / max / SECOND) * SECOND);
    const out: LogBucket[] = [];
    const bars = (a: number, b: number, phase: LogBucket['phase']): void => {
      for (let at = a; at < b; at += width) {
        const c = this.between(at, Math.min(b, at + width));
        out.push({ at, phase, errors: c.errors, lines: c.lines });
      }
    };
    const split = afterFrom === undefined ? now + SECOND : Math.max(from, Math.min(afterFrom, now + SECOND));
    bars(from, split, 'during');
    if (afterFrom !== undefined) bars(split, now + SECOND, 'after');
    return out;
  }
}

export function phaseCount(c: { errors: number; lines: number }, windowMs: number): PhaseCount {
  return { errors: c.errors, lines: c.lines, windowMs: Math.max(0, windowMs) };
}
