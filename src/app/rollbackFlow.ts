import { previewPlan, rebuildAndCompare, type PlanBuilder, type PlanningSources, type PreviewedRequest } from './currentPlan';
import type { RollbackConfig } from '../core/config/types';
import { StalePlanError } from '../core/plan/staleness';
import type { RollbackPlan } from '../core/plan/types';
import { findDeployed, findLastKnownGood, type Release } from '../core/releases';
import type { RunResult } from '../core/run';
import { DatabaseChoiceCancelled } from './databasePlan';
import { confirmPlanWithRehearsal, type RehearsalFlow } from './rehearsal';
import { planningSources, type DatabaseStepsFor } from './planning';
import { runWithProgress, type AfterRun } from './runWithProgress';
import { preflightSection } from './preflightPreview';
import { withPreflightResults } from '../core/plan/renderPreflightResults';
import { decisionTriggers } from './errorSpikes';
import { builderFor, decideWithTree, noteDatabaseCause, restartTarget } from './decision';
import type { Cause, ConfigRemedy } from '../core/decision/tree';
import type { DecisionRecord } from '../core/decision/record';
import type { RollbackSessions } from './sessions';
import { environmentChoices, readTargetFacts, snapshotFallbackNote } from './targetFacts';
import type { FlowUi, Presenter } from './ui';
import type { WorkspaceModel } from './workspaceModel';
import { fleetEnvironment, fleetPlanBuilder, fleetPlanningDeps, fleetPreviewText, fleetUnavailable, runPreviewedFleet, type FleetFlowDeps, type FleetHolder, type PlannedFleetRollback } from './fleetFlow';
import { FleetHostsOnce, withFleetDbHost } from './fleetPlanning';
import type { FleetRunResult } from '../core/fleet/fleetRunner';

export const OPEN_CONFIG = 'Open rollback.yml';

export interface RollbackFlowDeps {
  workspace: WorkspaceModel;
  sessions: RollbackSessions;
  /** The bad release's database steps (from the migration classifier), placed before the code switch. */
  databaseSteps?: DatabaseStepsFor;
  /** "Rehearse first" beside the preview (src/app/rehearsal.ts): the database steps on a scratch copy of the schema. */
  rehearsal?: RehearsalFlow;
  /** Environments with hosts: or inventory: (issue 15): Ansible runs their host steps. Without it a fleet is refused, with why. */
  fleet?: FleetFlowDeps;
  /** After a single host's run ends, however it ended: the composition root reads the environment again (fleets have fleet.afterRun). */
  afterRun?: AfterRun;
}

export interface FlowOptions {
  /** The release to return to; without it, the last-known-good (Revert Last Deploy) or the user's pick (Roll Back to Release…). */
  target?: Release;
  pickTarget: boolean;
  /** Already chosen (the command line's --env): the environment question is not asked. */
  environment?: string;
  /** Already given (the command line's --reason): the reason question is not asked. */
  reason?: string;
  /** A release name or commit (the command line's --to), looked up in the listing once the target was read. */
  targetRef?: string;
  /** The decision tree's branch (app/decision.ts): asked when absent; Revert This Commit gives 'code'. */
  cause?: Cause;
  /** The configuration branch: restore the config files and recreate, or restart. */
  remedy?: ConfigRemedy;
  /** Revert This Commit and Redeploy: only this commit is reverted. */
  revertCommit?: string;
}

export interface FlowOutcome {
  plan?: RollbackPlan;
  result?: RunResult;
  /** A fleet's run: the host × step grid and the fleet's state in words besides the journal. */
  fleetResult?: FleetRunResult;
  /** Why nothing ran, when nothing did. */
  stoppedBecause?: string;
}

/** rollback.yml has errors: say so (with a way to open it) and plan nothing. */
export async function refuseConfigErrors(workspace: WorkspaceModel, presenter: Presenter): Promise<boolean> {
  const loaded = await workspace.config();
  if (!loaded.fellBackToDefault) return false;
  const message = 'rollback.yml has errors; fix them before rolling back (they are in the Problems panel).';
  if (presenter.configErrors) {
    presenter.configErrors(message);
    return true;
  }
  const open = await presenter.error(message, OPEN_CONFIG);
  if (open) await presenter.openFile(workspace.configPath);
  return true;
}

/** The release a rollback returns to: given, the last-known-good, or picked from the releases that are neither bad nor deployed. */
export interface ChosenTarget {
  from?: Release;
  to: Release;
  source: RollbackPlan['targetSource'];
}

/**
 * Chooses the target once the target's facts were read (the listing follows them). Says why
 * and returns a reason string when there is none to choose.
 */
