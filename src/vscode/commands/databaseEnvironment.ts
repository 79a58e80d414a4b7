import type { DatabaseEnvironmentChoice } from '../../app/appliedStateReader';
import type { RollbackDialogs } from '../dialogs';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';
import { optionalName } from '../commandArgs';
import { orderEnvironments } from '../../core/config/environmentOrder';

/** The Migrations view's database: which environment's `migrations.sql` target it reads, remembered per workspace. */
export function registerDatabaseEnvironmentCommand(
  registry: CommandRegistry,
  maybeWorkspace: RollbackWorkspace | undefined,
  maybeChoice: DatabaseEnvironmentChoice | undefined,
  dialogs: () => RollbackDialogs,
  refreshViews: () => void,
): void {
  registry.register(CommandId.chooseDatabaseEnvironment, { needs: 'trust', what: 'read a database', args: optionalName }, async (name) => {
    // Built together with the folder's services, so present whenever the guard lets the command through.
    const workspace = maybeWorkspace!;
    const choice = maybeChoice!;
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
