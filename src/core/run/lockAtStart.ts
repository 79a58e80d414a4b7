// Taking the run's lock, the first thing a run does. A working tree that does not exist on
// the target has nothing to lock and nothing to change: that is the preflight's refusal ("the
// path does not exist on prod-1"), recorded on the preflight step with nothing after it run,
// not a lock error before any step.
import { missingPathMessage } from '../plan/preflight';
import type { RollbackJournal } from './journalTypes';
import { acquireLock, LockHeldError, LockTreeMissingError, type LockHolder, type LockTarget } from './lock';

export type LockStart = { locked: true } | { locked: false; refuse: () => string };

export interface LockStartContext {
  event: (kind: string, message: string, data?: Record<string, unknown>) => void;
  save: () => Promise<void>;
  now: () => string;
  resuming: boolean;
}

export async function lockAtRunStart(target: LockTarget, holder: Omit<LockHolder, 'environment' | 'where'>, journal: RollbackJournal, ctx: LockStartContext): Promise<LockStart> {
  try {
    const taken = await acquireLock(target, holder);
    ctx.event('lock-acquired', `Lock on ${journal.plan.environment} (${journal.plan.where}) taken by ${taken.who}`, { ...taken });
    return { locked: true };
  } catch (e) {
    const preflight = journal.steps.find((s) => s.stepId === 'preflight' && s.outcome !== 'ok' && s.outcome !== 'skipped');
    if (e instanceof LockTreeMissingError && preflight) {
      const message = missingPathMessage(e.where, e.cwd, journal.plan.environment);
      return {
        locked: false,
        refuse: () => {
          Object.assign(preflight, { outcome: 'failed', detail: message, startedAt: ctx.now(), finishedAt: ctx.now(), attempts: preflight.attempts + 1 });
          ctx.event('preflight-refused', `${message}: nothing was locked, nothing ran after the preflight`);
          journal.status = 'failed';
          return `The preflight refused: ${message}. Nothing was changed.`;
        },
      };
    }
    if (e instanceof LockHeldError) ctx.event('lock-refused', e.message, { ...e.holder });
    else ctx.event('lock-error', (e as Error).message);
    if (!ctx.resuming) {
      journal.status = 'abandoned';
      await ctx.save();
    }
    throw e;
  }
}
