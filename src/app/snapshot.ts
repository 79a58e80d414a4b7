import type { EnvironmentConfig, ServiceConfig } from '../core/config/types';
import { hostUrl } from '../core/fleet/fleetPlan';
import { fleetDbHost } from './fleetDatabase';
import { isFleet, resolveFleetHosts } from './fleetPlanning';
import type { HttpPort } from '../core/ports';
import type { RecordsStore } from '../core/releases/recordsStore';
import { takeSnapshot, type PredeploySnapshot } from '../core/snapshot/snapshot';
import type { RollbackSessions } from './sessions';
import type { WorkspaceModel } from './workspaceModel';
import { operatorName } from './operator';
import { snapshotExtras } from '../core/snapshot/describe';

/**
 * Record Pre-deploy Snapshot (the extension's command, `rollback-pilot snapshot` in a deploy
 * pipeline): what runs on the environment's target now, its baseline health and its config
 * files, written on the target and into the records, so the next rollback returns here.
 * Throws (SnapshotError, the host's problem) when nothing was recorded.
 */
export async function recordSnapshot(
  deps: { workspace: WorkspaceModel; sessions: RollbackSessions; records: RecordsStore; http: HttpPort },
  chosen: { env: EnvironmentConfig; cwd: string },
  progress: <T>(title: string, work: () => Promise<T>) => Promise<T> = (_title, work) => work(),
): Promise<{ snapshot: PredeploySnapshot; message: string }> {
  const { workspace, sessions, records, http } = deps;
  const { config } = await workspace.config();
  const { env, cwd, services } = isFleet(chosen.env) ? await onFleetDbHost(chosen.env, config.services, sessions, workspace.root.fsPath) : { ...chosen, services: config.services };
  const runner = sessions.runnerFor(env.host);
  try {
    const snap = await progress(`Recording the pre-deploy state of ${env.name} (${env.host})`, () => takeSnapshot({ env, services, runner, http, cwd, backup: config.migrations.backup, by: operatorName() }));
    await records.setSnapshot(snap.sha);
    workspace.invalidate(['releases']);
    const health = snap.services.map((s) => `${s.name} ${s.ok ? 'healthy' : `UNHEALTHY (${s.status ?? s.error})`}`).join(', ');
    const message = `Snapshot of ${env.name} (${env.host}): ${snap.tag ?? snap.sha.slice(0, 12)}${snap.branch ? ` on ${snap.branch}` : ' (detached)'}${snap.dirty ? ', with UNCOMMITTED changes on the target' : ''}. ${health ? `Baseline: ${health}.` : ''}${snap.snapshotFile ? ` Written to ${snap.snapshotFile} on ${snap.where}.` : ''}${snapshotExtras(snap)} The next rollback returns here.`;
    return { snapshot: snap, message };
  } finally {
    await runner.dispose();
  }
}

/**
 * A fleet's snapshot is taken where the rollback flow reads it (rollbackFlow's factsConfigFor):
 * on the db host (`db:`, else the first host as Ansible plays them), in its tree, its health
 * baseline at its own URLs ({vars.NAME} filled from its vars; a service whose URL that host
 * cannot fill, a separate db host, gets no baseline rather than a probe of a literal placeholder).
 */
async function onFleetDbHost(env: EnvironmentConfig, services: ServiceConfig[], sessions: RollbackSessions, root: string): Promise<{ env: EnvironmentConfig; cwd: string; services: ServiceConfig[] }> {
  const hosts = await resolveFleetHosts(env, { local: sessions.runnerFor('local'), workspaceRoot: root });
  const db = fleetDbHost(env, hosts);
  const vars = hosts.find((h) => h.destination === db.destination) ?? { name: db.destination, destination: db.destination, path: db.path, vars: {} };
  const own = services.map((svc): ServiceConfig => {
    if (!svc.health) return svc;
    try {
      return { ...svc, health: { ...svc.health, url: hostUrl(svc.health.url, vars, `health of ${svc.name}`) } };
    } catch {
      const { health: _unfilled, ...rest } = svc;
      return rest;
    }
  });
  return { env: { ...env, host: db.destination, path: db.path }, cwd: db.path, services: own };
}
