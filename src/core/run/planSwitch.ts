import type { PlanStep } from '../plan/types';
import type { JournalStep, RollbackJournal } from './journalTypes';

/** What a switch needs from the runner: the journal's timeline, and telling the listeners the plan changed. */
export interface SwitchContext {
  event(kind: string, message: string, data?: Record<string, unknown>): void;
  planChanged(plan: RollbackJournal['plan']): void;
}

/**
 * What a replaced step had done before it gave way (the failure that led to the switch, with
 * its detail and output), kept in the switch's journal event: the step list no longer has it,
 * and the post-mortem must.
 */
function replacedRecord(steps: PlanStep[], journalSteps: JournalStep[], ids: string[]): Array<JournalStep & { title: string }> {
  const titles = new Map(steps.map((s) => [s.id, s.title]));
  return journalSteps.filter((js) => ids.includes(js.stepId) && js.attempts > 0).map((js) => ({ ...js, title: titles.get(js.stepId) ?? js.stepId }));
}

/** The revert conflicted: its step gives way to the previewed checkout fallback, and the push step is dropped (the checkout path has none). */
export function switchToCheckout(journal: RollbackJournal, index: number, ctx: SwitchContext): void {
  const plan = journal.plan;
  const fb = plan.fallback!;
  const replaced = plan.steps[index];
  const record = replacedRecord(plan.steps, journal.steps, [replaced.id]);
  plan.steps.splice(index, 1, ...fb.steps);
  journal.steps.splice(index, 1, ...fb.steps.map((s): JournalStep => ({ stepId: s.id, outcome: 'pending', attempts: 0 })));
  // The revert's companions it also replaces (keeping the migration files: the checkout path has its own), after the inserted steps.
  const companion = (id: string, k: number): boolean => k >= index + fb.steps.length && id !== replaced.id && fb.replaces.includes(id);
  plan.steps = plan.steps.filter((s, k) => !companion(s.id, k));
  journal.steps = journal.steps.filter((s, k) => !companion(s.stepId, k));
  // The replaced revert stays visible in the timeline, not in the step list.
  plan.strategy = 'checkout';
  plan.returnHint = fb.steps[0]?.why.match(/to get back: (.*)\.$/)?.[1] ?? plan.returnHint;
  plan.steps = plan.steps.filter((s) => s.id !== 'push');
  journal.steps = journal.steps.filter((s) => s.stepId !== 'push');
  delete plan.fallback;
  ctx.event('switched-to-checkout', `"${replaced.title}" replaced by ${fb.steps.map((s) => `"${s.title}"`).join(', ')}`, { replaced: record });
  ctx.planChanged(plan);
}

/** From the failed step on, the service steps still to do give way to the previewed full redeploy; everything else keeps its place. */
export function switchToFullRedeploy(journal: RollbackJournal, index: number, ctx: SwitchContext): void {
  const plan = journal.plan;
  const full = plan.fullRedeploy!;
  const replaced = new Set(full.replaces);
  const dropped = plan.steps.slice(index).filter((s) => replaced.has(s.id));
  const record = replacedRecord(plan.steps, journal.steps, dropped.map((s) => s.id));
  const keep = <T>(items: T[], id: (t: T) => string): T[] => items.slice(index).filter((t) => !replaced.has(id(t)));
  plan.steps = [...plan.steps.slice(0, index), ...full.steps, ...keep(plan.steps, (s) => s.id)];
  journal.steps = [...journal.steps.slice(0, index), ...full.steps.map((s): JournalStep => ({ stepId: s.id, outcome: 'pending', attempts: 0 })), ...keep(journal.steps, (s) => s.stepId)];
  delete plan.fullRedeploy;
  ctx.event('switched-to-full-redeploy', `${dropped.map((s) => `"${s.title}"`).join(', ')} replaced by the full redeploy: ${full.steps.map((s) => `"${s.title}"`).join(', ')}`, { replaced: record });
  ctx.planChanged(plan);
}
