import * as vscode from 'vscode';
import type { UndoChoice, UndoPath } from '../../core/database';
import { previewPlan, rebuildAndCompare, type PlanBuilder, type PlanningSources, type PreviewedRequest } from '../../app/currentPlan';
import { gitQueriesVia } from '../../core/plan';
import { buildPlanWithHostFiles } from '../../core/plan/inspectHostFiles';
import { StalePlanError, type PreviewedPlan } from '../../core/plan/staleness';
import type { PlanStep, RollbackPlan } from '../../core/plan/types';
import { findDeployed, findLastKnownGood, type Release } from '../../core/releases';
import { JournalWriteError, LockHeldError, RunRefusedError, type RunResult } from '../../core/run';
import { DatabaseChoiceCancelled } from '../../app/databasePlan';
import type { RollbackDialogs } from '../dialogs';
import { operatorName, type RollbackSessions } from '../rollbackSessions';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import { chooseHowToStop } from './stopChoice';
import { requireTrust } from './trust';
import { environmentChoices, readTargetFacts, snapshotFallbackNote } from '../../app/targetFacts';
import { operatorGitIdentity } from '../../core/plan/preflight';

export interface RollbackFlowDeps {
  workspace: RollbackWorkspace;
  sessions: RollbackSessions;
  dialogs: () => RollbackDialogs;
  /** The bad release's database steps (from the migration classifier), placed before the code switch. */
  databaseSteps?: (input: { from: Release; to: Release; environment: string; chooseUndo: (choice: UndoChoice) => Promise<UndoPath | undefined> }) => Promise<PlanStep[]>;
}

export interface FlowOptions {
  /** The release to return to; without it, the last-known-good (Revert Last Deploy) or the user's pick (Roll Back to Release…). */
  target?: Release;
  pickTarget: boolean;
}

export interface FlowOutcome {
  plan?: RollbackPlan;
  result?: RunResult;
  /** Why nothing ran, when nothing did. */
  stoppedBecause?: string;
}

/**
 * Decide → choose target → plan → preview → confirm → run. Nothing runs before the
 * user confirms the plan they are looking at; at run start the plan is rebuilt from the
 * current facts and the run refuses, saying what changed, when it differs from the preview.
 */
