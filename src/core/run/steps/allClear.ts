// The all-clear step: it goes out by itself only when every verification check of the run
// passed (verification/checks.ts). Otherwise the operator is asked for a reason to send it
// anyway; with one, the message starts "All clear, except: api smoke skipped — reason …"
// and the journal keeps who gave which reason; without one it is withheld, and the step says
// which checks stand in the way.
import type { PlanStep } from '../../plan/types';
import { describeBlockers, explainBlockers, journalVerdict } from '../../verification/checks';
import type { StepContext, StepRun } from './context';

export async function runAllClear(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const { journal, clock } = ctx;
  const plan = journal.plan;
  const verdict = journalVerdict(journal);
  const event = (kind: string, message: string, data: Record<string, unknown>): void => {
    journal.events.push({ at: new Date(clock.now()).toISOString(), kind, message, data });
  };
  if (verdict.blockers.length === 0) {
    if (!ctx.notify) return { outcome: 'skipped', detail: 'no notifier configured; tell the team from the checklist', output: '' };
    const r = await ctx.notify(step, plan);
    const checks = verdict.none ? 'no checks are configured' : `every check passed (${verdict.passed.join(', ')})`;
    const detail = r === 'sent' ? `sent: ${checks}` : r === 'copied' ? 'no webhook set: the message was copied for pasting into the incident channel' : 'not sent';
    return { outcome: r === 'sent' ? 'ok' : 'skipped', detail, output: '' };
  }
  const blocked = describeBlockers(verdict.blockers);
  const reason = (await ctx.prompter?.allClearException?.(verdict.blockers, plan))?.trim();
  if (!reason) {
    const detail = `withheld: the all-clear goes out only when every check passed, and ${blocked}. Send it from the checklist with a reason if it must go anyway.`;
    event('all-clear-withheld', `All-clear withheld: ${explainBlockers(verdict.blockers)}`, { blockers: verdict.blockers });
    return { outcome: 'skipped', detail, output: '' };
  }
  event('all-clear-exception', `All-clear sent although ${blocked}; reason given by ${journal.operator}: ${reason}`, { blockers: verdict.blockers, reason, by: journal.operator });
  if (!ctx.notify) return { outcome: 'skipped', detail: `no notifier configured; tell the team from the checklist (except: ${blocked} — reason: ${reason})`, output: '' };
  const r = await ctx.notify(step, plan, { except: { blockers: verdict.blockers, reason } });
  const how = r === 'sent' ? 'sent' : r === 'copied' ? 'copied for pasting (no webhook set)' : 'not sent';
  return { outcome: r === 'sent' ? 'ok' : 'skipped', detail: `${how}, except: ${blocked} — reason: ${reason}`, output: '' };
}