export async function chooseTarget(workspace: WorkspaceModel, ui: FlowUi, environment: string, options: Pick<FlowOptions, 'target' | 'pickTarget' | 'targetRef'>, fellBack: (target: Release | undefined, source: RollbackPlan['targetSource']) => string | undefined): Promise<ChosenTarget | { stoppedBecause: string }> {
  const { prompter, presenter } = ui;
  workspace.invalidate(['releases']);
  const listing = await workspace.releases();
  const deployed = findDeployed(listing);
  let target = options.target;
  let source: RollbackPlan['targetSource'] = 'user';
  if (!target && options.targetRef !== undefined) {
    target = await findRelease(workspace, listing.releases, options.targetRef);
    if (!target) {
      const known = listing.releases.slice(0, 8).map((r) => r.name).join(', ');
      await presenter.error(`${options.targetRef} is not a release of this repository (a tag matching the release pattern, or a recorded deploy)${known ? `; the newest are: ${known}` : '; there is none'}.`);
      return { stoppedBecause: 'no such release' };
    }
  }
  if (!target && !options.pickTarget) {
    const lkg = findLastKnownGood(listing);
    if (lkg) {
      target = lkg.release;
      source = lkg.source;
    }
    const note = fellBack(target, source);
    if (note) presenter.info(note);
  }
  if (!target) {
    const candidates = listing.releases.filter((r) => !r.markers.includes('bad') && r.sha !== deployed?.sha);
    if (candidates.length === 0) {
      await presenter.error('There is no release to roll back to: every other release is marked bad, or there is none. Tag the last good commit (git tag v…) or pick a commit by hand.');
      return { stoppedBecause: 'no target' };
    }
    target = await prompter.pickRelease(candidates, `Roll ${environment} back to which release?${deployed ? ` (deployed: ${deployed.name})` : ''}`);
    if (!target) return { stoppedBecause: 'no target chosen' };
  }
  if (target.markers.includes('bad')) {
    await presenter.error(`${target.name} is marked bad (${target.badReason ?? 'no reason recorded'}); it is never a rollback target.`);
    return { stoppedBecause: 'target is bad' };
  }
  return { from: deployed, to: target, source };
}

/** A release by name, else by the commit a ref names (a SHA, a tag); undefined when none is that commit. */
async function findRelease(workspace: WorkspaceModel, releases: Release[], ref: string): Promise<Release | undefined> {
  const byName = releases.find((r) => r.name === ref);
  if (byName) return byName;
  const sha = await workspace.gitPort.revParseCommit(ref).catch(() => undefined);
  return sha ? releases.find((r) => r.sha === sha) : undefined;
}

/** A plan made for the preview, with what the run start needs to rebuild it. */
export interface PlannedRollback {
  previewed: PreviewedRequest;
  sources: PlanningSources;
  build: PlanBuilder;
  /** The environment is a fleet: its rollout, playbook and per-host preflights, planned with the plan. */
  fleet?: PlannedFleetRollback;
}

/**
 * Environment → what the target runs → target release → the plan and its preview. Nothing
 * is run and nothing is asked beyond the environment, the target and the database undo path.
 */
