// Revert Last Deploy / Roll Back to Release… on an environment with `hosts:` or `inventory:`
// (issue 15), for either front end: Ansible checked before anything is planned, the plan made
// by planFleet (the database steps once, every host's own preflight), the preview with the
// fleet's part (batches, what stops the rollout, the playbook, `--check --diff` on the first
// batch), and the run through the FleetRunner with every host × step change reported live.
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import type { DecisionRecord } from '../core/decision/record';
import type { RollbackPlan } from '../core/plan/types';
import { StalePlanError } from '../core/plan/staleness';
import type { AnsiblePort } from '../core/fleet/ports';
import { fleetPreviewMarkdown } from '../core/fleet/preview';
import { withPreflightResults } from '../core/plan/renderPreflightResults';
import { rebuildAndCompare, type PlanBuilder, type PlanningSources, type PreviewedRequest } from './currentPlan';
import { checkFirstBatch, isFleet, planFleet, type FleetPlanningDeps, type PlannedFleet } from './fleetPlanning';
import { dbHostRunners } from './fleetDatabase';
import { recordedBackupReader } from './recordedBackup';
import { runFleet, type FleetFlowDeps, type FleetOutcome } from './fleetRun';
import { readFleetPreflight, type FleetPreflight } from './fleetPreflight';
import { immutablePlanGit } from './planGit';
import { operatorName } from './operator';
import { databaseSectionOf, type DatabaseStepsFor, type PlanChoices } from './planning';
import type { RollbackSessions } from './sessions';
import type { FlowUi } from './ui';
import type { WorkspaceModel } from './workspaceModel';

export type { FleetFlowDeps, FleetOutcome } from './fleetRun';

/** The fleet a plan was made for, kept beside the PlanBuilder: the preview's and then the run start's. */
export interface FleetHolder {
  latest?: PlannedFleet;
}

/** The environment is a fleet and Ansible cannot run it: said before anything is planned (the single-host path never asks). */
export async function fleetUnavailable(config: RollbackConfig, environment: string, fleet: FleetFlowDeps | undefined, ansible?: AnsiblePort): Promise<string | undefined> {
  const env = config.environments.find((e) => e.name === environment);
  if (!env || !isFleet(env)) return undefined;
  if (!fleet) return `${environment} is a fleet (hosts: or inventory: in rollback.yml), which this front end cannot roll yet: run it from VS Code`;
  return (ansible ?? fleet.ansible()).unavailable();
}

export function fleetEnvironment(config: RollbackConfig, environment: string): EnvironmentConfig | undefined {
  const env = config.environments.find((e) => e.name === environment);
  return env && isFleet(env) ? env : undefined;
}

/** The builder of a fleet plan: the same choices and database section as a single host's, planned by planFleet. */
export function fleetPlanBuilder(workspace: WorkspaceModel, sessions: RollbackSessions, choices: PlanChoices, databaseSteps: DatabaseStepsFor | undefined, deps: FleetPlanningDeps, holder: FleetHolder): PlanBuilder {
  return async (req) => {
    const git = immutablePlanGit(sessions.runnerFor('local'), workspace.root.fsPath);
    // Before createdBy below: operatorName() says the git identity only once it has been read.
    const gitIdentity = choices.gitIdentity ?? (await sessions.operatorGitIdentity());
    const planned = await planFleet({
      config: req.config,
      environment: req.environment,
      git,
      from: req.from?.sha ?? 'HEAD',
      fromName: req.from?.name,
      to: req.to.sha,
      toName: req.to.name,
      targetSource: choices.targetSource,
      reason: choices.reason,
      revertCommit: choices.revertCommit,
      redeployAll: choices.redeployAll,
      createdBy: choices.createdBy ?? operatorName(),
      gitIdentity,
      workspaceRoot: workspace.root.fsPath,
      // Made once the db host is known: what it reads while planned (the backup record, the tool) is read there.
      // The migration tool's status check runs once, on the db host, after the last batch (planFleet puts it there).
      databaseSection: databaseSteps && ((env, db) => {
        const runnerFor = dbHostRunners((where) => sessions.runnerFor(where), env, db);
        return databaseSectionOf(req, sessions, (input) => databaseSteps({ ...input, readBackup: recordedBackupReader(runnerFor), targetRunner: runnerFor }));
      }),
      runId: req.runId,
      now: req.now,
    }, deps);
    holder.latest = planned;
    return planned.plan;
  };
}

