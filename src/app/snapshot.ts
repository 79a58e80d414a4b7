import type { EnvironmentConfig } from '../core/config/types';
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
  const { env, cwd } = chosen;
  const { config } = await workspace.config();
  const runner = sessions.runnerFor(env.host);
  try {
    const snap = await progress(`Recording the pre-deploy state of ${env.name} (${env.host})`, () => takeSnapshot({ env, services: config.services, runner, http, cwd, backup: config.migrations.backup, by: operatorName() }));
    await records.setSnapshot(snap.sha);
    workspace.invalidate(['releases']);
    const health = snap.services.map((s) => `${s.name} ${s.ok ? 'healthy' : `UNHEALTHY (${s.status ?? s.error})`}`).join(', ');
    const message = `Snapshot of ${env.name} (${env.host}): ${snap.tag ?? snap.sha.slice(0, 12)}${snap.branch ? ` on ${snap.branch}` : ' (detached)'}${snap.dirty ? ', with UNCOMMITTED changes on the target' : ''}. ${health ? `Baseline: ${health}.` : ''}${snap.snapshotFile ? ` Written to ${snap.snapshotFile} on ${snap.where}.` : ''}${snapshotExtras(snap)} The next rollback returns here.`;
    return { snapshot: snap, message };
  } finally {
    await runner.dispose();
  }
}
