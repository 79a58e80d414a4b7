// The decision step as the runbooks have it (core/decision/tree.ts), for both front ends:
// roll back now, roll forward, or a brief investigation — a visible timer (default 5 minutes)
// that ends by asking again; then what changed (code / database / configuration / unknown),
// which picks the plan: the git rollback, the database path first, the configuration restored
// and the services recreated (or just restarted), or the full rollback.
import type { DecisionAsked, DecisionRecord, InvestigationRecord } from '../core/decision/record';
import { causeChoices, DEFAULT_INVESTIGATE_MS, type Cause, type ConfigRemedy } from '../core/decision/tree';
import type { LogWatchService } from '../core/logs/types';
import { gitQueriesVia } from '../core/plan';
import { buildConfigPlan } from '../core/plan/configPlan';
import type { RollbackPlan } from '../core/plan/types';
import { findDeployed, type Release } from '../core/releases';
import type { PlanBuilder } from './currentPlan';
import { operatorName } from './operator';
import { planBuilder, type DatabaseStepsFor, type PlanChoices } from './planning';
import type { RollbackSessions } from './sessions';
import { investigationLogs } from './investigationLogs';
import type { Decision, FlowUi, Presenter } from './ui';
import type { WorkspaceModel } from './workspaceModel';

export interface Decided {
  /** When the operator decided to roll back (after any investigation): the timer counts from here. */
  decidedAt: string;
  cause: Cause;
  remedy?: ConfigRemedy;
  /** How it was decided (each question with its triggers, each investigation and how it ended): the journal's `decision`. */
  record: DecisionRecord;
}

/** How many investigations in a row before the flow stops asking (an hour at the default length). */
const MAX_INVESTIGATIONS = 12;

export interface DecideInput {
  workspace: WorkspaceModel;
  /** Error spikes and the like, offered as immediate triggers while the question is open. */
  triggers?: () => Promise<string[]>;
  /** Already known (Revert This Commit is about the code): the cause question is not asked. */
  cause?: Cause;
  /** The services "Open logs" streams on the investigation's page; by default those with logs: of the first environment. */
  logs?: () => Promise<LogWatchService[]>;
  now?: () => number;
}

/** The timers tick once a second: an end within a second of the limit is "time's up". */
const TICK_MS = 1000;

/** A promise of triggers, and what it had given by the time it is asked (what the operator could have seen). */
function watched(p: Promise<string[]> | undefined): { promise?: Promise<string[]>; seen(): string[] } {
  let seen: string[] = [];
  void p?.then((t) => (seen = t), () => undefined);
  return { ...(p ? { promise: p } : {}), seen: () => seen };
}

