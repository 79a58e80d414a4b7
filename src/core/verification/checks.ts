// Whether the all-clear is earned. Every verification check of a run (health, smoke, and any
// other kind listed in VERIFICATION_KINDS, e.g. log checks) has a status; the all-clear goes
// out by itself only when every one of them passed. A check that failed, was skipped, could
// not run or never ran blocks it; sending it anyway needs a reason the operator types, and
// that reason travels with the message, the journal and the post-mortem.
import type { StepOutcome } from '../plan/types';

/**
 * The step kinds that verify the rollback. One list for the whole product: the checklist's
 * "all checks passed", the all-clear gate and the deploy record read it. A new kind of check
 * (log watching) is added here and is then counted everywhere.
 */
export const VERIFICATION_KINDS: ReadonlySet<string> = new Set(['health', 'smoke', 'logs']);

const KIND_WORD: Record<string, string> = { health: 'health', smoke: 'smoke', logs: 'logs' };

export function isVerificationKind(kind: string): boolean {
  return VERIFICATION_KINDS.has(kind);
}

/** One check as the verdict sees it: from the plan and journal, or from the checklist's live steps. */
export interface CheckStatus {
  id: string;
  kind: string;
  title: string;
  service?: string;
  outcome: StepOutcome;
  detail?: string;
  skippedReason?: string;
}

/** A check that keeps the all-clear from going out by itself. */
export interface AllClearBlocker {
  stepId: string;
  /** "api smoke skipped", "api health failed", "worker health not run". */
  label: string;
  outcome: StepOutcome;
  /** The skip reason or failure detail, when there is one. */
  why?: string;
}

export interface VerificationVerdict {
  /** Labels of the checks that passed, e.g. "api health". */
  passed: string[];
  blockers: AllClearBlocker[];
  /** The plan has no verification check at all. */
  none: boolean;
}

const OUTCOME_WORD: Record<StepOutcome, string> = { ok: 'passed', failed: 'failed', skipped: 'skipped', unknown: 'could not be told', pending: 'not run', running: 'still running' };

export function checkName(c: Pick<CheckStatus, 'kind' | 'service' | 'title'>): string {
  const word = KIND_WORD[c.kind] ?? c.kind;
  return c.service ? `${c.service} ${word}` : c.title;
}

export function verdictOf(checks: readonly CheckStatus[]): VerificationVerdict {
  const mine = checks.filter((c) => isVerificationKind(c.kind));
  const passed: string[] = [];
  const blockers: AllClearBlocker[] = [];
  for (const c of mine) {
    if (c.outcome === 'ok') {
      passed.push(checkName(c));
      continue;
    }
    const why = (c.skippedReason ?? c.detail)?.trim();
    blockers.push({ stepId: c.id, label: `${checkName(c)} ${OUTCOME_WORD[c.outcome]}`, outcome: c.outcome, ...(why ? { why } : {}) });
  }
  return { passed, blockers, none: mine.length === 0 };
}

/** The checks of a journal: its plan's steps with the outcomes recorded. */
export function journalChecks(journal: { plan: { steps: ReadonlyArray<{ id: string; kind: string; title: string; service?: string }> }; steps: ReadonlyArray<{ stepId: string; outcome: StepOutcome; detail?: string; skippedReason?: string }> }): CheckStatus[] {
  const byId = new Map(journal.steps.map((s) => [s.stepId, s]));
  return journal.plan.steps.map((p) => {
    const j = byId.get(p.id);
    return { id: p.id, kind: p.kind, title: p.title, ...(p.service ? { service: p.service } : {}), outcome: j?.outcome ?? 'pending', ...(j?.detail ? { detail: j.detail } : {}), ...(j?.skippedReason ? { skippedReason: j.skippedReason } : {}) };
  });
}

export function journalVerdict(journal: Parameters<typeof journalChecks>[0]): VerificationVerdict {
  return verdictOf(journalChecks(journal));
}

/** "api smoke skipped, api health failed". */
export function describeBlockers(blockers: readonly AllClearBlocker[]): string {
  return blockers.map((b) => b.label).join(', ');
}

/** The same, with each one's reason or detail: for the question that asks why it may be sent anyway. */
export function explainBlockers(blockers: readonly AllClearBlocker[]): string {
  return blockers.map((b) => `${b.label}${b.why ? ` (${b.why.length > 160 ? `${b.why.slice(0, 159)}…` : b.why})` : ''}`).join('; ');
}

/** The plan's step that posts the all-clear (the planner's notify-end, a fleet's closing notify). */
export function isAllClearStep(step: { id: string; kind: string; title: string }): boolean {
  return step.kind === 'notify' && (step.id === 'notify-end' || /all[- ]?clear/i.test(`${step.id} ${step.title}`));
}

/** The clause every all-clear sent without being earned starts with. */
export function exceptionClause(blockers: readonly AllClearBlocker[], reason: string): string {
  return `All clear, except: ${describeBlockers(blockers)} — reason: ${reason.trim()}.`;
}
