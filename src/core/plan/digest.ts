import { createHash } from 'node:crypto';
import { renderPlanMarkdown } from './renderMarkdown';
import type { RollbackPlan } from './types';

/** JSON with object keys sorted and undefined members left out: the same plan always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * What of a plan decides what runs on a machine: every step with its commands, their
 * `where`, `cwd` and standard input, the checks and fallbacks, the target and the timeout.
 * The preview renders most of it, but not all (a health step's probe command, say), so the
 * digest covers this as well as the text the user read.
 */
export function planMachineFields(plan: RollbackPlan): unknown {
  return {
    environment: plan.environment,
    where: plan.where,
    cwd: plan.cwd,
    strategy: plan.strategy,
    from: plan.from,
    to: plan.to,
    steps: plan.steps,
    fallback: plan.fallback,
    fullRedeploy: plan.fullRedeploy,
    returnHint: plan.returnHint,
    commandTimeoutMs: plan.commandTimeoutMs,
  };
}

/**
 * Fingerprint of the plan as shown and as it will run: sha256 over the preview text
 * (renderPlanMarkdown, what the user read and confirmed) and the canonical JSON of the
 * machine fields. A plan rebuilt from the current facts must give the same digest, or the
 * run refuses; the runner checks it once more as the last line of defence. A caller that has
 * just rendered the preview passes it (rendering redacts the whole text, the larger part of the
 * digest's cost); the runner renders it itself, so a preview that is not the plan's is refused.
 */
export function planDigest(plan: RollbackPlan, preview: string = renderPlanMarkdown(plan)): string {
  return createHash('sha256').update('preview\0').update(preview).update('\0machine\0').update(canonicalJson(planMachineFields(plan))).digest('hex');
}