export async function runRollbackFlow(deps: RollbackFlowDeps, options: FlowOptions): Promise<FlowOutcome> {
  const { workspace, sessions } = deps;
  const dialogs = deps.dialogs();
  if (!requireTrust('run a rollback')) return { stoppedBecause: 'untrusted workspace' };

  const loaded = await workspace.config();
  if (loaded.fellBackToDefault) {
    const open = await dialogs.error('rollback.yml has errors; fix them before rolling back (they are in the Problems panel).', 'Open rollback.yml');
    if (open) await vscode.window.showTextDocument(workspace.configUri);
    return { stoppedBecause: 'config errors' };
  }
  const config = loaded.config;

  const decision = await dialogs.decide();
  if (!decision) return { stoppedBecause: 'cancelled at the decision' };
  if (decision === 'roll-forward') {
    dialogs.info('Rolling forward: ship the hotfix through your normal pipeline. If it is not out within 30 minutes, come back and roll back.');
    return { stoppedBecause: 'roll forward chosen' };
  }
  const decidedAt = new Date().toISOString();
  const reason = await dialogs.reason();
  if (!reason) return { stoppedBecause: 'no reason given' };
  const environment = await dialogs.pickEnvironment(await environmentChoices(workspace, config));
  if (!environment) return { stoppedBecause: 'no environment chosen' };
  // Production is the source of truth: what runs there (HEAD, snapshot file) is read from the target now, so a bad host is refused before any preview.
  const onTarget = await readTargetFacts(workspace, sessions, config, environment).catch((e: Error) => e);
  if (onTarget instanceof Error) {
    await dialogs.error(`Nothing was planned for ${environment}: ${onTarget.message}`);
    return { stoppedBecause: 'target not readable' };
  }

  workspace.invalidate(['releases']);
  const listing = await workspace.releases();
  const deployed = findDeployed(listing);
  let target = options.target;
  let source: RollbackPlan['targetSource'] = 'user';
  if (!target && !options.pickTarget) {
    const lkg = findLastKnownGood(listing);
    if (lkg) {
      target = lkg.release;
      source = lkg.source;
    }
    const fellBack = snapshotFallbackNote(onTarget, target, source);
    if (fellBack) dialogs.info(fellBack);
  }
  if (!target) {
    const candidates = listing.releases.filter((r) => !r.markers.includes('bad') && r.sha !== deployed?.sha);
    if (candidates.length === 0) {
      await dialogs.error('There is no release to roll back to: every other release is marked bad, or there is none. Tag the last good commit (git tag v…) or pick a commit by hand.');
      return { stoppedBecause: 'no target' };
    }
    target = await dialogs.pickRelease(candidates, `Roll ${environment} back to which release?${deployed ? ` (deployed: ${deployed.name})` : ''}`);
    if (!target) return { stoppedBecause: 'no target chosen' };
  }
  if (target.markers.includes('bad')) {
    await dialogs.error(`${target.name} is marked bad (${target.badReason ?? 'no reason recorded'}); it is never a rollback target.`);
    return { stoppedBecause: 'target is bad' };
  }
  const from = deployed;

  const sources = planningSources(workspace, sessions);
  // The one place the plan is made: for the preview, and again from the current facts at run start.
  const build: PlanBuilder = async (req) => {
    const git = gitQueriesVia(sessions.runnerFor('local'), workspace.root.fsPath);
    const databaseSteps = req.from && deps.databaseSteps ? await deps.databaseSteps({ from: req.from, to: req.to, environment: req.environment, chooseUndo: req.chooseUndo }) : undefined;
    // The target's own files in the way of the code step are read there, so the preview lists them.
    return buildPlanWithHostFiles({
      config: req.config,
      environment: req.environment,
      git,
      from: req.from?.sha ?? 'HEAD',
      fromName: req.from?.name,
      to: req.to.sha,
      toName: req.to.name,
      targetSource: source,
      reason,
      createdBy: operatorName(),
      // Revert commits on the target are by the operator (a deploy host's user usually has no identity).
      gitIdentity: await operatorGitIdentity(sessions.runnerFor('local'), workspace.root.fsPath),
      workspaceRoot: workspace.root.fsPath,
      databaseSteps,
      runId: req.runId,
      now: req.now,
    }, (where) => sessions.runnerFor(where));
  };

  let previewed: PreviewedRequest;
  try {
    previewed = await previewPlan(sources, build, { environment, from, to: target }, (choice) => dialogs.chooseDatabaseUndo(choice, environment));
  } catch (e) {
    if (e instanceof DatabaseChoiceCancelled) {
      dialogs.info(`Nothing ran. ${e.message}`);
      return { stoppedBecause: 'cancelled at the database choice' };
    }
    await dialogs.error(`Could not plan the rollback: ${(e as Error).message}`);
    return { stoppedBecause: 'planning failed' };
  }

  await showPreview(workspace, { ...previewed, preview: sessions.redact(previewed.preview) });
  if (!(await dialogs.confirmPlan(previewed.plan))) {
    dialogs.info('Nothing ran. The plan preview stays open for reference.');
    return { plan: previewed.plan, stoppedBecause: 'not confirmed' };
  }
  // What runs is what was previewed: rebuilt now from the current facts, or nothing runs.
  let plan: RollbackPlan;
  try {
    plan = await rebuildAndCompare(sources, build, previewed);
  } catch (e) {
    const stale = e instanceof StalePlanError;
    await dialogs.error(stale ? e.message : `Nothing ran: the plan could not be checked against the current facts before the run (${(e as Error).message}).`);
    return { plan: previewed.plan, stoppedBecause: stale ? 'plan changed since the preview' : 'plan check failed' };
  }
  const result = await runWithProgress(sessions, plan, `Rolling back ${plan.environment} to ${plan.to.name}`, (s) => s.run(plan, previewed.digest, decidedAt), dialogs);
  // What the target said before the run is stale now: read it again, or (a revert commit this
  // repository does not have, a host gone) let the listing fall back to the deploy records.
  await readTargetFacts(workspace, sessions, config, environment).catch(() => workspace.useTargetFacts(undefined));
  return { plan, result };
}

