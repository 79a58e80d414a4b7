// The headers of a fleet's health checks (issue 15 follow-up, item 4), filled in when the
// rollout starts: `secret:NAME` read from the editor's secret storage (the caller's reader hands
// each value to the product's redactor before returning it), a plain value's {placeholders}
// from the plan, as a single host's check fills them (run/steps/health.ts). A secret that is not
// set refuses the rollout before anything runs: a check sent without its header would fail on
// every host after the code switch, or pass against a service that ignores it.
import type { PlanStep, RollbackPlan } from '../plan/types';
import { planValues } from '../run/steps/health';
import { secretStorageKey } from '../verification/ports';
import { fillTemplate, headerValueProblem } from '../verification/templates';
import { hostHeadersVars } from './playbook';

export type HeaderVars = { ok: true; vars?: string; secrets: string[] } | { ok: false; why: string };

export async function fleetHealthHeaders(steps: readonly PlanStep[], plan: RollbackPlan, secret: ((name: string) => Promise<string | undefined>) | undefined): Promise<HeaderVars> {
  const out: Record<string, Array<[string, string]>> = {};
  const secrets: string[] = [];
  const values = planValues(plan);
  for (const step of steps) {
    const headers = step.kind === 'health' ? step.health?.headers : undefined;
    if (!headers?.length) continue;
    const filled: Array<[string, string]> = [];
    for (const h of headers) {
      let value: string;
      if (h.secret !== undefined) {
        const got = secret ? await secret(h.secret).catch(() => undefined) : undefined;
        if (!got) return { ok: false, why: `${step.title}: the ${h.name} header needs the secret "${h.secret}", which is not set (stored as ${secretStorageKey(h.secret)}); set it with "Rollback: Set Health Check Secret…" and start again` };
        secrets.push(got);
        value = got;
      } else {
        const f = fillTemplate(h.value ?? '', values);
        if (!f.ok) return { ok: false, why: `${step.title}: header ${h.name} reads {${f.missing}}, which has no value` };
        value = f.text;
      }
      const problem = headerValueProblem(value);
      if (problem) return { ok: false, why: `${step.title}: header ${h.name} cannot be sent: ${problem}` };
      filled.push([h.name, value]);
    }
    out[step.id] = filled;
  }
  return { ok: true, secrets, ...(Object.keys(out).length ? { vars: hostHeadersVars(out) } : {}) };
}
