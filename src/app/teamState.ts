// The team's shared state kept on an environment's target: its release records (deploys, bad
// marks) and another operator's rollback in progress. Read only when a rollback is planned for
// the environment or on an explicit Refresh, never on opening a view (the one read a view's first
// paint starts is environmentStatus.ts's deployed line, with known host keys only, asking nothing).
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';
import { oneLine } from '../core/redact/displayText';
import type { RecordsStore } from '../core/releases/recordsStore';
import { targetRecordsFile, targetRecordsStorage } from '../core/releases/targetRecords';
import { readRollbackInProgress, type RollbackInProgress } from '../core/run/rollbackInProgress';
import { environmentCwd } from './environments';
import type { WorkspaceModel } from './workspaceModel';

type TargetEnv = Pick<EnvironmentConfig, 'name' | 'host' | 'path' | 'records'>;

/**
 * Attaches `env`'s target records to the store (one short connection per read or write, closed
 * after it). A local target keeps only the workspace's own file: there is no second laptop
 * on it. Returns whether a target is attached.
 */
export function attachTeamRecords(records: RecordsStore, runnerFor: (host: string) => CommandRunner, env: TargetEnv | undefined): boolean {
  if (!env || env.host === 'local') {
    records.attachTarget(undefined);
    return false;
  }
  const runner = runnerFor(env.host);
  records.attachTarget(env.name, targetRecordsStorage(runner, targetRecordsFile(env), { afterEach: () => runner.dispose() }));
  return true;
}

/** The environment Refresh reads the team's state of: the one attached last (planned for), else the only remote one. */
export function teamEnvironment(records: RecordsStore, config: RollbackConfig): EnvironmentConfig | undefined {
  const attached = records.target?.environment;
  const remote = config.environments.filter((e) => e.host !== 'local');
  return remote.find((e) => e.name === attached) ?? (remote.length === 1 ? remote[0] : undefined);
}

/** What Refresh found on the target, for the Releases view's top node. */
export interface TeamState {
  environment: string;
  where: string;
  readAt: string;
  inProgress?: RollbackInProgress;
  /** Why the lock or the journal copy could not be read (the host and file named). */
  problem?: string;
}

let lastState: TeamState | undefined;

/** The state the last Refresh read, without reading anything. */
export function lastTeamState(): TeamState | undefined {
  return lastState;
}

const listeners = new Set<() => void>();

/** Called after every Refresh of the team's state (the checklist repaints its notice). */
export function onTeamStateRead(listener: () => void): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => void listeners.delete(listener) };
}

/**
 * The checklist's line about another operator's rollback in progress, from the last Refresh:
 * "rollback of production by alice@…, step 6/12 (…), since 03:12 UTC". None for the run the
 * checklist belongs to (its own lock), or when nobody holds the lock.
 */
export function otherRollbackNotice(ownRunId?: string): string | undefined {
  const p = lastState?.inProgress;
  if (!lastState || !p || p.lock.runId === ownRunId) return undefined;
  // The summary quotes the target's lock and journal copy (who, the step's title): one bounded line on the page, its controls shown.
  return `Another rollback is in progress on ${lastState.where}: ${oneLine(p.summary, 300)} (read ${lastState.readAt.slice(11, 16)} UTC; Rollback: Open Running Rollback's Journal shows it).`;
}

/**
 * Refresh: reads the team's records and the lock (with the holder's journal copy) on the
 * environment's target. Never rejects: what could not be read is said in the state.
 */
export async function refreshTeamState(records: RecordsStore, runnerFor: (host: string) => CommandRunner, config: RollbackConfig, cwdOf: (env: EnvironmentConfig) => string): Promise<TeamState | undefined> {
  const env = teamEnvironment(records, config);
  if (!env || !attachTeamRecords(records, runnerFor, env)) {
    lastState = undefined;
    return undefined;
  }
  await records.refreshTarget();
  const runner = runnerFor(env.host);
  const state: TeamState = { environment: env.name, where: runner.where, readAt: new Date().toISOString() };
  try {
    state.inProgress = await readRollbackInProgress(runner, { cwd: cwdOf(env), environment: env.name, records: env.records });
  } catch (e) {
    state.problem = (e as Error).message;
  } finally {
    await runner.dispose().catch(() => undefined);
  }
  lastState = state;
  for (const l of listeners) l();
  return state;
}

/** Refresh in a workspace: the team's state of its environment read, then the Releases view repainted from it. */
export async function refreshTeam(workspace: WorkspaceModel, records: RecordsStore, runnerFor: (host: string) => CommandRunner): Promise<void> {
  const { config } = await workspace.config();
  await refreshTeamState(records, runnerFor, config, (env) => environmentCwd(env, workspace.root.fsPath));
  workspace.invalidate(['releases']);
}