/** The facts under a plan, read from the workspace model (its caches dropped first on a refresh) and the target. */
function planningSources(workspace: RollbackWorkspace, sessions: RollbackSessions): PlanningSources {
  return {
    refresh: () => workspace.invalidate(['config', 'releases', 'migrations']),
    config: async () => {
      const loaded = await workspace.config();
      return { config: loaded.config, text: loaded.fileExists ? (loaded.text ?? 'unreadable') : undefined };
    },
    releases: () => workspace.releases(),
    git: gitQueriesVia(sessions.runnerFor('local'), workspace.root.fsPath),
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
  };
}

/** Opens the readable plan and the code diff the rollback will apply, side by side. */
async function showPreview(workspace: RollbackWorkspace, previewed: PreviewedPlan): Promise<void> {
  const plan = previewed.plan;
  // The plan's own heading is the first line, which VS Code uses as the tab's title; it names the target's source too.
  // Exactly the text the digest was taken of.
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: previewed.preview });
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
  if (plan.strategy === 'image') return;
  const diff = await workspace.gitDiff(plan.from.sha, plan.to.sha).catch((e: Error) => `Could not compute the diff: ${e.message}`);
  const diffDoc = await vscode.workspace.openTextDocument({ language: 'diff', content: `# What the code change will do: ${plan.from.name} → ${plan.to.name}\n${diff}` });
  await vscode.window.showTextDocument(diffDoc, { preview: false, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
}

/** Runs with a cancellable notification that follows the engine's events, and says where things stand at the end. */
export async function runWithProgress(
  sessions: RollbackSessions,
  plan: RollbackPlan,
  title: string,
  go: (s: RollbackSessions) => Promise<RunResult>,
  dialogs: RollbackDialogs,
): Promise<RunResult | undefined> {
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        let running: string | undefined;
        // Cancel is two different things: let the running command finish, or kill it. Ask which.
        const cancel = token.onCancellationRequested(() => void chooseHowToStop(sessions, running));
        let total = plan.steps.length;
        const sub = sessions.events.on((e) => {
          if (e.type === 'plan-changed') total = e.plan.steps.length; // a switch to checkout or a full redeploy
          if (e.type === 'step-started') {
            running = e.step.title;
            progress.report({ message: e.step.title, increment: 100 / Math.max(total, 1) });
          }
        });
        try {
          return await go(sessions);
        } finally {
          sub.dispose();
          cancel.dispose();
        }
      },
    );
    const stash = result.journal.stash ? ` Your uncommitted changes were stashed as "${result.journal.stash.message}". ${result.journal.stash.restoreHint}.` : '';
    if (result.success) {
      dialogs.info(`Rolled back ${plan.environment} to ${plan.to.name} on ${plan.where}.${stash}`);
    } else {
      const resume = 'Resume Rollback';
      const pick = await dialogs.error(`Rollback of ${plan.environment} did not finish: ${result.state}${stash}`, resume);
      if (pick === resume) await vscode.commands.executeCommand(CommandId.resumeRollback);
    }
    return result;
  } catch (e) {
    if (e instanceof LockHeldError) await dialogs.error(e.message, 'OK');
    else if (e instanceof RunRefusedError) await dialogs.error(e.message);
    else if (e instanceof JournalWriteError) await dialogs.error(e.message);
    else await dialogs.error(`The rollback stopped on an error: ${(e as Error).message}. Steps the journal .rollback/journals/${plan.id}.json records as finished stay done; a step it records as running is checked, or you are asked, before Resume Rollback runs it again.`);
    return undefined;
  }
}
