import type { LockHolder, LockTarget } from './lock';
import { releaseLock } from './lock';
import type { JournalStore } from './ports';

/**
 * "Rollback: Release Lock": removes a (stale) lock whoever holds it, after the user
 * confirmed, and records it in the holder's journal when that journal is on this machine.
 */
export async function forceReleaseLock(target: LockTarget, by: string, journals?: JournalStore, now = new Date()): Promise<LockHolder | undefined> {
  const holder = await releaseLock(target, { force: true });
  if (!holder || !journals) return holder;
  const journal = await journals.load(holder.runId).catch(() => undefined);
  if (journal) {
    journal.events.push({ at: now.toISOString(), kind: 'lock-forced', message: `Lock on ${holder.environment} (${holder.where}) held by ${holder.who} since ${holder.since} released by ${by}`, data: { ...holder, by } });
    await journals.save(journal);
  }
  return holder;
}
