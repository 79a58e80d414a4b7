// A logs command that is stopped for good when its signal aborts. Locally the runner kills its
// process group. On an SSH host, closing the channel leaves the command running (sshd does not
// end a session's processes with its channel, and a command that prints nothing never finds
// out), so the process group the runner reports when the command starts is terminated there.
import type { CommandRunner, ExecOptions, ExecResult } from '../ports';
import { RemoteProcessGroups } from '../run/remoteProcesses';

export async function runStoppable(runner: CommandRunner, command: string, options: ExecOptions & { signal: AbortSignal }): Promise<ExecResult> {
  if (runner.where === 'local') return runner.run(command, options);
  let group: { pg: number; ticks?: string } | undefined;
  let terminated: Promise<void> | undefined;
  const onAbort = (): void => void (terminated = group && new RemoteProcessGroups(runner).terminate(group.pg, 1000, group.ticks).catch(() => undefined));
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await runner.run(command, { ...options, onStarted: (pg, ticks) => (group = { pg, ticks }) });
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    // Resolved once the host has done it: whoever closes the connection next waits for this.
    await terminated;
  }
}
