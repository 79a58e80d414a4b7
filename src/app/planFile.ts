// A plan written out for later (rollback-pilot plan --json, reviewed, then
// rollback-pilot run --plan FILE --digest D in CI): the plan, its preview and the facts under
// it, as the preview showed them (redacted), with the digest of the plan itself. Running it
// rebuilds the plan from the current facts with the same choices and runs it only when that is
// exactly the plan with that digest on the same facts; otherwise it refuses saying what changed.
import type { Cause, ConfigRemedy } from '../core/decision/tree';
import type { PlanFacts, PreviewedPlan } from '../core/plan/staleness';
import type { RollbackPlan } from '../core/plan/types';
import type { Redactor as ProductRedactor } from '../core/redact';
import { rebuildAndCompare, type PlanRequest, type PreviewedRequest } from './currentPlan';
import { builderFor } from './decision';
import { fleetEnvironment } from './fleetFlow';
import { planBuilder, planningSources } from './planning';
import { readTargetFacts } from './targetFacts';
import type { DecisionRecord } from '../core/decision/record';
import { refuseConfigErrors, runPreviewed, type FlowOutcome, type RollbackFlowDeps } from './rollbackFlow';
import type { FlowUi } from './ui';

export const PLAN_FILE_KIND = 'rollback-pilot-plan';
export const PLAN_FILE_VERSION = 1;

export interface PlanFile {
  kind: typeof PLAN_FILE_KIND;
  version: typeof PLAN_FILE_VERSION;
  /** sha256 of the plan as built (before redaction): what `run --digest` must name, and what the engine checks again. */
  digest: string;
  plan: RollbackPlan;
  /** The Markdown preview, exactly as the extension shows it. */
  preview: string;
  facts: PlanFacts;
  request: PlanRequest;
  /** The answers to the database question, replayed by the rebuild. */
  undoAnswers: PreviewedRequest['undoAnswers'];
  /**
   * The decision to roll back, when the plan was made with one (plan --cause): what changed
   * (the branch the plan is built on, so the rebuild takes it again) and when it was decided
   * (the journal's decidedAt: the post-mortem's "Decision to roll back", the checklist's timer).
   */
  decision?: PlanDecision;
}

export interface PlanDecision {
  cause: Cause;
  remedy?: ConfigRemedy;
  decidedAt: string;
}

type Redactor = Pick<ProductRedactor, 'redact' | 'redactDeep'>;

/** What `plan --json` prints: everything shown is redacted; the digest is of the real plan. */
export function planFileOf(previewed: PreviewedRequest, redactor: Redactor, decision?: PlanDecision): PlanFile {
  return {
    kind: PLAN_FILE_KIND,
    version: PLAN_FILE_VERSION,
    digest: previewed.digest,
    plan: redactor.redactDeep(previewed.plan),
    preview: redactor.redact(previewed.preview),
    facts: redactor.redactDeep(previewed.facts),
    request: redactor.redactDeep(previewed.request),
    undoAnswers: previewed.undoAnswers,
    ...(decision ? { decision } : {}),
  };
}

export class PlanFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'PlanFileError';
  }
}

/** Parses a plan file; throws PlanFileError naming the file and what is wrong with it. */
export function readPlanFile(text: string, file: string): PlanFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(file, `not JSON (${(e as Error).message}); write it with rollback-pilot plan --json > ${file}`);
  }
  const d = data as Partial<PlanFile> | null;
  if (!d || typeof d !== 'object' || d.kind !== PLAN_FILE_KIND) throw new PlanFileError(file, `not a rollback-pilot plan (no "kind": "${PLAN_FILE_KIND}")`);
  if (d.version !== PLAN_FILE_VERSION) throw new PlanFileError(file, `plan file version ${String(d.version)}; this rollback-pilot reads version ${PLAN_FILE_VERSION}`);
  const missing = (['digest', 'plan', 'preview', 'facts', 'request', 'undoAnswers'] as const).filter((k) => d[k] === undefined);
  if (missing.length) throw new PlanFileError(file, `missing ${missing.join(', ')}`);
  if (typeof d.digest !== 'string' || !/^[0-9a-f]{64}$/.test(d.digest)) throw new PlanFileError(file, '"digest" is not a sha256');
  const p = d.plan as Partial<RollbackPlan>;
  if (typeof p.id !== 'string' || typeof p.environment !== 'string' || !Array.isArray(p.steps) || typeof p.createdAt !== 'string') throw new PlanFileError(file, '"plan" is not a rollback plan (id, environment, steps, createdAt)');
  const r = d.request as Partial<PlanRequest>;
  if (typeof r.environment !== 'string' || !r.to || typeof r.to.sha !== 'string') throw new PlanFileError(file, '"request" names no environment and target release');
  if (r.environment !== p.environment) throw new PlanFileError(file, `the request is for ${r.environment} but the plan for ${p.environment}`);
  if (d.decision !== undefined) decisionProblem(d.decision, file);
  return d as PlanFile;
}

