import type { RollbackEvent } from '../run/events';
import type { PlanStep, RollbackPlan } from '../plan/types';
import { isVerificationKind } from '../verification/checks';
import type { AutoRule, ChecklistItem, ChecklistState, UserAction } from './types';

/** Health, smoke and log checks: one list for the product (verification/checks.ts). */
const CHECK_KINDS = { has: isVerificationKind };
const MAX_CHECK_RESULTS = 200;

const iso = (ms: number): string => new Date(ms).toISOString();

function isUserAction(e: RollbackEvent | UserAction): e is UserAction {
  return !('runId' in e);
}

/** Pure: the next checklist state after an engine event or a user action. Returns the same object when nothing changed. */
export function applyEvent(state: ChecklistState, event: RollbackEvent | UserAction): ChecklistState {
  if (state.unreadable !== undefined) return state; // read-only: never rewrite what we cannot read
  if (isUserAction(event)) return applyUserAction(state, event);
  if (event.runId !== state.runId) return state;
  switch (event.type) {
    case 'run-started': {
      // A resumed run starts again: it is no longer finished.
      const { finishedAt: _finished, ...rest } = state;
      return autoCheck(withPlan({ ...rest, runStatus: 'running' }, event.plan), { on: 'timer-started' }, event.at);
    }
    case 'plan-changed': {
      // Replaced steps leave the live list and their generated items; what the operator wrote stays.
      const live = new Set(event.plan.steps.map((p) => p.id));
      const items = state.items.filter((i) => !((i.kind === 'auto-step' || i.kind === 'auto-check') && i.auto && 'stepId' in i.auto && !live.has(i.auto.stepId)));
      return withPlan({ ...state, items }, event.plan);
    }
    case 'step-started':
      return updateStep(state, event.step.id, { outcome: 'running', startedAt: iso(event.at), finishedAt: undefined, detail: undefined }, event.step);
    case 'step-finished': {
      let next = updateStep(state, event.stepId, { outcome: event.outcome, finishedAt: iso(event.at), ...(event.detail ? { detail: event.detail } : {}) });
      const ok = event.outcome === 'ok';
      next = ok ? autoCheck(next, { on: 'step-ok', stepId: event.stepId }, event.at) : autoUncheck(next, { on: 'step-ok', stepId: event.stepId });
      const step = next.steps.find((s) => s.id === event.stepId);
      if (step && CHECK_KINDS.has(step.kind)) {
        next = ok ? autoCheck(next, { on: 'check-passed', stepId: step.id }, event.at) : autoUncheck(next, { on: 'check-passed', stepId: step.id });
      }
      const checks = next.steps.filter((s) => CHECK_KINDS.has(s.kind));
      if (checks.length > 0 && checks.every((s) => s.outcome === 'ok')) next = autoCheck(next, { on: 'all-checks-passed' }, event.at);
      else next = autoUncheck(next, { on: 'all-checks-passed' });
      return next;
    }
    case 'health-probe': {
      const { stepId, service, url, status, ok, at, error } = event;
      const checks = [...state.checks, { stepId, url, status, ok, at: iso(at), ...(service ? { service } : {}), ...(error ? { error } : {}) }];
      return { ...state, checks: checks.slice(-MAX_CHECK_RESULTS) };
    }
    case 'check-result': {
      const { stepId, service, name, url, status, outcome, detail, at } = event;
      const result = { stepId, name, url: url ?? '', status: status ?? null, ok: outcome === 'ok', at: iso(at), detail, ...(service ? { service } : {}), ...(outcome === 'ok' ? {} : { error: detail }) };
      return { ...state, checks: [...state.checks, result].slice(-MAX_CHECK_RESULTS) };
    }
    case 'log-counts':
      return { ...state, logs: { ...state.logs, [event.counts.service]: event.counts } };
    case 'run-finished':
      return { ...state, runStatus: event.success ? 'succeeded' : runStatusOf(event.state), finishedAt: iso(event.at) };
    case 'step-output':
      return state;
  }
}

function runStatusOf(engineState: string): ChecklistState['runStatus'] {
  return engineState === 'stopped' ? 'stopped' : 'failed';
}

