// Durations in rollback.yml: "500ms", "30s", "5m", "1h", "1m30s", or a plain number of seconds.
// The same grammar is written as a regex in schema/rollback.schema.json (definitions.duration);
// a unit test keeps the two in agreement.

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

// Units must appear largest first and at most once, so "5s5m" is rejected rather than guessed at.
export const DURATION_PATTERN = /^(?=\d)(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/;

export const DURATION_EXAMPLES = '30s, 5m, 1m30s';

/** Milliseconds, or undefined when `s` is not a duration (or is negative, not finite, or too large). */
export function parseDuration(s: string | number): number | undefined {
  if (typeof s === 'number') {
    if (!Number.isFinite(s) || s < 0) return undefined;
    return checked(Math.round(s * 1000));
  }
  const m = DURATION_PATTERN.exec(s);
  if (!m) return undefined;
  const [, h, min, sec, ms] = m;
  const total = num(h) * UNIT_MS.h + num(min) * UNIT_MS.m + num(sec) * UNIT_MS.s + num(ms) * UNIT_MS.ms;
  return checked(Math.round(total));
}

/** Shortest form that parseDuration reads back to the same milliseconds, e.g. 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out;
}

function num(part: string | undefined): number {
  return part === undefined ? 0 : Number(part);
}

function checked(ms: number): number | undefined {
  return Number.isSafeInteger(ms) ? ms : undefined;
}
