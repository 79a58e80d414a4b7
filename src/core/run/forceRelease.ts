import type { LockHolder, LockTarget, LockView } from './lock';
import { forceRemoveLock } from './lock';
import type { JournalStore, LogSink } from './ports';

export interface ForceReleaseOptions {
  /** Why, in the operator's or the dialog's words; goes into the history line. */
  why: string;
  /** The holder's journal gets an event too, when it is on this machine. */
  journals?: JournalStore;
  /** The log channel: the same JSON line as the history file. */
  log?: LogSink;
  now?: Date;
}

/**
 * "Rollback: Release Lock": removes the lock the operator was shown (`expected`, from
 * readLock) and only that one: if it changed hands since, nothing is removed (LockError
 * says who holds it now). Recorded on the target (.rollback/locks/history.log, beside the
 * lock, where every operator sees it), in the log, and in the holder's journal when that
 * journal is on this machine.
 */
export async function forceReleaseLock(target: LockTarget, expected: LockView, by: string, options: ForceReleaseOptions): Promise<LockHolder> {
  const now = options.now ?? new Date();
  const { released, audit } = await forceRemoveLock(target, expected, by, options.why, now);
  options.log?.log(audit);
  const journal = options.journals ? await options.journals.load(released.runId).catch(() => undefined) : undefined;
  if (journal && options.journals) {
    journal.events.push({ at: now.toISOString(), kind: 'lock-forced', message: `Lock on ${released.environment} (${released.where}) held by ${released.who} since ${released.since} released by ${by}: ${options.why}`, data: { ...released, by, why: options.why } });
    await options.journals.save(journal);
  }
  return released;
}
