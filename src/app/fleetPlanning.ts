// Planning a fleet rollout (issue 15) for either front end: Ansible present and new enough
// (said before planning), the fleet's hosts (rollback.yml's hosts, or the team's inventory
// read by ansible-inventory itself, so its host and group vars count), the plan built for the
// db host with the database steps once, each host's own preflight, and the preview's dry run.
import { isAbsolute, join } from 'node:path';
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';
import { buildPlan, type PlanInput } from '../core/plan/planner';
import { shJoin } from '../core/plan/shellQuote';
import type { PlanStep, RollbackPlan } from '../core/plan/types';
import { RolloutError } from '../core/fleet/batches';
import { fleetRollout, hostUrl, type FleetRollout } from '../core/fleet/fleetPlan';
import { hostsFromConfig, hostsFromInventory } from '../core/fleet/inventory';
import type { AnsiblePort } from '../core/fleet/ports';
import type { CheckRun } from '../core/fleet/preview';
import type { FleetHost } from '../core/fleet/types';
import type { HostHead } from '../core/fleet/fleetState';
import type { DatabaseSection } from '../core/database/section';
import type { PlanGit } from '../core/plan/git';
import { prefetchPlanQuestions } from './planGit';
import { fleetDbHost, onDbHost, type FleetDbHost } from './fleetDatabase';

export interface FleetPlanningDeps {
  ansible: AnsiblePort;
  /** This machine's shell, for ansible-inventory. */
  local: CommandRunner;
  workspaceRoot: string;
  /** The hosts the flow has just read for this environment (to find its db host), taken by the next planFleet instead of asking Ansible again. */
  hostsOnce?: FleetHostsOnce;
}

/**
 * The fleet's hosts as read once, handed to the one planning that follows: the flow reads an
 * inventory's hosts before planning (what is deployed is read on the db host), and the preview's
 * planFleet takes that reading instead of starting ansible-inventory again. Taken once: the run
 * start's rebuild reads the inventory again, so a change since the preview is seen there. Only
 * for the same environment as configured then (a rollback.yml changed meanwhile is read anew).
 */
export class FleetHostsOnce {
  private kept?: { key: string; hosts: FleetHost[] };

  keep(env: EnvironmentConfig, hosts: FleetHost[]): void {
    this.kept = { key: hostsKey(env), hosts };
  }

  take(env: EnvironmentConfig): FleetHost[] | undefined {
    const k = this.kept;
    this.kept = undefined;
    return k && k.key === hostsKey(env) ? k.hosts : undefined;
  }
}

function hostsKey(env: EnvironmentConfig): string {
  return JSON.stringify([env.name, env.path, env.fleet?.hosts, env.fleet?.inventory]);
}

export interface PlannedFleet {
  plan: RollbackPlan;
  fleet: FleetRollout;
  preflights: Record<string, PlanStep>;
  /** Where the database steps run, in the preview's words (which host, its tree, why that one). */
  dbWhere: string;
}

export function isFleet(env: EnvironmentConfig): boolean {
  return env.fleet !== undefined;
}

/** The fleet's hosts, in the order Ansible plays them. Errors name the config key and what Ansible said. */
export async function resolveFleetHosts(env: EnvironmentConfig, deps: Pick<FleetPlanningDeps, 'local' | 'workspaceRoot'>): Promise<FleetHost[]> {
  const fleet = env.fleet;
  if (!fleet) throw new RolloutError(`environment ${env.name} has one host, not a fleet`);
  if (fleet.hosts) return hostsFromConfig(fleet, env.path);
  const inv = fleet.inventory!;
  const file = isAbsolute(inv.path) ? inv.path : join(deps.workspaceRoot, inv.path);
  const where = `rollback.yml environments.${env.name}.inventory (${inv.path})`;
  // Both read the inventory and neither depends on the other: two Python start-ups side by side, not one after the other.
  const [list, order] = await Promise.all([
    deps.local.run(shJoin(['ansible-inventory', '-i', file, '--list']), { cwd: deps.workspaceRoot, timeoutMs: 60_000 }),
    deps.local.run(shJoin(['ansible', inv.group, '-i', file, '--list-hosts']), { cwd: deps.workspaceRoot, timeoutMs: 60_000 }),
  ]);
  if (list.code !== 0) throw new RolloutError(`${where} could not be read by ansible-inventory: ${lastLines(list.stderr || list.stdout)}`);
  // Ansible parses what it can and only warns about the rest: an inventory it could not parse at all is an error here.
  if (/Unable to parse .* as an inventory source/.test(list.stderr)) throw new RolloutError(`${where} does not parse as an Ansible inventory: ${lastLines(list.stderr)}`);
  const names = order.code === 0 ? order.stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
  return hostsFromInventory(list.stdout, inv.path, inv.group, names, env.path);
}

