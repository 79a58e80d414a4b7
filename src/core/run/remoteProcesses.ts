import type { CommandRunner } from '../ports';

/**
 * Process groups on an SSH host, looked at and stopped through the host's own `kill`.
 * sshd starts every session command in a new session (setsid), so the remote shell's
 * `$$` that SshCommandRunner reports is also its process group. Both the group and the
 * shell itself are checked, in case a host's sshd behaves otherwise. No `--` after the
 * signal: dash's built-in kill (Debian's /bin/sh) rejects it.
 */
export class RemoteProcessGroups {
  constructor(private readonly runner: CommandRunner) {}

  /** true / false, or the reason it cannot be told (the host does not answer). */
  async isRunning(processGroup: number): Promise<boolean | string> {
    const pg = checkedGroup(processGroup);
    const r = await this.runner.run(`if kill -0 -${pg} 2>/dev/null || kill -0 ${pg} 2>/dev/null; then echo running; else echo gone; fi`, { timeoutMs: 20_000 });
    const answer = r.stdout.trim();
    if (r.code === 0 && (answer === 'running' || answer === 'gone')) return answer === 'running';
    return (r.stderr.trim() || (r.timedOut ? 'no answer within 20 s' : `exit ${r.code ?? r.signal}`)).split('\n').slice(-1)[0];
  }

  /** SIGTERM to the group, SIGKILL after about `graceMs` if anything is left; one bounded remote command. */
  async terminate(processGroup: number, graceMs: number): Promise<void> {
    const pg = checkedGroup(processGroup);
    const seconds = Math.max(1, Math.ceil(graceMs / 1000));
    const alive = `{ kill -0 -${pg} || kill -0 ${pg}; } 2>/dev/null`;
    await this.runner.run(
      `kill -TERM -${pg} 2>/dev/null || kill -TERM ${pg} 2>/dev/null; i=0; while [ $i -lt ${seconds} ] && ${alive}; do sleep 1; i=$((i+1)); done; ` +
        `kill -KILL -${pg} 2>/dev/null; kill -KILL ${pg} 2>/dev/null; true`,
      { timeoutMs: graceMs + 20_000 },
    );
  }
}

/** A journal is a file on disk: what goes into a remote command line must be a plain process id. */
function checkedGroup(processGroup: number): number {
  if (!Number.isSafeInteger(processGroup) || processGroup <= 1) throw new Error(`not a process group id: ${processGroup}`);
  return processGroup;
}
