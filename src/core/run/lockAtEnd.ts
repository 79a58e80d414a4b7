import type { RollbackJournal } from './journalTypes';
import { commandsThatMayStillRun, keepLockFor, releaseLock, type LockTarget } from './lock';

export interface LockAtEnd {
  /** The journal event: lock-released, lock-kept or lock-release-failed. */
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  /** Added to the run's final state sentence when the lock stays. */
  state?: string;
}

/**
 * The end of a run: the lock is released, unless a command of the run may still be running
 * on its host (cancelled, timed out or cut off there: the journal still names its process).
 * Then a second rollback must not start beside it, so the lock stays, its record names the
 * command, and it goes when a resume sees the command ended, or when an operator who was
 * shown that command releases it (Rollback: Release Lock).
 */
export async function lockAtRunEnd(target: LockTarget, journal: RollbackJournal): Promise<LockAtEnd> {
  const where = `${journal.plan.environment} (${target.runner.where} in ${target.cwd})`;
  const running = commandsThatMayStillRun(journal);
  if (running.length) {
    const what = running.map((c) => `"${c.command}" of step ${c.stepId} on ${c.where} (${c.why})`).join('; ');
    const noted = await keepLockFor(target, journal.runId, running).then(() => '', (e: Error) => ` (the lock record could not say so: ${e.message})`);
    return {
      kind: 'lock-kept',
      message: `Lock on ${where} kept: ${what} may still be running${noted}`,
      data: { stillRunning: running },
      state: `The lock on ${target.runner.where} stays held: ${running.map((c) => `"${c.command}"`).join(', ')} may still be running there. Resume Rollback releases it once the command has ended; Rollback: Release Lock frees it by hand.`,
    };
  }
  try {
    await releaseLock(target, { runId: journal.runId });
    return { kind: 'lock-released', message: `Lock on ${where} released` };
  } catch (e) {
    return {
      kind: 'lock-release-failed',
      message: `The lock could not be released (${(e as Error).message}); it stays until this run is resumed or the lock is released by hand`,
      state: `The lock on ${target.runner.where} could not be released (${(e as Error).message}); it stays until this run is resumed or it is released with Rollback: Release Lock.`,
    };
  }
}
