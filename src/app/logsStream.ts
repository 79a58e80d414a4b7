// "Open logs" of the checklist: a service's logs, streamed where the service runs, for a
// terminal to show. The commands are the run's own (the plan's log watch), or rollback.yml's
// when the plan watched none; {since} is the start of the baseline window, so the terminal
// opens on the minutes before the rollback too.
import type { RollbackConfig } from '../core/config/types';
import { logWatchOf } from '../core/logs/config';
import { fillSince } from '../core/logs/since';
import { runStoppable } from '../core/logs/stoppable';
import type { LogWatchService } from '../core/logs/types';
import type { RollbackPlan } from '../core/plan/types';
import type { CommandRunner, ExecResult } from '../core/ports';

/** The services whose logs a run can show: the plan's watched ones, else the config's services with logs on the plan's target. */
export function logsOfRun(plan: Pick<RollbackPlan, 'steps' | 'where' | 'cwd'>, config?: RollbackConfig): LogWatchService[] {
  for (const s of plan.steps) if (s.logWatch?.role === 'start') return s.logWatch.services;
  return (config?.services ?? []).flatMap((svc) => {
    const w = logWatchOf(svc, plan.where, plan.cwd);
    return w ? [w] : [];
  });
}

export interface StreamEnd {
  /** stopped: the viewer closed it; exited: the command ended by itself (a command that prints and exits); failed: it could not run. */
  how: 'stopped' | 'exited' | 'failed';
  result?: ExecResult;
  /** Why it failed, for the viewer. */
  problem?: string;
}

/** Streams one service's logs until `signal` aborts or the command ends; every chunk goes to `onText` as it comes. */
export async function streamLogs(runner: CommandRunner, w: LogWatchService, o: { onText(text: string, stream: 'stdout' | 'stderr'): void; signal: AbortSignal; now?: number }): Promise<StreamEnd> {
  const filled = fillSince(w.command, (o.now ?? Date.now()) - w.baselineMs, w.since);
  if ('problem' in filled) return { how: 'failed', problem: filled.problem };
  // No time limit of its own: it runs while the terminal is open.
  const result = await runStoppable(runner, filled.command, { ...(w.cwd !== undefined ? { cwd: w.cwd } : {}), timeoutMs: 0, signal: o.signal, onOutput: (chunk, stream) => o.onText(chunk, stream) });
  if (o.signal.aborted) return { how: 'stopped', result };
  if (result.code === 0) return { how: 'exited', result };
  const said = result.stderr.trim().split('\n').slice(-1)[0];
  const why = result.lost ? `the connection to ${w.where} was lost` : result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit ${result.code}`;
  return { how: 'failed', result, problem: `\`${w.command}\` on ${w.where}: ${why}${said ? `: ${said}` : ''}` };
}