const CAUSES: readonly Cause[] = ['code', 'database', 'configuration', 'unknown'];

function decisionProblem(decision: unknown, file: string): void {
  const d = decision as Partial<PlanDecision> | null;
  if (!d || typeof d !== 'object' || !CAUSES.includes(d.cause as Cause)) throw new PlanFileError(file, `"decision" names no cause (${CAUSES.join(', ')})`);
  if (d.remedy !== undefined && (d.cause !== 'configuration' || (d.remedy !== 'restore' && d.remedy !== 'restart'))) throw new PlanFileError(file, '"decision.remedy" is restore or restart, for the configuration cause only');
  if (typeof d.decidedAt !== 'string' || Number.isNaN(Date.parse(d.decidedAt))) throw new PlanFileError(file, '"decision.decidedAt" is not a time');
}

/**
 * Runs exactly the plan a file holds, or refuses: `digest` must be the file's, the plan rebuilt
 * now from the current facts (rollback.yml, refs, migrations, the target read again) with the
 * file's choices must be that plan on the same facts, and the engine checks the digest again.
 * The run's own questions (the environment name before a destructive step) are still asked.
 */
export async function runPlanFile(deps: RollbackFlowDeps, ui: FlowUi, file: PlanFile, digest: string, fileName: string, redactor: Redactor): Promise<FlowOutcome> {
  const { workspace, sessions } = deps;
  const { presenter } = ui;
  if (digest !== file.digest) {
    await presenter.error(`--digest ${digest} is not the digest of the plan in ${fileName} (${file.digest}): nothing ran. Run exactly the plan you approved, with the digest rollback-pilot plan printed for it.`);
    return { stoppedBecause: 'digest mismatch' };
  }
  if (await refuseConfigErrors(workspace, presenter)) return { stoppedBecause: 'config errors' };
  const { config } = await workspace.config();
  const environment = file.request.environment;
  // A fleet's run also depends on what the plan file does not hold (its hosts as resolved, the playbook, the batches): it is previewed and confirmed where it runs.
  if (fleetEnvironment(config, environment)) {
    await presenter.error(`Nothing ran: ${environment} is a fleet, and a fleet's plan file cannot be run unchanged (the hosts, playbook and batches are resolved when it runs). Run rollback-pilot run --env ${environment}, which previews the fleet and asks before anything runs.`);
    return { stoppedBecause: 'fleet plan file' };
  }
  // The listing follows the target, as it did when the plan was made: read it again first.
  const onTarget = await readTargetFacts(workspace, sessions, config, environment).catch((e: Error) => e);
  if (onTarget instanceof Error) {
    await presenter.error(`Nothing ran on ${environment}: ${onTarget.message}`);
    return { stoppedBecause: 'target not readable' };
  }
  const sources = planningSources(workspace, sessions);
  const choices = { reason: file.plan.reason, targetSource: file.plan.targetSource, createdBy: file.plan.createdBy };
  // Made on a decision: rebuilt on the same branch (the configuration's plan, the full rollback), as the interactive run does.
  const build = file.decision ? builderFor(file.decision, workspace, sessions, choices, deps.databaseSteps) : planBuilder(workspace, sessions, choices, deps.databaseSteps);
  const previewed: PreviewedRequest = { plan: file.plan, preview: file.preview, digest: file.digest, facts: file.facts, request: file.request, undoAnswers: file.undoAnswers };
  // The file holds the redacted plan: the rebuilt one is compared redacted the same way, its digest unredacted.
  const seenAs = (rebuilt: PreviewedPlan): PreviewedPlan => ({ ...rebuilt, plan: redactor.redactDeep(rebuilt.plan), preview: redactor.redact(rebuilt.preview), facts: redactor.redactDeep(rebuilt.facts) });
  // The decision was taken when the plan was made (the run only carries it out); a plan made without one is decided now.
  // The decision came with the plan (plan --cause): journaled as given by the command, no question asked here.
  const d = file.decision;
  const record: DecisionRecord | undefined = d && { asked: [], investigations: [], decidedAt: d.decidedAt, cause: d.cause, ...(d.remedy ? { remedy: d.remedy } : {}), causeGiven: true };
  return runPreviewed(deps, ui, previewed, d?.decidedAt ?? new Date().toISOString(), () => rebuildAndCompare(sources, build, previewed, seenAs), record);
}
