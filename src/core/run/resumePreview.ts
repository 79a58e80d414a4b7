import { renderPlanMarkdown } from '../plan/renderMarkdown';
import type { RollbackJournal } from './journalTypes';

/**
 * The preview of a resume, in the editor before its confirmation: where the journal came
 * from (when not from a run here), what is done and stays done, which steps have an unknown
 * outcome, and then exactly the steps still to run, rendered as the rollback preview renders them.
 */
export function renderResumeMarkdown(journal: RollbackJournal, origin: string[]): string {
  const plan = journal.plan;
  const outcome = new Map(journal.steps.map((s) => [s.stepId, s]));
  const finished = (id: string): boolean => ['ok', 'skipped'].includes(outcome.get(id)?.outcome ?? 'pending');
  const remaining = plan.steps.filter((s) => !finished(s.id));
  const out: string[] = [`# Resume run ${journal.runId}: ${plan.environment} → ${plan.to.name}, ${remaining.length} of ${plan.steps.length} steps left`, ''];
  out.push(`- **Journal**: status **${journal.status}**, started by ${journal.operator}${journal.machine ? ` on ${journal.machine}` : ''}${journal.startedAt ? ` at ${journal.startedAt}` : ''}`);
  if (origin.length) {
    out.push('', '> ⚠️ **This run was not started here.** Nothing runs unless you choose "Resume anyway":');
    for (const why of origin) out.push(`> - ${why}`);
  }
  const done = plan.steps.filter((s) => finished(s.id));
  if (done.length) {
    out.push('', '## Done already (not run again)', '');
    for (const s of done) out.push(`- ${s.title}: ${outcome.get(s.id)?.outcome}${outcome.get(s.id)?.detail ? ` (${outcome.get(s.id)?.detail})` : ''}`);
  }
  const unsure = plan.steps.filter((s) => ['running', 'unknown'].includes(outcome.get(s.id)?.outcome ?? ''));
  if (unsure.length) {
    out.push('', '## Outcome unknown (the run was interrupted while they ran)', '');
    for (const s of unsure) {
      const how = s.alreadyDone ? `checked first with \`${s.alreadyDone.command}\`; runs again only if that says the effect is missing` : 'no check: you are asked whether to run it again, record it as done, or stop';
      out.push(`- ${s.title}${outcome.get(s.id)?.startedAt ? `, started ${outcome.get(s.id)?.startedAt}` : ''}: ${how}`);
    }
  }
  out.push('', '---', '', renderPlanMarkdown({ ...plan, steps: remaining }));
  return out.join('\n');
}
