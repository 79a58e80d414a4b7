// The error spikes offered as triggers when the operator decides: each service with `logs:`
// of the environment a rollback would most likely go to (the first of "Which environment?"),
// read where it runs, the last 5 minutes against the hour before (core/logs/spike.ts).
import { posix } from 'node:path';
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import { logWatchOf } from '../core/logs/config';
import { measureErrorSpike, type ErrorSpike } from '../core/logs/spike';
import type { CommandRunner } from '../core/ports';
import type { RollbackSessions } from './sessions';
import { environmentChoices } from './targetFacts';
import type { WorkspaceModel } from './workspaceModel';

export interface ErrorSpikeSources {
  config: RollbackConfig;
  /** The environment whose services are read; the first environment when absent. */
  environment?: EnvironmentConfig;
  /** A runner of "local" or an SSH destination, disposed here after use. */
  runnerFor(where: string): CommandRunner;
  /** Local targets: relative environment paths are resolved against this folder. */
  workspaceRoot?: string;
  now?: number;
}

/** One reading per service with logs (in config order); a service whose logs cannot be read says so in its text. Never throws. */
export async function errorSpikes(s: ErrorSpikeSources): Promise<ErrorSpike[]> {
  const env = s.environment ?? s.config.environments[0];
  const services = s.config.services.filter((svc) => svc.logs);
  if (!env || !env.host || services.length === 0) return [];
  const cwd = env.host === 'local' && s.workspaceRoot && !env.path.startsWith('/') ? posix.join(s.workspaceRoot, env.path) : env.path;
  const runner = s.runnerFor(env.host);
  try {
    const now = s.now ?? Date.now();
    // One service after the other: they share one connection, and the first trigger is the one that matters.
    const out: ErrorSpike[] = [];
    for (const svc of services) {
      const w = logWatchOf(svc, env.host, cwd)!;
      out.push(await measureErrorSpike(runner, w, now).catch((e: Error) => ({ service: svc.name, recent: 0, recentMs: 0, earlierMs: 0, spike: false, problem: e.message, text: `${svc.name}: its logs could not be read (${e.message})` })));
    }
    return out;
  } finally {
    await runner.dispose().catch(() => undefined);
  }
}

/** The readings as lines, spikes first, with the environment named when there are several. */
export function spikeTriggers(spikes: readonly ErrorSpike[], environment?: string): string[] {
  const prefix = environment ? `${environment} ` : '';
  return [...spikes].sort((a, b) => Number(b.spike) - Number(a.spike)).map((x) => `${prefix}${x.text}`);
}

/**
 * The spikes the decision offers as triggers ("api: 47 errors in the last 5 minutes, 3 in the
 * hour before"): started before the question is asked, which shows what has arrived. Never rejects.
 */
export async function decisionTriggers(workspace: WorkspaceModel, sessions: Pick<RollbackSessions, 'runnerFor'>): Promise<string[]> {
  try {
    const { config } = await workspace.config();
    if (!config.services.some((s) => s.logs)) return [];
    const first = (await environmentChoices(workspace, config))[0]?.env;
    const spikes = await errorSpikes({ config, environment: first, runnerFor: (where) => sessions.runnerFor(where), workspaceRoot: workspace.root.fsPath });
    return spikeTriggers(spikes.filter((x) => x.spike), config.environments.length > 1 ? first?.name : undefined);
  } catch {
    return [];
  }
}
