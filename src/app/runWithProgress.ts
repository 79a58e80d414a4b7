import type { RollbackPlan } from '../core/plan/types';
import { JournalWriteError, LockHeldError, RunRefusedError, type RunResult } from '../core/run';
import { describeBlockers, journalVerdict } from '../core/verification';
import type { RollbackSessions } from './sessions';
import type { Presenter } from './ui';

/** After a single host's run or resume ended (completed, failed, stopped or thrown): the environment it ran on, to read again. */
export type AfterRun = (environment: string) => void;

/**
 * Runs with the presenter's progress following the engine's events, and says where things
 * stand at the end. `afterRun` is told first, at any end: the host may have changed, so the
 * composition root reads what it runs again (the Releases view's environment line).
 */
export async function runWithProgress(
  sessions: RollbackSessions,
  plan: RollbackPlan,
  title: string,
  go: (s: RollbackSessions) => Promise<RunResult>,
  presenter: Presenter,
  afterRun?: AfterRun,
): Promise<RunResult | undefined> {
  let told = false;
  const ended = (): void => {
    if (told) return;
    // Marked first: a hook that throws lands in the catch below, which must not call it again.
    told = true;
    afterRun?.(plan.environment);
  };
  try {
    let running: string | undefined;
    // Stopping is two different things: let the running command finish, or kill it. The front end asks which.
    const stop = { running: () => running, afterStep: () => sessions.stopAfterStep(), now: () => sessions.cancel() };
    const result = await presenter.progress(title, async (report) => {
      let total = plan.steps.length;
      const sub = sessions.events.on((e) => {
        if (e.type === 'plan-changed') total = e.plan.steps.length; // a switch to checkout or a full redeploy
        if (e.type === 'step-started') {
          running = e.step.title;
          report(e.step.title, 100 / Math.max(total, 1));
        }
      });
      try {
        return await go(sessions);
      } finally {
        sub.dispose();
      }
    }, stop);
    ended();
    const stash = result.journal.stash ? ` Your uncommitted changes were stashed as "${result.journal.stash.message}". ${result.journal.stash.restoreHint}.` : '';
    // A check skipped, failed or not run leaves the deploy unverified (issue 13): the last word says so, not only the journal.
    const blockers = result.success ? journalVerdict(result.journal).blockers : [];
    const unverified = blockers.length ? ` Not verified: ${describeBlockers(blockers)}; the deploy is recorded as unverified.` : '';
    if (result.success) presenter.info(`Rolled back ${plan.environment} to ${plan.to.name} on ${plan.where}.${unverified}${stash}`);
    else await presenter.runDidNotFinish(`Rollback of ${plan.environment} did not finish: ${result.state}${stash}`, plan.id);
    return result;
  } catch (e) {
    ended();
    if (e instanceof LockHeldError) await presenter.error(e.message, 'OK');
    else if (e instanceof RunRefusedError) await presenter.error(e.message);
    else if (e instanceof JournalWriteError) await presenter.error(e.message);
    else await presenter.error(`The rollback stopped on an error: ${(e as Error).message}. Steps the journal .rollback/journals/${plan.id}.json records as finished stay done; a step it records as running is checked, or you are asked, before Resume Rollback runs it again.`);
    return undefined;
  }
}