export function fleetPlanningDeps(workspace: WorkspaceModel, sessions: RollbackSessions, ansible: AnsiblePort): FleetPlanningDeps {
  return { ansible, local: sessions.runnerFor('local'), workspaceRoot: workspace.root.fsPath };
}

export interface PlannedFleetRollback {
  previewed: PreviewedRequest;
  sources: PlanningSources;
  build: PlanBuilder;
  holder: FleetHolder;
  planned: PlannedFleet;
  ansible: AnsiblePort;
  /** Every host's preflight as the preview read it (set by fleetPreviewText). */
  preflight?: FleetPreflight;
}


/**
 * The preview's text: the plan as for one host, every host's preflight as a host × check table
 * (read now, one connection per host), then the fleet's part with the first batch's check run.
 * A host failing a fatal check is kept on `p.preflight.refusal`: the flow refuses to start.
 */
export async function fleetPreviewText(p: PlannedFleetRollback, sessions: Pick<RollbackSessions, 'redact' | 'runnerFor'>): Promise<string> {
  const [check, preflight] = await Promise.all([
    checkFirstBatch(p.planned, p.ansible).catch((e: Error) => ({ output: '', code: null, internalError: e.message })),
    readFleetPreflight(p.planned, (where) => sessions.runnerFor(where)),
  ]);
  p.preflight = { ...preflight, refusal: preflight.refusal && sessions.redact(preflight.refusal) };
  return sessions.redact(`${withPreflightResults(p.previewed.preview, preflight.section).trimEnd()}\n\n${fleetPreviewMarkdown(p.planned.fleet, p.planned.dbWhere, check)}`);
}

/**
 * The run start of a previewed fleet plan: rebuilt from the current facts (rollback.yml,
 * releases, the hosts) and compared, the playbook and inventory included, then run.
 */
export async function runPreviewedFleet(sessions: RollbackSessions, ui: FlowUi, p: PlannedFleetRollback, fleet: FleetFlowDeps, decided?: { decidedAt: string; decision?: DecisionRecord }): Promise<FleetOutcome> {
  if (p.preflight?.refusal) {
    await ui.presenter.error(p.preflight.refusal);
    return { plan: p.previewed.plan, stoppedBecause: 'preflight refused' };
  }
  let plan: RollbackPlan;
  let planned: PlannedFleet;
  try {
    plan = await rebuildAndCompare(p.sources, p.build, p.previewed);
    planned = p.holder.latest!;
    const changed = [
      planned.fleet.playbook !== p.planned.fleet.playbook ? 'the playbook' : undefined,
      planned.fleet.inventory !== p.planned.fleet.inventory ? "the fleet's hosts or their values" : undefined,
      JSON.stringify(planned.fleet.batches) !== JSON.stringify(p.planned.fleet.batches) ? 'the batches' : undefined,
    ].filter((x): x is string => x !== undefined);
    if (changed.length) throw new StalePlanError(changed.map((c) => `${c} changed since the preview`));
  } catch (e) {
    const stale = e instanceof StalePlanError;
    await ui.presenter.error(stale ? e.message : `Nothing ran: the plan could not be checked against the current facts before the run (${(e as Error).message}).`);
    return { plan: p.previewed.plan, stoppedBecause: stale ? 'plan changed since the preview' : 'plan check failed' };
  }
  return runFleet(sessions, ui, { plan, fleet: planned.fleet, preflights: planned.preflights, ...decided }, fleet);
}
