// What a child process was started with, read from /proc once it has exec'd. Read right after
// spawn, /proc/PID/environ can still be empty or the parent's (between fork and exec, more so on
// a loaded machine), so the read waits, bounded, for the command line to name the program.
import { readFileSync } from 'node:fs';

export interface ProcInfo {
  environ: string;
  cmdline: string;
}

/** Polls /proc/PID until its cmdline contains `program` (every 10 ms, at most `timeoutMs`); '(gone)' when the process ended first. */
export async function procAfterExec(pid: number, program: string, timeoutMs = 5_000): Promise<ProcInfo> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(program) && environ) return { environ, cmdline };
    } catch {
      return { environ: '(gone)', cmdline: '(gone)' };
    }
    if (Date.now() > until) return { environ: '(not exec\'d in time)', cmdline: '(not exec\'d in time)' };
    await new Promise((r) => setTimeout(r, 10));
  }
}
