import type { CommandRunner } from '../ports';
import type { ProcessGroups } from './ports';

/**
 * Process groups on an SSH host, looked at and stopped through the host's own `kill`.
 * sshd starts every session command in a new session (setsid), so the remote shell's
 * `$$` that SshCommandRunner reports is also its process group. Both the group and the
 * shell itself are checked, in case a host's sshd behaves otherwise. No `--` after the
 * signal: dash's built-in kill (Debian's /bin/sh) rejects it.
 */
export class RemoteProcessGroups implements ProcessGroups {
  constructor(private readonly runner: CommandRunner) {}

  /** true / false, or the reason it cannot be told (the host does not answer). */
  async isRunning(processGroup: number, startTicks?: string): Promise<boolean | string> {
    const pg = checkedGroup(processGroup);
    const r = await this.runner.run(`if ${otherProcess(pg, startTicks)}; then echo gone; elif kill -0 -${pg} 2>/dev/null || kill -0 ${pg} 2>/dev/null; then echo running; else echo gone; fi`, { timeoutMs: 20_000 });
    const answer = r.stdout.trim();
    if (r.code === 0 && (answer === 'running' || answer === 'gone')) return answer === 'running';
    return (r.stderr.trim() || (r.timedOut ? 'no answer within 20 s' : `exit ${r.code ?? r.signal}`)).split('\n').slice(-1)[0];
  }

  /** SIGTERM to the group, SIGKILL after about `graceMs` if anything is left; one bounded remote command. */
  async terminate(processGroup: number, graceMs: number, startTicks?: string): Promise<void> {
    const pg = checkedGroup(processGroup);
    const seconds = Math.max(1, Math.ceil(graceMs / 1000));
    const alive = `{ kill -0 -${pg} || kill -0 ${pg}; } 2>/dev/null`;
    await this.runner.run(
      // Checked on the host right before the first signal: a pid that is someone else's now is left alone.
      `if ${otherProcess(pg, startTicks)}; then exit 0; fi; kill -TERM -${pg} 2>/dev/null || kill -TERM ${pg} 2>/dev/null; i=0; while [ $i -lt ${seconds} ] && ${alive}; do sleep 1; i=$((i+1)); done; ` +
        `kill -KILL -${pg} 2>/dev/null; kill -KILL ${pg} 2>/dev/null; true`,
      { timeoutMs: graceMs + 20_000 },
    );
  }
}

/**
 * Shell test: the pid now belongs to a process started at another time (Linux /proc; where
 * /proc cannot be read, or no start time was recorded, nothing is concluded).
 */
function otherProcess(pg: number, startTicks: string | undefined): string {
  if (!startTicks) return 'false';
  if (!/^\d+$/.test(startTicks)) throw new Error(`not a start time: ${startTicks}`);
  return `{ s=$(cut -d' ' -f22 /proc/${pg}/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != ${startTicks} ]; }`;
}

/** A journal is a file on disk: what goes into a remote command line must be a plain process id. */
function checkedGroup(processGroup: number): number {
  if (!Number.isSafeInteger(processGroup) || processGroup <= 1) throw new Error(`not a process group id: ${processGroup}`);
  return processGroup;
}
