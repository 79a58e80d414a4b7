// The one place a rollback plan is made, for the VS Code flow and the command line alike:
// the facts under it (from the workspace model and the target) and the builder that turns
// the operator's choices into the plan the preview shows and the run start rebuilds.
import * as path from 'node:path';
import type { UndoChoice, UndoPath } from '../core/database';
import type { DatabaseSection } from '../core/database/section';
import { inspectHostFiles } from '../core/plan/inspectHostFiles';
import type { PlanGit } from '../core/plan/git';
import { buildPlan, codeStepCwd, type PlanInput } from '../core/plan/planner';
import type { HostFiles, PlanStep, RollbackPlan } from '../core/plan/types';
import type { CommandRunner } from '../core/ports';
import type { Release } from '../core/releases';
import type { PlanBuilder, PlanningSources } from './currentPlan';
import { operatorName } from './operator';
import { immutablePlanGit, noteKnownCommits, prefetchPlanQuestions } from './planGit';
import { recordedBackupReader, type ReadRecordedBackup } from './recordedBackup';
import type { RollbackSessions } from './sessions';
import type { WorkspaceModel } from './workspaceModel';

/** The bad release's database steps (from the migration classifier), placed before the code switch. */
export type DatabaseStepsFor = (input: { from: Release; to: Release; environment: string; chooseUndo: (choice: UndoChoice) => Promise<UndoPath | undefined>; readBackup?: ReadRecordedBackup; targetRunner?: (where: string) => CommandRunner; changedFiles?: (toSha: string, fromSha: string) => Promise<string[]> }) => Promise<PlanStep[] | DatabaseSection>;

/** What the operator decided that is part of the plan itself (and so of its digest). */
export interface PlanChoices {
  reason: string;
  targetSource: RollbackPlan['targetSource'];
  /**
   * Who planned it and the identity the revert commit carries. Read from this machine when
   * absent; a plan file run later (rollback-pilot run --plan) keeps the ones it was approved with.
   */
  createdBy?: string;
  gitIdentity?: { name: string; email: string };
  /** Revert This Commit and Redeploy: only this commit is reverted. */
  revertCommit?: string;
  /** The full rollback (the decision tree's "not sure"): every service redeployed. */
  redeployAll?: boolean;
}

/** The facts under a plan, read from the workspace model (its caches dropped first on a refresh) and the target. */
export function planningSources(workspace: WorkspaceModel, sessions: RollbackSessions): PlanningSources {
  return {
    refresh: () => workspace.invalidate(['config', 'releases', 'migrations']),
    config: async () => {
      const loaded = await workspace.config();
      return { config: loaded.config, text: loaded.fileExists ? (loaded.text ?? 'unreadable') : undefined };
    },
    releases: () => workspace.releases(),
    git: immutablePlanGit(sessions.runnerFor('local'), workspace.root.fsPath),
    migrationFiles: async () => {
      const out: Record<string, string> = {};
      for (const m of (await workspace.migrations()).flatMap((g) => g.migrations)) {
        for (const file of [m.file, m.downFile]) {
          if (file && !(file in out)) out[file] = await workspace.readFile(file).then((b) => new TextDecoder().decode(b), (e: Error) => `unreadable: ${e.message}`);
        }
      }
      return out;
    },
    targetRunner: (where) => sessions.runnerFor(where),
    targetPlace: (config, environment) => {
      const place = codeStepPlace({ config, environment, workspaceRoot: workspace.root.fsPath });
      return place && { ...place, isWorkspace: place.where === 'local' && path.resolve(place.cwd) === path.resolve(workspace.root.fsPath) };
    },
  };
}

/**
 * The whole database section of a plan request: its steps, the migration files the code step
 * keeps, the check that the tool still works; read over the target's connection. One host's
 * builder and a fleet's (fleetFlow.ts) both take it from here.
 */
export async function databaseSectionOf(req: Parameters<PlanBuilder>[0], sessions: RollbackSessions, databaseSteps: DatabaseStepsFor | undefined, git?: PlanGit): Promise<DatabaseSection | undefined> {
  if (!req.from || !databaseSteps) return undefined;
  const changedFiles = git && ((toSha: string, fromSha: string) => git.changedFiles(toSha, fromSha));
  const db = await databaseSteps({ from: req.from, to: req.to, environment: req.environment, chooseUndo: req.chooseUndo, readBackup: recordedBackupReader((where) => sessions.runnerFor(where)), targetRunner: (where) => sessions.runnerFor(where), changedFiles });
  return Array.isArray(db) ? { steps: db, keep: [], verify: [] } : db;
}

