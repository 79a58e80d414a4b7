// The two clocks of an SSH connection that ssh2's own options get wrong for us.

/**
 * ssh2 options that declare the link dead `intervalMs × countMax` after the last answer.
 *
 * ssh2 (lib/client.js, sendKA) counts a tick every keepaliveInterval and gives up on the tick
 * where the count *exceeds* keepaliveCountMax: with 10 s × 3 a black-holed link is noticed
 * after 40 s, one interval late. Each answered keepalive restarts the interval. So for a
 * count of 2 or more we give ssh2 count − 1 (it then fails on the count-th tick after the last
 * answer). A count of 1 cannot be given as 0 (ssh2 would fail on the first tick without
 * sending anything, on a healthy link too), so it ticks twice as often with 1: it still fails
 * `intervalMs` after the last answer, and a healthy link has half an interval to answer.
 * An interval of 0 turns keepalive off (ssh2's meaning).
 */
export function ssh2Keepalive(intervalMs: number, countMax: number): { keepaliveInterval: number; keepaliveCountMax: number } {
  if (!(intervalMs > 0)) return { keepaliveInterval: 0, keepaliveCountMax: 0 };
  const count = Math.max(1, Math.floor(countMax));
  return count >= 2 ? { keepaliveInterval: intervalMs, keepaliveCountMax: count - 1 } : { keepaliveInterval: Math.max(1, Math.floor(intervalMs / 2)), keepaliveCountMax: 1 };
}

/**
 * The connect timeout, as a deadline that stands still while the user reads a host-key
 * fingerprint: ssh2's readyTimeout runs on while its hostVerifier waits, so a careful user
 * who took 20 s to compare a fingerprint got "Timed out while waiting for handshake". This
 * one counts only the time the host has to answer (TCP connect, key exchange, auth).
 */
export class HandshakeDeadline {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private since = 0;
  private stopped = false;

  constructor(
    readonly ms: number,
    private readonly onExpired: () => void,
  ) {
    this.remaining = ms;
  }

  /** Starts or resumes the count. No-op when the timeout is 0 (off) or already running or stopped. */
  run(): void {
    if (this.stopped || this.timer || !(this.ms > 0)) return;
    this.since = Date.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stopped = true;
      this.onExpired();
    }, Math.max(0, this.remaining));
  }

  /** Holds the count (the user is being asked); run() goes on with what was left. */
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.since;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
