import { releaseNode } from '../commandArgs';
import type { CommandRegistry } from '../commandRegistry';
import { CommandId } from '../contributions';
import { runRollbackFlow, type RollbackFlowDeps } from './rollbackFlow';

/**
 * Revert Last Deploy (to the last-known-good) and Roll Back to Release… (to a chosen one, or the
 * release of the Releases view node it was run on). The registry refuses them without a folder
 * or without trust, so `deps` is there when a handler runs.
 */
export function registerRollbackCommands(registry: CommandRegistry, deps: RollbackFlowDeps | undefined): void {
  registry.register(CommandId.revertLastDeploy, { needs: 'trust', what: 'run a rollback' }, () => runRollbackFlow(deps!, { pickTarget: false }));
  registry.register(CommandId.rollBackToRelease, { needs: 'trust', what: 'run a rollback', args: releaseNode }, (target) => runRollbackFlow(deps!, { pickTarget: true, target }));
}
