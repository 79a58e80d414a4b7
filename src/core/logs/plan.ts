// The plan's log-watch steps: one that starts watching before the first change (the planner
// puts it right after the preflight), and one check per service after its other checks.
import { formatDuration } from '../config/duration';
import type { ServiceConfig } from '../config/types';
import type { PlanCommand, PlanStep } from '../plan/types';
import { logWatchOf } from './config';
import type { LogWatchService } from './types';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

function watches(services: readonly ServiceConfig[], at: At): LogWatchService[] {
  return services.flatMap((svc) => {
    if (!svc.logs) return [];
    const { where, cwd } = at(svc.logs.command);
    return [logWatchOf(svc, where, cwd)!];
  });
}

function patternText(w: LogWatchService): string {
  return `/${w.errors.source}/${w.errors.flags}`;
}

/**
 * Every configured service with logs is watched (the full redeploy's checks may need any of
 * them), from before the first change: the baseline is what each command prints for the
 * window before now, and the logs then stream in the background while the steps run.
 */
export function logWatchStartSteps(services: readonly ServiceConfig[], at: At): PlanStep[] {
  const list = watches(services, at);
  if (list.length === 0) return [];
  const baseline = [...new Set(list.map((w) => formatDuration(w.baselineMs)))].join(' or ');
  return [
    {
      id: 'logs-watch',
      kind: 'log-watch',
      title: `Watch the logs of ${list.map((w) => w.service).join(', ')}`,
      why: `Counts the error lines (${list.map((w) => `${w.service}: ${patternText(w)}`).join('; ')}) in the ${baseline} before now as the baseline, then keeps reading in the background while the steps run; this step does not wait for it. {since} is filled in with the start of the window each command reads.`,
      commands: list.map((w) => at(w.command)),
      destructive: false,
      logWatch: { role: 'start', services: list },
    },
  ];
}

/** The log check of each service with logs: after the watch window, the error rate must be below the baseline's. */
export function logCheckSteps(services: readonly ServiceConfig[], at: At, idPrefix = ''): PlanStep[] {
  return watches(services, at).map((w) => ({
    id: `${idPrefix}logs-${w.service}`,
    kind: 'logs' as const,
    service: w.service,
    title: `Error rate of ${w.service} after the rollback (logs)`,
    why: `Lines matching ${patternText(w)} in the ${formatDuration(w.watchMs)} after the rollback's changes must come at a lower rate than in the ${formatDuration(w.baselineMs)} before it${w.threshold === 1 ? '' : ` times ${w.threshold}`} (or not at all). The logs have streamed since the start; this step waits for the rest of the window, then judges.`,
    commands: [],
    destructive: false,
    logWatch: { role: 'check' as const, watch: w },
  }));
}
