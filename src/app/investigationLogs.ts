// "Open logs" on the brief investigation's page, before any run (and so any plan) exists: the
// services with logs: of the environment a rollback would most likely go to (the first of
// "Which environment?"), where the error-spike triggers were read too (app/errorSpikes.ts).
import { posix } from 'node:path';
import { logWatchOf } from '../core/logs/config';
import type { LogWatchService } from '../core/logs/types';
import { environmentChoices } from './targetFacts';
import type { WorkspaceModel } from './workspaceModel';

/** The log streams the investigation offers, [] when no service has logs: (or the config cannot be read). Never rejects. */
export async function investigationLogs(workspace: WorkspaceModel): Promise<LogWatchService[]> {
  try {
    const { config } = await workspace.config();
    if (!config.services.some((s) => s.logs)) return [];
    const env = (await environmentChoices(workspace, config))[0]?.env;
    if (!env?.host) return [];
    // As the plan resolves it: a local environment's relative path is the workspace's folder.
    const cwd = env.host === 'local' && !env.path.startsWith('/') ? posix.join(workspace.root.fsPath, env.path) : env.path;
    return config.services.flatMap((svc) => {
      const w = logWatchOf(svc, env.host, cwd);
      return w ? [w] : [];
    });
  } catch {
    return [];
  }
}