export async function planRollback(deps: RollbackFlowDeps, ui: FlowUi, reason: string, options: FlowOptions): Promise<PlannedRollback | { stoppedBecause: string }> {
  const { workspace, sessions } = deps;
  const { prompter, presenter } = ui;
  const { config } = await workspace.config();
  const environment = options.environment ?? (await prompter.pickEnvironment(await environmentChoices(workspace, config)));
  if (!environment) return { stoppedBecause: 'no environment chosen' };
  // A fleet needs Ansible: missing or too old is said before anything is read or planned (a single host never asks).
  // One Ansible for the whole flow: its version is checked here once, and planFleet's own check (preview and rebuild) is answered by the same check.
  const fleetEnv = fleetEnvironment(config, environment);
  const ansible = fleetEnv && deps.fleet?.ansible();
  const noAnsible = await fleetUnavailable(config, environment, deps.fleet, ansible || undefined);
  if (noAnsible) {
    await presenter.error(`Nothing was planned for ${environment}: ${noAnsible}`);
    return { stoppedBecause: 'ansible unavailable' };
  }
  if (fleetEnv && options.cause === 'configuration') {
    await presenter.error(`Nothing was planned for ${environment}: a fleet is rolled back by its code (the configuration remedies restore or restart one host); choose "the code" as what changed, or roll the hosts one by one.`);
    return { stoppedBecause: 'configuration remedy on a fleet' };
  }
  // Production is the source of truth: what runs there (HEAD, snapshot file) is read from the target now, so a bad host is refused before any preview.
  // The release tags are read meanwhile, for the listing that follows the target.
  await workspace.prefetchReleases();
  // An inventory's hosts, read here for the db host, are the preview plan's too (ansible-inventory once, not twice).
  const hostsOnce = new FleetHostsOnce();
  const factsConfig = await factsConfigFor(deps, config, environment, hostsOnce).catch((e: Error) => e);
  if (factsConfig instanceof Error) {
    await presenter.error(`Nothing was planned for ${environment}: ${factsConfig.message}`);
    return { stoppedBecause: 'target not readable' };
  }
  const onTarget = await readTargetFacts(workspace, sessions, factsConfig, environment).catch((e: Error) => e);
  if (onTarget instanceof Error) {
    await presenter.error(`Nothing was planned for ${environment}: ${onTarget.message}`);
    return { stoppedBecause: 'target not readable' };
  }

  // A restart returns to nothing: the deployed release is the plan's own.
  const restart = options.cause === 'configuration' && options.remedy === 'restart' ? await restartTarget(workspace) : undefined;
  const chosen = restart ?? (await chooseTarget(workspace, ui, environment, options, (target, source) => snapshotFallbackNote(onTarget, target, source)));
  if ('stoppedBecause' in chosen) return chosen;

  const sources = planningSources(workspace, sessions);
  // The one place the plan is made: for the preview, and again from the current facts at run start.
  const holder: FleetHolder = {};
  const build = ansible
    ? fleetPlanBuilder(workspace, sessions, { reason, targetSource: chosen.source, ...(options.revertCommit ? { revertCommit: options.revertCommit } : {}), ...(options.cause === 'unknown' ? { redeployAll: true } : {}) }, deps.databaseSteps, { ...fleetPlanningDeps(workspace, sessions, ansible), hostsOnce }, holder)
    : builderFor(options, workspace, sessions, { reason, targetSource: chosen.source }, deps.databaseSteps);
  try {
    const previewed = await previewPlan(sources, build, { environment, from: chosen.from, to: chosen.to }, (choice) => prompter.chooseDatabaseUndo(choice, environment));
    if (options.cause === 'database') noteDatabaseCause(previewed.plan, presenter);
    const fleet = ansible && holder.latest ? { previewed, sources, build, holder, planned: holder.latest, ansible } : undefined;
    return { previewed, sources, build, ...(fleet ? { fleet } : {}) };
  } catch (e) {
    if (e instanceof DatabaseChoiceCancelled) {
      presenter.info(`Nothing ran. ${e.message}`);
      return { stoppedBecause: 'cancelled at the database choice' };
    }
    await presenter.error(`Could not plan the rollback: ${(e as Error).message}`);
    return { stoppedBecause: 'planning failed' };
  }
}

/**
 * Decide → choose target → plan → preview → confirm → run. Nothing runs before the
 * user confirms the plan they are looking at; at run start the plan is rebuilt from the
 * current facts and the run refuses, saying what changed, when it differs from the preview.
 */
