// `rollback-pilot status` on a fleet (hosts: or inventory: in rollback.yml): what each host runs,
// read from the hosts as the Releases view reads them ("production: 4 hosts — 3 on v1.3.0,
// web-04 on v1.2.0"), and each host's lock, read on the host. Nothing is changed.
import { FleetStatus } from '../../app/fleetStatus';
import { resolveFleetHosts } from '../../app/fleetPlanning';
import { sharedRunners } from '../../app/fleetRun';
import type { EnvironmentConfig } from '../../core/config/types';
import { readRollbackInProgress, type RollbackInProgress } from '../../core/run/rollbackInProgress';
import type { CliServices } from '../services';

export interface FleetStatusRead {
  /** The summary line, or why the hosts could not be read. */
  text: string;
  mixed: boolean;
  problem?: string;
  groups: Array<{ release: string; hosts: string[] }>;
  readAt?: string;
  /** Each host's lock as read there: undefined when free, a problem when it could not be read. */
  locks: Array<{ host: string; lock?: RollbackInProgress; problem?: string }>;
}

export async function readFleetStatus(s: CliServices, env: EnvironmentConfig): Promise<FleetStatusRead> {
  // Resolved once for both reads (an inventory is two Python start-ups); when that fails, the fleet line says why.
  const resolved = await resolveFleetHosts(env, { local: s.sessions.runnerFor('local'), workspaceRoot: s.root }).catch(() => undefined);
  const hosts = resolved ?? [];
  // One connection per host for what it runs and its lock.
  const runners = sharedRunners(s.sessions);
  try {
    const status = new FleetStatus(s.workspace, s.sessions);
    await status.read(env.name, resolved, runners);
    const line = status.current().find((l) => l.environment === env.name);
    const locks = await Promise.all(
      hosts.map(async (h) => {
        try {
          const lock = await readRollbackInProgress(runners.runnerFor(h.destination), { cwd: h.path, environment: env.name, records: env.records });
          return { host: h.name, ...(lock ? { lock } : {}) };
        } catch (e) {
          return { host: h.name, problem: (e as Error).message };
        }
      }),
    );
    return { text: line?.text ?? `${env.name}: the hosts could not be read`, mixed: line?.mixed ?? true, groups: line?.groups ?? [], ...(line?.problem ? { problem: line.problem } : {}), ...(line ? { readAt: line.readAt } : {}), locks };
  } finally {
    await runners.dispose();
  }
}
