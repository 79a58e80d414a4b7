// Why a fleet host's health check failed, in the words a single host's check uses: Ansible's uri
// retries until the product's filter accepts the answer, but its own message for the last one
// is only "OK (27 bytes)". The callback hands the product that last answer's body, and the
// single host's judge (run/steps/health.ts) says which JSON path, what was found and what was
// expected — one copy of those words for both, never a second one written for the fleet.
import type { PlanStep, RollbackPlan } from '../plan/types';
import { fillExpectations, judge, planValues } from '../run/steps/health';
import { taskRef, type AnsibleEvent } from './events';

/**
 * The event with `why` set when it is a health task's failure whose answer the product can
 * judge (an HTTP status and the body it read); the body itself is dropped either way, so it
 * never reaches the grid or the journal.
 */
export function withHealthVerdict(e: AnsibleEvent, steps: readonly PlanStep[], plan: Pick<RollbackPlan, 'id' | 'from' | 'to'>): AnsibleEvent {
  if (e.content === undefined) return e;
  const { content, ...rest } = e;
  const ref = taskRef(e.task);
  const h = ref?.part === 'main' ? steps.find((s) => s.id === ref.step && s.kind === 'health')?.health : undefined;
  if (e.event !== 'failed' || !h || e.status === undefined || e.status <= 0) return rest;
  const expected = fillExpectations(h.json, planValues(plan));
  // The playbook was generated from these same expectations: one that cannot be filled never got this far.
  if (typeof expected === 'string') return { ...rest, why: expected };
  const verdict = judge({ status: e.status, body: content }, h, expected);
  return verdict.ok ? rest : { ...rest, why: verdict.why };
}