export async function runRollbackFlow(deps: RollbackFlowDeps, ui: FlowUi, options: FlowOptions): Promise<FlowOutcome> {
  const { workspace, sessions } = deps;
  const { prompter, presenter } = ui;
  if (await refuseConfigErrors(workspace, presenter)) return { stoppedBecause: 'config errors' };

  // The runbooks' decision tree: roll back, roll forward or investigate first; then what changed.
  const decided = await decideWithTree(ui, { workspace, triggers: () => decisionTriggers(workspace, sessions), cause: options.cause ?? (options.revertCommit ? 'code' : undefined) });
  if ('stoppedBecause' in decided) return decided;
  const { decidedAt, record } = decided;
  options = { ...options, cause: decided.cause, ...(decided.remedy ? { remedy: decided.remedy } : {}) };
  const reason = options.reason ?? (await prompter.reason());
  if (!reason) return { stoppedBecause: 'no reason given' };
  const planned = await planRollback(deps, ui, reason, options);
  if ('stoppedBecause' in planned) return planned;
  const { previewed, sources, build } = planned;

  // A fleet's preview adds every host's preflight (host × check), its batches, playbook and the first batch's check run.
  const previewText = planned.fleet
    ? await fleetPreviewText(planned.fleet, sessions)
    : sessions.redact(withPreflightResults(previewed.preview, await preflightSection(previewed.plan, (where) => sessions.runnerFor(where))));
  await showPlanPreview(workspace, presenter, previewed.plan, previewText);
  // A host of the fleet failing a fatal check: refused here, before the operator is asked to confirm what cannot start.
  if (planned.fleet?.preflight?.refusal) {
    await presenter.error(planned.fleet.preflight.refusal);
    return { plan: previewed.plan, stoppedBecause: 'preflight refused' };
  }
  const confirmed = await confirmPlanWithRehearsal(previewed.plan, ui, deps.rehearsal);
  if (confirmed === 'rehearsal-failed') return { plan: previewed.plan, stoppedBecause: 'rehearsal failed' };
  if (confirmed !== 'run') {
    presenter.info('Nothing ran. The plan preview stays open for reference.');
    return { plan: previewed.plan, stoppedBecause: 'not confirmed' };
  }
  if (planned.fleet && deps.fleet) {
    const out = await runPreviewedFleet(sessions, ui, planned.fleet, deps.fleet, { decidedAt, decision: record });
    const { config } = await workspace.config();
    // A run that started: read on the db host it used, its hosts as the run start resolved them (not ansible-inventory again).
    const ran = new FleetHostsOnce();
    const env = fleetEnvironment(config, previewed.plan.environment);
    if (env && out.fleetResult && planned.fleet.holder.latest) ran.keep(env, planned.fleet.holder.latest.fleet.hosts);
    const factsConfig = await factsConfigFor(deps, config, previewed.plan.environment, ran).catch(() => config);
    await readTargetFacts(workspace, sessions, factsConfig, previewed.plan.environment).catch(() => workspace.useTargetFacts(undefined));
    const r = out.fleetResult;
    return { plan: out.plan, ...(r ? { fleetResult: r, result: { success: r.success, journal: r.journal, state: r.state } } : {}), ...(out.stoppedBecause ? { stoppedBecause: out.stoppedBecause } : {}) };
  }
  return runPreviewed(deps, ui, previewed, decidedAt, async () => {
    // What runs is what was previewed: rebuilt now from the current facts, or nothing runs.
    return rebuildAndCompare(sources, build, previewed);
  }, record);
}

/** An inventory fleet without `db:` has no host of its own in rollback.yml: its facts are read on the host Ansible plays first (where its database steps run). */
async function factsConfigFor(deps: RollbackFlowDeps, config: RollbackConfig, environment: string, hostsOnce?: FleetHostsOnce): Promise<RollbackConfig> {
  const env = fleetEnvironment(config, environment);
  if (!env || env.host || !deps.fleet) return config;
  return withFleetDbHost(config, env, { ...fleetPlanningDeps(deps.workspace, deps.sessions, deps.fleet.ansible()), hostsOnce });
}

/**
 * Rebuilds (via `rebuild`) and runs a previewed plan, then reads the target again. Shared by
 * the interactive flow and the command line's `run --plan`.
 */
export async function runPreviewed(deps: RollbackFlowDeps, ui: FlowUi, previewed: PreviewedRequest, decidedAt: string, rebuild: () => Promise<RollbackPlan>, decision?: DecisionRecord): Promise<FlowOutcome> {
  const { workspace, sessions } = deps;
  let plan: RollbackPlan;
  try {
    plan = await rebuild();
  } catch (e) {
    const stale = e instanceof StalePlanError;
    await ui.presenter.error(stale ? e.message : `Nothing ran: the plan could not be checked against the current facts before the run (${(e as Error).message}).`);
    return { plan: previewed.plan, stoppedBecause: stale ? 'plan changed since the preview' : 'plan check failed' };
  }
  const result = await runWithProgress(sessions, plan, `Rolling back ${plan.environment} to ${plan.to.name}`, (s) => s.run(plan, previewed.digest, decidedAt, decision), ui.presenter, deps.afterRun);
  // What the target said before the run is stale now: read it again, or (a revert commit this
  // repository does not have, a host gone) let the listing fall back to the deploy records.
  const { config } = await workspace.config();
  await readTargetFacts(workspace, sessions, config, plan.environment).catch(() => workspace.useTargetFacts(undefined));
  return { plan, result };
}

/** The readable plan and, for git strategies, the code diff the rollback will apply. */
export async function showPlanPreview(workspace: WorkspaceModel, presenter: Presenter, plan: RollbackPlan, text: string): Promise<void> {
  // The plan's own heading is the first line, which VS Code uses as the tab's title; it names the target's source too.
  // Exactly the text the digest was taken of.
  await presenter.showPreview({
    text,
    diff: plan.strategy === 'image' ? undefined : {
      title: `# What the code change will do: ${plan.from.name} → ${plan.to.name}`,
      text: () => workspace.gitDiff(plan.from.sha, plan.to.sha).catch((e: Error) => `Could not compute the diff: ${e.message}`),
    },
  });
}