function applyUserAction(state: ChecklistState, a: UserAction): ChecklistState {
  switch (a.type) {
    case 'toggle-item':
      return mapItem(state, a.itemId, (i) =>
        a.checked ? { ...i, checked: true, checkedAt: iso(a.at), checkedBy: a.by } : { ...i, checked: false, checkedAt: undefined, checkedBy: undefined },
      );
    case 'edit-text':
      return mapItem(state, a.itemId, (i) => ({ ...i, text: a.text }));
    case 'add-action-item':
      if (state.actionItems.some((x) => x.id === a.id)) return state;
      return { ...state, actionItems: [...state.actionItems, { id: a.id, text: a.text, done: false, createdAt: iso(a.at), ...(a.owner ? { owner: a.owner } : {}) }] };
    case 'edit-action-item':
      return {
        ...state,
        actionItems: state.actionItems.map((x) =>
          x.id === a.id
            ? { ...x, ...(a.text !== undefined ? { text: a.text } : {}), ...(a.owner !== undefined ? { owner: a.owner || undefined } : {}), ...(a.done !== undefined ? { done: a.done } : {}) }
            : x,
        ),
      };
    case 'remove-action-item':
      return { ...state, actionItems: state.actionItems.filter((x) => x.id !== a.id) };
    case 'notification-result': {
      const next = { ...state, notifications: [...state.notifications, a.record] };
      // A copied message may never have been pasted: only a webhook's 2xx is proof.
      return a.record.result === 'sent' ? autoCheck(next, { on: 'notification-sent', notification: a.record.kind }, Date.parse(a.record.at)) : next;
    }
    case 'escalation-handled':
      return state.escalationsHandled.includes(a.minute) ? state : { ...state, escalationsHandled: [...state.escalationsHandled, a.minute] };
    case 'postmortem-written':
      return autoCheck(state, { on: 'postmortem-written' }, a.at);
  }
}

function mapItem(state: ChecklistState, id: string, f: (i: ChecklistItem) => ChecklistItem): ChecklistState {
  if (!state.items.some((i) => i.id === id)) return state;
  return { ...state, items: state.items.map((i) => (i.id === id ? stripUndefined(f(i)) : i)) };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function sameRule(a: AutoRule | undefined, b: AutoRule): boolean {
  return !!a && JSON.stringify(a) === JSON.stringify(b);
}

function autoCheck(state: ChecklistState, rule: AutoRule, at: number): ChecklistState {
  if (!state.items.some((i) => sameRule(i.auto, rule) && !i.checked)) return state;
  return { ...state, items: state.items.map((i) => (sameRule(i.auto, rule) && !i.checked ? { ...i, checked: true, checkedAt: iso(at), checkedBy: 'extension' } : i)) };
}

/** A retried step that now fails un-checks what the extension checked, never what a human checked. */
function autoUncheck(state: ChecklistState, rule: AutoRule): ChecklistState {
  const hit = (i: ChecklistItem) => sameRule(i.auto, rule) && i.checked && i.checkedBy === 'extension';
  if (!state.items.some(hit)) return state;
  return { ...state, items: state.items.map((i) => (hit(i) ? stripUndefined({ ...i, checked: false, checkedAt: undefined, checkedBy: undefined }) : i)) };
}

function updateStep(state: ChecklistState, stepId: string, patch: Partial<ChecklistState['steps'][number]>, step?: PlanStep): ChecklistState {
  const exists = state.steps.some((s) => s.id === stepId);
  const steps = exists
    ? state.steps.map((s) => (s.id === stepId ? stripUndefined({ ...s, ...patch }) : s))
    : step
      ? [...state.steps, stripUndefined({ id: step.id, kind: step.kind, title: step.title, service: step.service, outcome: 'pending' as const, ...patch })]
      : state.steps;
  return { ...state, steps };
}

/** Fills the run context, the live steps and the generated step/check items from the plan; idempotent. */
export function withPlan(state: ChecklistState, plan: RollbackPlan): ChecklistState {
  const context = { environment: plan.environment, from: { ...plan.from }, to: { ...plan.to }, reason: plan.reason, operator: plan.createdBy };
  const known = new Map(state.steps.map((s) => [s.id, s]));
  const steps = plan.steps.map(
    (p) => known.get(p.id) ?? stripUndefined({ id: p.id, kind: p.kind, title: p.title, service: p.service, outcome: 'pending' as const }),
  );
  const existingIds = new Set(state.items.map((i) => i.id));
  const generated: ChecklistItem[] = [];
  for (const p of plan.steps) {
    const id = `step:${p.id}`;
    if (!existingIds.has(id)) generated.push({ id, section: 'rollback', kind: 'auto-step', label: p.title, checked: false, auto: { on: 'step-ok', stepId: p.id }, hint: p.why });
    if (CHECK_KINDS.has(p.kind) && !existingIds.has(`check:${p.id}`)) {
      generated.push({ id: `check:${p.id}`, section: 'verification', kind: 'auto-check', label: p.title, checked: false, auto: { on: 'check-passed', stepId: p.id } });
    }
  }
  const items = state.items.map((i) => (i.id === 'identify-change' && !i.text ? { ...i, text: describeChange(plan) } : i));
  return { ...state, context, steps, items: [...items, ...generated] };
}

function describeChange(plan: RollbackPlan): string {
  const short = (sha: string) => sha.slice(0, 7);
  return `${plan.environment}: ${plan.from.name} (${short(plan.from.sha)}) → ${plan.to.name} (${short(plan.to.sha)}). Target chosen from ${plan.targetSource}. Reason: ${plan.reason}`;
}