/** Decide → (investigate → decide)* → what changed → (configuration: restore or restart). */
export async function decideWithTree(ui: FlowUi, input: DecideInput): Promise<Decided | { stoppedBecause: string }> {
  const { prompter, presenter } = ui;
  const now = input.now ?? Date.now;
  const { config } = await input.workspace.config();
  const lengthMs = config.decision?.investigateMs ?? DEFAULT_INVESTIGATE_MS;
  const iso = (t: number): string => new Date(t).toISOString();
  const asked: DecisionAsked[] = [];
  const investigations: InvestigationRecord[] = [];
  const ask = async (): Promise<Decision | undefined> => {
    const at = iso(now());
    const offered = watched(input.triggers?.());
    const d = await prompter.decide(offered.promise);
    asked.push({ at, triggers: offered.seen() });
    return d;
  };
  let decision = await ask();
  for (let n = 0; decision === 'investigate'; n++) {
    if (n >= MAX_INVESTIGATIONS) {
      presenter.info(`${n} investigations in a row and still no decision: if unsure, roll back (bad releases compound). Nothing was planned.`);
      return { stoppedBecause: 'investigation without a decision' };
    }
    if (!presenter.investigate) {
      presenter.info('Brief investigation: come back within 5 minutes; if it is not clearly fixable by then, roll back. Nothing was planned.');
      return { stoppedBecause: 'investigating' };
    }
    const startedAt = now();
    // The page shows the triggers again (read anew) and offers the same environment's logs.
    const shown = watched(input.triggers?.());
    const ended = await presenter.investigate(lengthMs, startedAt, { ...(shown.promise ? { triggers: shown.promise } : {}), logs: (input.logs ?? (() => investigationLogs(input.workspace)))() });
    const endedAt = now();
    investigations.push({ startedAt: iso(startedAt), lengthMs, endedAt: iso(endedAt), ended: ended === 'roll-back' ? 'rolled-back' : ended === 'cancelled' ? 'cancelled' : 'asked-again', timeUp: endedAt >= startedAt + lengthMs - TICK_MS, triggers: shown.seen() });
    if (ended === 'cancelled') return { stoppedBecause: 'investigation cancelled' };
    // "Time's up: roll back now" (or "Roll back now" earlier) is the decision: not asked again.
    decision = ended === 'roll-back' ? 'roll-back' : await ask();
  }
  if (!decision) return { stoppedBecause: 'cancelled at the decision' };
  if (decision === 'roll-forward') {
    presenter.info('Rolling forward: ship the hotfix through your normal pipeline. If it is not out within 30 minutes, come back and roll back.');
    return { stoppedBecause: 'roll forward chosen' };
  }
  const decidedAt = iso(now());
  const record = (cause: Cause, remedy?: ConfigRemedy): DecisionRecord => ({ asked, investigations, decidedAt, cause, ...(remedy ? { remedy } : {}), ...(input.cause ? { causeGiven: true } : {}) });
  const hasConfigFiles = config.environments.some((e) => e.configFiles.length > 0);
  let cause = input.cause;
  if (!cause) {
    if (!prompter.chooseCause) cause = 'code';
    else {
      const hasMigrations = (await input.workspace.migrations().catch(() => [])).some((g) => g.migrations.length > 0);
      cause = await prompter.chooseCause(causeChoices({ hasMigrations, hasConfigFiles }));
      if (!cause) return { stoppedBecause: 'cancelled at the cause' };
    }
  }
  if (cause !== 'configuration') return { decidedAt, cause, record: record(cause) };
  const remedy = prompter.chooseConfigRemedy ? await prompter.chooseConfigRemedy(hasConfigFiles) : hasConfigFiles ? 'restore' : 'restart';
  if (!remedy) return { stoppedBecause: 'cancelled at the configuration remedy' };
  return { decidedAt, cause, remedy, record: record(cause, remedy) };
}

/** The plan builder for the decided branch: the git rollback (one commit, or the full rollback), or the configuration's. */
export function builderFor(
  decided: { cause?: Cause; remedy?: ConfigRemedy; revertCommit?: string },
  workspace: WorkspaceModel,
  sessions: RollbackSessions,
  choices: PlanChoices,
  databaseSteps?: DatabaseStepsFor,
): PlanBuilder {
  if (decided.cause !== 'configuration') {
    return planBuilder(workspace, sessions, { ...choices, ...(decided.revertCommit ? { revertCommit: decided.revertCommit } : {}), ...(decided.cause === 'unknown' ? { redeployAll: true } : {}) }, databaseSteps);
  }
  const remedy = decided.remedy ?? 'restore';
  return async (req) =>
    buildConfigPlan({
      config: req.config,
      environment: req.environment,
      git: gitQueriesVia(sessions.runnerFor('local'), workspace.root.fsPath),
      from: req.from?.sha ?? 'HEAD',
      fromName: req.from?.name,
      ...(remedy === 'restore' ? { to: req.to.sha, toName: req.to.name } : {}),
      remedy,
      targetSource: choices.targetSource,
      reason: choices.reason,
      createdBy: choices.createdBy ?? operatorName(),
      workspaceRoot: workspace.root.fsPath,
      runId: req.runId,
      now: req.now,
    });
}

/** A restart needs no release to return to: the deployed one is the plan's `to`. Undefined when none is known (the target is then chosen as usual). */
export async function restartTarget(workspace: WorkspaceModel): Promise<{ from?: Release; to: Release; source: RollbackPlan['targetSource'] } | undefined> {
  const deployed = findDeployed(await workspace.releases());
  return deployed && { from: deployed, to: deployed, source: 'user' };
}

/** "The database path first": the operator suspects a migration; when the bad release brought none, they are told the plan is the code's. */
export function noteDatabaseCause(plan: RollbackPlan, presenter: Presenter): void {
  if (plan.steps.some((s) => s.kind === 'database')) return;
  presenter.info(`${plan.from.name} brought no migration this workspace knows of, so there is nothing to undo in the database: the plan rolls the code back to ${plan.to.name}.`);
}