/** The builder the preview and the run start both call (currentPlan.ts compares what they made). */
export function planBuilder(workspace: WorkspaceModel, sessions: RollbackSessions, choices: PlanChoices, databaseSteps?: DatabaseStepsFor): PlanBuilder {
  // The operator's identity, read once per plan: the run start's rebuild commits as the preview said it would.
  let identity: Promise<{ name: string; email: string } | undefined> | undefined = choices.gitIdentity && Promise.resolve(choices.gitIdentity);
  return async (req) => {
    const root = workspace.root.fsPath;
    // Releases the listing has from for-each-ref are commits of this repository: the planner's rev-parse of them is already answered.
    // Looked up for the two SHAs only (they are near the top): a set of all 10,000 tags' SHAs cost more than the lookup saves.
    const releases = (await workspace.releases().catch(() => undefined))?.releases ?? [];
    const tagged = (sha: string | undefined): sha is string => sha !== undefined && releases.some((r) => r.sha === sha && r.source === 'tag');
    noteKnownCommits(root, [req.from?.sha, req.to.sha].filter(tagged));
    const git = immutablePlanGit(sessions.runnerFor('local'), root);
    const from = req.from?.sha ?? 'HEAD';
    // The target's files (the longest of these reads: several git commands in a row, asked first), the planner's first git
    // questions and the operator's identity, read while the database section is made: they do not depend on it.
    const hostFiles = earlyHostFiles({ config: req.config, environment: req.environment, to: req.to.sha, workspaceRoot: root }, (where) => sessions.runnerFor(where));
    const strategy = req.config.environments.find((e) => e.name === req.environment)?.strategy;
    prefetchPlanQuestions(git, from, req.to.sha, { changedFiles: !choices.revertCommit, range: strategy === 'revert' && !choices.revertCommit });
    const asked = (identity ??= sessions.operatorGitIdentity());
    asked.catch(() => (identity = undefined));
    const section = await databaseSectionOf(req, sessions, databaseSteps, git);
    // Before createdBy below: operatorName() says the git identity only once it has been read.
    const gitIdentity = await asked;
    // The target's own files in the way of the code step are read there, so the preview lists them.
    return buildPlanReadingHostFiles({
      config: req.config,
      environment: req.environment,
      git,
      from,
      fromName: req.from?.name,
      to: req.to.sha,
      toName: req.to.name,
      targetSource: choices.targetSource,
      reason: choices.reason,
      revertCommit: choices.revertCommit,
      redeployAll: choices.redeployAll,
      createdBy: choices.createdBy ?? operatorName(),
      // Revert commits on the target are by the operator (a deploy host's user usually has no identity).
      gitIdentity,
      workspaceRoot: workspace.root.fsPath,
      databaseSteps: section?.steps,
      keepMigrationFiles: section?.keep,
      verifySteps: section?.verify,
      notChecked: section?.notChecked,
      runId: req.runId,
      now: req.now,
    }, (where) => sessions.runnerFor(where), hostFiles);
  };
}

/** Where, in which folder, to which commit and with which strategy a plan's code step runs, and what the target's files there are. */
interface HostFilesRead {
  where: string;
  cwd: string;
  toSha: string;
  strategy: RollbackPlan['strategy'];
  files: Promise<HostFiles>;
  at: number;
}

/** An early reading older than this when the plan is built (the operator answered the database question meanwhile) is read again. */
const EARLY_FOR_MS = 2_000;

function readHostFiles(runnerFor: (where: string) => CommandRunner, where: string, cwd: string, toSha: string, strategy: RollbackPlan['strategy']): HostFilesRead {
  const runner = runnerFor(where);
  // inspectHostFiles never throws: a target it cannot read gives the preview its error.
  const files = inspectHostFiles(runner, cwd, toSha, strategy).finally(() => runner.dispose().catch(() => undefined));
  return { where, cwd, toSha, strategy, files, at: Date.now() };
}

/**
 * The target's files read as soon as the plan is asked for, beside the database section and
 * the planner's git questions: where the code step runs, in which folder, to which commit and
 * with which strategy are known from the request already (derived as buildPlan derives them).
 * Undefined when they are not (a fleet, an image, a target that is not a full SHA yet).
 */
function earlyHostFiles(input: Pick<PlanInput, 'config' | 'environment' | 'to' | 'workspaceRoot' | 'strategy'>, runnerFor: (where: string) => CommandRunner): HostFilesRead | undefined {
  const place = codeStepPlace(input);
  if (!place || !/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(input.to)) return undefined;
  return readHostFiles(runnerFor, place.where, place.cwd, input.to, place.strategy);
}

/**
 * Where a plan's code step will run, in which folder and with which strategy, derived from
 * rollback.yml as buildPlan derives them; undefined for a fleet or an image, which read no
 * working tree. Whoever reads early by it compares with the plan made (the plan decides).
 */
export function codeStepPlace(input: Pick<PlanInput, 'config' | 'environment' | 'workspaceRoot' | 'strategy'>): { where: string; cwd: string; strategy: RollbackPlan['strategy'] } | undefined {
  const env = input.config.environments.find((e) => e.name === input.environment);
  const strategy = input.strategy ?? env?.strategy;
  if (!env || env.fleet || !strategy || strategy === 'image') return undefined;
  return { where: env.host, cwd: codeStepCwd(env, input.workspaceRoot), strategy };
}

/**
 * buildPlanWithHostFiles (core/plan/inspectHostFiles.ts), with the target's files read early
 * (earlyHostFiles): that reading is used only when the first plan agrees on where, the folder,
 * the commit and the strategy, and it is fresh; otherwise they are read again for what the
 * plan says, exactly as buildPlanWithHostFiles reads them.
 */
async function buildPlanReadingHostFiles(input: PlanInput, runnerFor: (where: string) => CommandRunner, early: HostFilesRead | undefined): Promise<RollbackPlan> {
  const first = await buildPlan(input);
  if (first.strategy === 'image') return first;
  const cwd = first.cwd ?? '.';
  const same = early && Date.now() - early.at < EARLY_FOR_MS && first.where === early.where && cwd === early.cwd && first.to.sha === early.toSha && first.strategy === early.strategy;
  const hostFiles = await (same ? early : readHostFiles(runnerFor, first.where, cwd, first.to.sha, first.strategy)).files;
  return buildPlan({ ...input, runId: first.id, now: new Date(first.createdAt), hostFiles });
}
