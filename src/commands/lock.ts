import * as vscode from 'vscode';
import { forceReleaseLock, readLock } from '../core/run';
import type { RollbackDialogs } from '../services/dialogs';
import { operatorName, type RollbackSessions } from '../services/rollbackSessions';
import type { RollbackWorkspace } from '../services/rollbackWorkspace';
import { chooseEnvironment } from '../services/environments';
import { CommandId } from './ids';
import { requireTrust } from './trust';

/** Release Lock: removes a stale lock after saying whose it is; recorded in that run's journal. */
export function registerLockCommand(workspace: RollbackWorkspace | undefined, sessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.releaseLock, async () => {
      if (!workspace || !sessions || !requireTrust('release a lock')) return;
      const chosen = await chooseEnvironment(workspace, dialogs());
      if (!chosen) return;
      const { env, cwd } = chosen;
      const runner = sessions.runnerFor(env.host);
      try {
        const target = { runner, cwd, environment: env.name };
        const holder = await readLock(target);
        if (!holder) return dialogs().info(`${env.name} (${env.host}) is not locked.`);
        if (sessions.activeRun?.runId === holder.runId) {
          return void dialogs().error(`That lock belongs to the rollback running in this window (${holder.runId}); cancel it instead.`);
        }
        const ok = await dialogs().confirm(
          `Release the lock on ${env.name}?`,
          `Held by ${holder.who} since ${holder.since} for run ${holder.runId} on ${holder.where}. Only release it if that run is dead: two rollbacks at once on one target can leave it half one release and half another.`,
          'Release Lock',
        );
        if (!ok) return;
        await forceReleaseLock(target, operatorName(), sessions.journals);
        dialogs().info(`Lock on ${env.name} released (was held by ${holder.who}); recorded in run ${holder.runId}'s journal where it is on this machine.`);
      } catch (e) {
        await dialogs().error(`Could not release the lock on ${env.name}: ${(e as Error).message}`);
      } finally {
        await runner.dispose();
      }
    }),
  ];
}
