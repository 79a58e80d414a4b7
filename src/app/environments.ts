import * as path from 'node:path';
import { orderEnvironments } from '../core/config/environmentOrder';
import type { EnvironmentConfig } from '../core/config/types';
import type { Messages, Prompter } from './ui';
import type { WorkspaceModel } from './workspaceModel';

/** The environment's working tree as its runner sees it: relative paths of a local target are against the workspace. */
export function environmentCwd(env: EnvironmentConfig, workspaceRoot: string): string {
  return env.host === 'local' && !path.isAbsolute(env.path) ? path.join(workspaceRoot, env.path) : env.path;
}

/**
 * Asks which environment (skipped when there is one) and where its tree is. Undefined
 * when the user cancels or rollback.yml has errors (which the user is told about).
 */
export async function chooseEnvironment(workspace: WorkspaceModel, dialogs: Pick<Prompter, 'pickEnvironment'> & Pick<Messages, 'error' | 'configErrors'>): Promise<{ env: EnvironmentConfig; cwd: string } | undefined> {
  const { config, fellBackToDefault } = await workspace.config();
  if (fellBackToDefault) {
    const message = 'rollback.yml has errors; fix them first (Problems panel).';
    if (dialogs.configErrors) dialogs.configErrors(message);
    else await dialogs.error(message);
    return undefined;
  }
  const name = await dialogs.pickEnvironment(orderEnvironments(config.environments));
  const env = config.environments.find((e) => e.name === name);
  return env && { env, cwd: environmentCwd(env, workspace.root.fsPath) };
}