/**
 * The plan of a fleet: built for the db host (the database steps once, there), then the rollout
 * and every host's preflight. `databaseSection` makes the database section once the db host is
 * known (its reads go there); without it, the input's database and verify steps are used.
 */
export async function planFleet(input: Omit<PlanInput, 'config'> & { config: RollbackConfig; databaseSection?: (env: EnvironmentConfig, db: FleetDbHost) => Promise<DatabaseSection | undefined> }, deps: FleetPlanningDeps): Promise<PlannedFleet> {
  const env = input.config.environments.find((e) => e.name === input.environment);
  // One set of git answers for the whole fleet (every host's plan asks the same questions of the same two releases).
  const git = sharedAnswers(input.git);
  // Read while Ansible's version is checked (a Python start-up): the hosts, and the plan's first git questions.
  // Both only read; the version is still said first, before anything that may ask the operator (the database section).
  const checked = deps.ansible.unavailable();
  const given = env?.fleet && deps.hostsOnce?.take(env);
  const resolving = env?.fleet ? settled(given ? Promise.resolve(given) : resolveFleetHosts(env, deps)) : undefined;
  if (env?.fleet) prefetchPlanQuestions(git, input.from ?? 'HEAD', input.to, { changedFiles: !input.revertCommit, range: (input.strategy ?? env.strategy) === 'revert' && !input.revertCommit });
  const problem = await checked;
  if (problem) throw new RolloutError(problem);
  if (!env?.fleet || !resolving) throw new RolloutError(`environment ${input.environment} is not a fleet`);
  const hosts = unwrap(await resolving);
  const db = fleetDbHost(env, hosts);
  const withHost = (host: string, path: string, vars?: FleetHost): RollbackConfig => ({
    ...input.config,
    // One host of the fleet, as the single-host planner knows an environment (its fleet key dropped).
    environments: input.config.environments.map((e) => (e.name === env.name ? { ...withoutFleet(e), host, path } : e)),
    services: input.config.services.map((s) => (s.health && vars ? { ...s, health: { ...s.health, url: hostUrl(s.health.url, vars, `health of ${s.name}`) } } : s)),
  });
  const made = input.databaseSection ? await input.databaseSection(env, db) : undefined;
  // The database steps, and the migration tool's status check after every batch (fleetRunner's afterHosts), on the db host, in its tree.
  const databaseSteps = onDbHost(made ? made.steps : input.databaseSteps, db);
  const verifySteps = onDbHost(made ? made.verify : input.verifySteps, db);
  const plan = await buildPlan({ ...input, git, databaseSteps, verifySteps, ...(made ? { keepMigrationFiles: made.keep, notChecked: made.notChecked } : {}), config: withHost(db.destination, db.path) });
  // Every host's own plan at once (their git answers are the plan's, kept above); kept in the fleet's order, and the
  // first host in that order whose plan fails is the error, as when they were built one after another.
  const own = await Promise.all(hosts.map((h) => settled(buildPlan({ ...input, git, runId: plan.id, now: new Date(plan.createdAt), databaseSteps: [], verifySteps: [], config: withHost(h.destination, h.path, h) }))));
  const preflights: Record<string, PlanStep> = {};
  for (const [i, h] of hosts.entries()) {
    const pre = unwrap(own[i]).steps.find((s) => s.id === 'preflight');
    if (pre) preflights[h.name] = pre;
  }
  const rollout = fleetRollout({ plan, hosts, rollout: env.fleet.rollout, userInventory: env.fleet.inventory && { path: isAbsolute(env.fleet.inventory.path) ? env.fleet.inventory.path : join(deps.workspaceRoot, env.fleet.inventory.path), group: env.fleet.inventory.group } });
  return { plan, fleet: rollout, preflights, dbWhere: db.said };
}

