// A fleet rollout from an ordinary rollback plan: the steps the product runs itself (the
// decision, the preflight on every host, the database steps once, the notifications) and the
// host steps Ansible runs on every host in batches. The same plan, so the preview, the
// digest and the journal keep their meaning; the fleet adds who runs which part where.
import type { PlanStep, RollbackPlan } from '../plan/types';
import { planValues } from '../run/steps/health';
import { batchesOf, RolloutError } from './batches';
import { HOST_STEP_KINDS, generatePlaybook } from './playbook';
import { inventoryYaml, OWN_GROUP, type HostRunValues } from './inventory';
import type { FleetHost, RolloutConfig } from './types';

export interface FleetRollout {
  runId: string;
  hosts: FleetHost[];
  /** The group the play runs on; OWN_GROUP when the hosts come from rollback.yml. */
  group: string;
  /** The team's inventory file (relative to the repository), or undefined for the product's own. */
  userInventory?: string;
  rollout: RolloutConfig;
  /** Host names per batch, as Ansible will cut them (the first is the canary). */
  batches: string[][];
  /** The plan's steps Ansible runs on every host, in order. */
  hostSteps: PlanStep[];
  /** The plan's steps before the host steps that the product runs (preflight per host, database once). */
  before: PlanStep[];
  /** After the host steps (the all-clear). */
  after: PlanStep[];
  playbook: string;
  /** The inventory (or the per-host values beside the team's inventory) for this run. */
  inventory: string;
}

const VAR = /\{vars\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A health URL for one host: its {vars.NAME} filled in from the host's vars; a missing one is an error naming host and name. */
export function hostUrl(url: string, host: FleetHost, stepId: string): string {
  return url.replace(VAR, (_m, name: string) => {
    const v = host.vars[name];
    if (v === undefined) throw new RolloutError(`${stepId} on ${host.name}: the health URL ${url} reads {vars.${name}}, which ${host.name} does not set (hosts: [{ host, vars: { ${name}: … } }] or the inventory's host vars)`);
    return encodeURIComponent(v);
  });
}

export interface FleetRolloutInput {
  plan: RollbackPlan;
  hosts: FleetHost[];
  rollout: RolloutConfig;
  userInventory?: { path: string; group: string };
  /** On resume: per host, the steps to skip and to check first; hosts absent here are not in this run. */
  resume?: Record<string, { skip: string[]; check: string[] }>;
}

export function fleetRollout(input: FleetRolloutInput): FleetRollout {
  const { plan } = input;
  if (input.hosts.length === 0) throw new RolloutError(`environment ${plan.environment} has no hosts to roll`);
  const firstHost = plan.steps.findIndex((s) => isHostStep(s, plan));
  if (firstHost < 0) throw new RolloutError(`the plan for ${plan.environment} has no step to run on the hosts`);
  let lastHost = firstHost;
  plan.steps.forEach((s, i) => {
    if (isHostStep(s, plan)) lastHost = i;
  });
  const before = plan.steps.slice(0, firstHost);
  const hostSteps = plan.steps.slice(firstHost, lastHost + 1);
  const after = plan.steps.slice(lastHost + 1);
  // The stash runs per host: it sits before the database steps in a single-host plan, and it touches only the host.
  const stash = before.filter((s) => s.id === 'stash');
  const product = before.filter((s) => s.id !== 'stash');
  const stray = hostSteps.filter((s) => !isHostStep(s, plan));
  if (stray.length > 0) throw new RolloutError(`step ${stray[0].id} (${stray[0].kind}) sits among the host steps but does not run on the hosts; a fleet rollout runs the database steps once, before the first batch's code switch`);
  const push = plan.steps.find((s) => s.kind === 'push');
  if (push) throw new RolloutError(`environment ${plan.environment} pushes its revert (push: true): with several hosts each would push its own revert commits; push from one checkout after the rollout instead`);
  const steps = [...stash, ...hostSteps];
  const group = input.userInventory?.group ?? OWN_GROUP;
  const running = input.resume ? input.hosts.filter((h) => input.resume![h.name]) : input.hosts;
  const batches = batchesOf(running.map((h) => h.name), input.rollout.batch);
  const values: Record<string, HostRunValues> = {};
  for (const h of input.hosts) {
    const health: Record<string, string> = {};
    for (const s of steps) if (s.kind === 'health' && s.health) health[s.id] = hostUrl(s.health.url, h, s.id);
    const r = input.resume?.[h.name];
    values[h.name] = { health, skip: r?.skip ?? [], check: r?.check ?? [], batchHosts: batches.find((b) => b.includes(h.name)) ?? [h.name] };
  }
  const playbook = generatePlaybook({
    runId: plan.id,
    title: `${plan.environment} ${plan.from.name} → ${plan.to.name}`,
    group,
    steps,
    rollout: input.rollout,
    commandTimeoutMs: plan.commandTimeoutMs ?? 600_000,
    withChecks: input.resume !== undefined && Object.values(input.resume).some((r) => r.check.length > 0),
    values: planValues(plan),
  });
  return {
    runId: plan.id,
    hosts: input.hosts,
    group,
    userInventory: input.userInventory?.path,
    rollout: input.rollout,
    batches,
    hostSteps: steps,
    before: product,
    after,
    playbook,
    inventory: inventoryYaml(input.hosts, values, input.userInventory === undefined),
  };
}

/** A step Ansible runs per host: a host step kind whose commands run on the plan's target (or a health check). */
function isHostStep(s: PlanStep, plan: RollbackPlan): boolean {
  if (!HOST_STEP_KINDS.has(s.kind)) return false;
  if (s.id === 'stash') return false;
  if (s.kind === 'health' || s.kind === 'wait') return true;
  return s.commands.length > 0 && s.commands.every((c) => c.where === plan.where);
}
