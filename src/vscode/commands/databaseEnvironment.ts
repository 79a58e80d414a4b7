import * as vscode from 'vscode';
import type { DatabaseEnvironmentChoice } from '../../app/appliedStateReader';
import type { RollbackDialogs } from '../dialogs';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import { requireTrust } from './trust';
import { orderEnvironments } from '../../core/config/environmentOrder';

/** The Migrations view's database: which environment's `migrations.sql` target it reads, remembered per workspace. */
export function registerDatabaseEnvironmentCommand(
  workspace: RollbackWorkspace | undefined,
  choice: DatabaseEnvironmentChoice | undefined,
  dialogs: () => RollbackDialogs,
  refreshViews: () => void,
): vscode.Disposable {
  return vscode.commands.registerCommand(CommandId.chooseDatabaseEnvironment, async (name?: string) => {
    if (!workspace || !choice) {
      void vscode.window.showWarningMessage('Rollback Pilot needs an open folder (your service repository) to read a database.');
      return;
    }
    if (!requireTrust('read a database')) return;
    const { config, fellBackToDefault } = await workspace.config();
    if (fellBackToDefault) {
      await dialogs().error('rollback.yml has errors; fix them first (Problems panel).');
      return;
    }
    const picked = typeof name === 'string' ? name : await dialogs().pickEnvironment(orderEnvironments(config.environments));
    if (!picked) return;
    const env = config.environments.find((e) => e.name === picked);
    if (!env) {
      await dialogs().error(`rollback.yml has no environment "${picked}" (known: ${config.environments.map((e) => e.name).join(', ')}).`);
      return;
    }
    await choice.set(env.name);
    refreshViews();
    dialogs().info(`The Migrations view reads the database of ${env.name} (${env.host === 'local' ? 'this machine' : env.host}) through migrations.sql.`);
  });
}