/**
 * The configuration with the fleet environment's `host` and `path` set to its db host's: for what
 * the flow reads on "the target" before planning (what is deployed, the team's records), so it is
 * read there, never on host '' (an inventory without `db:` has no host the config layer could name).
 * Not for planning itself: planFleet takes the configuration as rollback.yml says it.
 */
export async function withFleetDbHost(config: RollbackConfig, env: EnvironmentConfig, deps: Pick<FleetPlanningDeps, 'local' | 'workspaceRoot' | 'hostsOnce'>): Promise<RollbackConfig> {
  // Hosts kept (the run's, after it) are used; the hosts read here are kept for the planning that follows.
  const hosts = deps.hostsOnce?.take(env) ?? (await resolveFleetHosts(env, deps));
  deps.hostsOnce?.keep(env, hosts);
  const db = fleetDbHost(env, hosts);
  return { ...config, environments: config.environments.map((e) => (e.name === env.name ? { ...e, host: db.destination, path: db.path } : e)) };
}

/** The preview's dry run: `--check --diff` on the first batch only. */
export async function checkFirstBatch(planned: PlannedFleet, ansible: AnsiblePort): Promise<CheckRun> {
  const f = planned.fleet;
  const r = await ansible.run({ playbook: f.playbook, inventory: f.inventory, userInventory: f.userInventory, limit: f.batches[0], check: true, forks: Math.max(1, f.batches[0].length) });
  return { output: r.outputTail, code: r.code, internalError: r.internalError };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects (no unhandled rejection while something else is awaited first); unwrap throws its error where it is used. */
function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

/**
 * The planner's git port for one planFleet call: every question asked once, its answer (or the
 * question still in flight) given to every host's plan. The releases are the same for every host,
 * so the answers are too; a ref such as HEAD is resolved once, so every host's plan names the
 * same commit. A failure is not kept: asked again, git answers again.
 */
function sharedAnswers(git: PlanGit): PlanGit {
  const kept = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, ask: () => Promise<T>): Promise<T> => {
    const hit = kept.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const value = ask();
    kept.set(key, value);
    value.catch(() => kept.delete(key));
    return value;
  };
  return {
    revParseCommit: (ref) => once(`rev-parse ${ref}`, () => git.revParseCommit(ref)),
    parents: (sha) => once(`parents ${sha}`, () => git.parents(sha)),
    firstParentRange: (toSha, fromSha) => once(`range ${toSha}..${fromSha}`, () => git.firstParentRange(toSha, fromSha)),
    changedFiles: (toSha, fromSha) => once(`changed ${toSha}..${fromSha}`, () => git.changedFiles(toSha, fromSha)),
    subject: (sha) => once(`subject ${sha}`, () => git.subject(sha)),
    ...(git.tagsAt ? { tagsAt: (sha: string) => once(`tags ${sha}`, () => git.tagsAt!(sha)) } : {}),
  };
}

function withoutFleet(e: EnvironmentConfig): EnvironmentConfig {
  const { fleet: _fleet, ...rest } = e;
  return rest;
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-4).join(' ').slice(0, 600);
}

/** Each host's HEAD and its tree, read on the host over the product's own connection, all at once. */
export async function readFleetHeads(hosts: FleetHost[], runnerFor: (destination: string) => CommandRunner): Promise<HostHead[]> {
  return Promise.all(
    hosts.map(async (h): Promise<HostHead> => {
      try {
        // The tree too: a revert commit made on the host is its own commit, but its tree is the release's.
        const r = await runnerFor(h.destination).run("git rev-parse HEAD 'HEAD^{tree}'", { cwd: h.path, timeoutMs: 30_000 });
        const [sha, tree] = r.stdout.trim().split('\n').map((l) => l.trim());
        const hex = /^[0-9a-f]{40,64}$/;
        return r.code === 0 && hex.test(sha ?? '') ? { host: h.name, sha, ...(tree && hex.test(tree) ? { tree } : {}) } : { host: h.name, error: r.stderr.trim() || (r.lost ? 'the connection was lost' : `exit ${r.code}`) };
      } catch (e) {
        return { host: h.name, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}
