export const DEFAULT_ESCALATE_AT_MINUTES: readonly number[] = [5, 15];

export interface Escalation {
  minute: number;
  /** 'update' at the first point, 'next-layer' at later ones. */
  kind: 'update' | 'next-layer';
  suggestion: string;
}

export interface TimerStatus {
  elapsedMs: number;
  /** "m:ss", or "h:mm:ss" past an hour. */
  label: string;
  /** Escalation points already reached that the user has not handled yet. */
  due: Escalation[];
  /** The next point still ahead, if any. */
  next?: Escalation;
}

export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function escalationAt(minute: number, index: number): Escalation {
  return index === 0
    ? { minute, kind: 'update', suggestion: `${minute} minutes since the decision: post an update to the team (what is done, what is next).` }
    : {
        minute,
        kind: 'next-layer',
        suggestion: `${minute} minutes since the decision: consider the next layer — check out the last-known-good release instead of reverting, a full redeploy, or restoring the database backup.`,
      };
}

export function timerStatus(decidedAt: string, escalateAtMinutes: readonly number[], handled: readonly number[], now: number): TimerStatus {
  const elapsedMs = Math.max(0, now - Date.parse(decidedAt));
  const points = [...new Set(escalateAtMinutes)].filter((m) => m > 0).sort((a, b) => a - b).map(escalationAt);
  const reached = points.filter((p) => elapsedMs >= p.minute * 60_000);
  return {
    elapsedMs,
    label: formatElapsed(elapsedMs),
    due: reached.filter((p) => !handled.includes(p.minute)),
    next: points.find((p) => elapsedMs < p.minute * 60_000),
  };
}
