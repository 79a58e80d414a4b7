import { forceReleaseLock, LockError, readLock } from '../../core/run';
import type { RollbackDialogs } from '../dialogs';
import { operatorName, type RollbackSessions } from '../rollbackSessions';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { chooseEnvironment } from '../../app/environments';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';

/**
 * Release Lock: removes a stale lock after saying whose it is (and which command of that run
 * may still be running there). Only the lock the dialog showed is removed: if it changed hands
 * meanwhile, nothing is. Recorded beside the lock on the target, in the log, and in that run's
 * journal when it is on this machine.
 */
export function registerLockCommand(registry: CommandRegistry, maybeWorkspace: RollbackWorkspace | undefined, maybeSessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs): void {
  registry.register(CommandId.releaseLock, { needs: 'trust', what: 'release a lock' }, async () => {
    const workspace = maybeWorkspace!;
    const sessions = maybeSessions!;
    const chosen = await chooseEnvironment(workspace, dialogs());
    if (!chosen) return;
    const { env, cwd } = chosen;
    const runner = sessions.runnerFor(env.host);
    const place = `${env.host} in ${cwd}`;
    try {
      const target = { runner, cwd, environment: env.name };
      const holder = await readLock(target);
      if (!holder) return dialogs().info(`${env.name} (${place}) is not locked.`);
      if (sessions.activeRun?.runId === holder.runId) {
        return void dialogs().error(`That lock belongs to the rollback running in this window (${holder.runId}); cancel it instead.`);
      }
      const running = holder.mayStillRun ?? [];
      const busy = running.length
        ? `\n\nA COMMAND OF THAT RUN MAY STILL BE RUNNING THERE: ${running.map((c) => `"${c.command}" (step ${c.stepId} on ${c.where}: ${c.why})`).join('; ')}. The lock was kept for it. Release only once you know it has ended (look on the host), or a second rollback can start beside it.`
        : '';
      const ok = await dialogs().confirm(
        running.length ? `Release the lock on ${env.name} (${place})? A command of that run may still be running there: ${running.map((c) => `"${c.command}"`).join(', ')}` : `Release the lock on ${env.name} (${place})?`,
        `Held by ${holder.who} since ${holder.since} for run ${holder.runId} (${holder.environment} on ${holder.where}). Only release it if that run is dead: two rollbacks at once on one target can leave it half one release and half another.${busy}`,
        'Release Lock',
      );
      if (!ok) return;
      const why = running.length ? `released by hand from Rollback: Release Lock; the operator was shown that ${running.map((c) => `"${c.command}"`).join(', ')} may still be running` : 'released by hand from Rollback: Release Lock; the holder\'s run was judged dead';
      await forceReleaseLock(target, holder, operatorName(), { why, journals: sessions.journals, log: { log: (line) => sessions.log.info(line) } });
      dialogs().info(`Lock on ${env.name} (${place}) released (was held by ${holder.who}, run ${holder.runId}); recorded in .rollback/locks/history.log there.`);
    } catch (e) {
      const changed = e instanceof LockError ? ' Nothing was removed.' : '';
      await dialogs().error(`Could not release the lock on ${env.name} (${place}): ${(e as Error).message}.${changed}`);
    } finally {
      await runner.dispose();
    }
  });
}
