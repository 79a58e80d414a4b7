import { createHash } from 'node:crypto';
import type { UndoChoice, UndoPath } from '../core/database';
import type { RollbackConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';
import { planDigest } from '../core/plan/digest';
import type { PlanGit } from '../core/plan/git';
import { renderPlanMarkdown } from '../core/plan/renderMarkdown';
import { StalePlanError, describePlanDifferences, type PlanFacts, type PreviewedPlan } from '../core/plan/staleness';
import type { RollbackPlan } from '../core/plan/types';
import { findDeployed, type Release, type ReleaseListing } from '../core/releases';

/**
 * Where the facts under a plan come from. The VS Code flow answers from its workspace
 * model (after dropping its caches), tests from a real repository; nothing here asks the user.
 */
export interface PlanningSources {
  /** Drops anything cached, so the next reads see the files and refs as they are now. */
  refresh?(): void;
  /** rollback.yml as it is now: the parsed config and its text (undefined: no file, the embedded default). */
  config(): Promise<{ config: RollbackConfig; text?: string }>;
  /** The release listing as it is now (tags, deploy records, snapshot, bad marks). */
  releases(): Promise<ReleaseListing>;
  /** The workspace's git, where refs are resolved. */
  git: PlanGit;
  /** Every migration file of the workspace (repo-relative) with its content (hashed here). */
  migrationFiles(): Promise<Record<string, string>>;
  /** A runner on the target, to read what it runs; disposed after the read. */
  targetRunner(where: string): CommandRunner;
  /** Where the plan's code step will run (planning.ts codeStepPlace), so the target is read while the plan is built; the plan made is compared with it. */
  targetPlace?(config: RollbackConfig, environment: string): TargetPlace | undefined;
}

export interface TargetPlace {
  where: string;
  cwd: string;
  strategy: RollbackPlan['strategy'];
  /** A local target in the workspace's own folder: this repository, whose HEAD the local facts read already. */
  isWorkspace?: boolean;
}

/** What the operator chose for the plan; the rebuild reuses it rather than asking again. */
export interface PlanRequest {
  environment: string;
  /** The deployed release as the listing said; undefined: the workspace HEAD. */
  from?: Release;
  to: Release;
}

/** Everything buildPlan needs that the flow itself decides (reason, operator, database steps). */
export interface PlanBuildInput {
  config: RollbackConfig;
  environment: string;
  from?: Release;
  to: Release;
  /** Same id and time in the rebuild: they are part of what the preview showed. */
  runId?: string;
  now?: Date;
  /** Asked when both ways back for the database exist; the rebuild replays the earlier answers. */
  chooseUndo: (choice: UndoChoice) => Promise<UndoPath | undefined>;
}

export type PlanBuilder = (input: PlanBuildInput) => Promise<RollbackPlan>;

/** A previewed plan plus what the rebuild needs to redo it without asking. */
export interface PreviewedRequest extends PreviewedPlan {
  request: PlanRequest;
  /** The operator's answers to the database question, in the order asked. */
  undoAnswers: Array<UndoPath | undefined>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A release's SHA as git says now: a tag is resolved again (it may have moved), a recorded deploy's SHA is what it is. */
async function resolveRelease(git: PlanGit, r: Release): Promise<string> {
  if (r.source !== 'tag') return r.sha;
  try {
    return await git.revParseCommit(`refs/tags/${r.name}`);
  } catch (e) {
    return `missing: ${(e as Error).message.split('\n').pop()?.trim() || 'does not resolve'}`;
  }
}

/** The target's own HEAD (`git rev-parse HEAD` in its working tree, over its runner); the image strategy is checked by its preflight instead. */
async function readTarget(sources: PlanningSources, plan: Pick<RollbackPlan, 'strategy' | 'where' | 'cwd'>): Promise<string> {
  if (plan.strategy === 'image') return 'not read (image strategy: the preflight checks docker and the images at run time)';
  const runner = sources.targetRunner(plan.where);
  try {
    const r = await runner.run('git rev-parse HEAD', { cwd: plan.cwd, timeoutMs: 30_000 });
    const sha = r.stdout.trim();
    if (r.code === 0 && !r.lost && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    return `unreadable (${(r.stderr || r.stdout).trim().split('\n').pop() || (r.lost ? 'connection lost' : `exit ${r.code}`)})`;
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  } finally {
    await runner.dispose().catch(() => undefined);
  }
}

interface LocalFacts {
  releases: Release[];
  resolved: string[];
  files: Record<string, string>;
  head: string;
}

/**
 * The facts (the refs, the migration files, HEAD here, and HEAD on the target where the plan
 * is expected to run): started before the plan is built and read while it is, which is also
 * the safe order, since something that moves meanwhile then differs from the plan at run start
 * instead of hiding behind a later read.
 */
function readEarlyFacts(sources: PlanningSources, request: PlanRequest, config: RollbackConfig): EarlyFacts {
  const releases = [request.from, request.to].filter((r): r is Release => r !== undefined);
  const read = Promise.all([
    Promise.all(releases.map((r) => resolveRelease(sources.git, r))),
    sources.migrationFiles(),
    sources.git.revParseCommit('HEAD').catch((e: Error) => `unreadable (${e.message})`),
  ]).then(([resolved, files, head]) => ({ releases, resolved, files, head }));
  // Awaited by readFacts; a build that fails first must not leave its rejection unhandled.
  read.catch(() => undefined);
  const place = sources.targetPlace?.(config, request.environment);
  // readTarget never rejects. The workspace's own folder is asked once, by the local read (the same command a moment apart otherwise).
  const head = place?.isWorkspace ? read.then((f) => f.head, () => readTarget(sources, place)) : place && readTarget(sources, place);
  return { local: read, target: place && head && { place, head } };
}

/** The facts started before the plan is built: the local ones, and the target's HEAD where the plan is expected to run. */
interface EarlyFacts {
  local: Promise<LocalFacts>;
  target?: { place: TargetPlace; head: Promise<string> };
}

async function readFacts(sources: PlanningSources, plan: RollbackPlan, early: EarlyFacts, configText: string | undefined, listing: ReleaseListing): Promise<PlanFacts> {
  const t = early.target;
  // The early read counts only where the plan made does run (the plan decides), else the target is read now.
  const targetHead = t && t.place.where === plan.where && t.place.cwd === plan.cwd && t.place.strategy === plan.strategy ? t.head : readTarget(sources, plan);
  const [{ releases, resolved, files, head }, target] = await Promise.all([early.local, targetHead]);
  const refs: Record<string, string> = {};
  releases.forEach((r, i) => (refs[r.name] = resolved[i]));
  const deployed = findDeployed(listing);
  const migrations: Record<string, string> = {};
  for (const [file, content] of Object.entries(files)) migrations[file] = sha256(content);
  const names = new Set(releases.map((r) => r.name));
  return {
    config: configText === undefined ? 'none' : sha256(configText),
    head,
    refs,
    deployedRelease: deployed ? `${deployed.name} ${deployed.sha}` : 'none',
    target,
    migrations,
    bad: listing.releases.filter((r) => names.has(r.name) && r.markers.includes('bad')).map((r) => r.name).sort(),
  };
}

/** The plan, its preview, and the digest of that very preview (rendered once: rendering redacts the whole text). */
function shownAs(plan: RollbackPlan): Pick<PreviewedPlan, 'plan' | 'preview' | 'digest'> {
  const preview = renderPlanMarkdown(plan);
  return { plan, preview, digest: planDigest(plan, preview) };
}

/** Plans and reads the facts under the plan; the text returned is exactly what the preview shows. */
export async function previewPlan(sources: PlanningSources, build: PlanBuilder, request: PlanRequest, chooseUndo: PlanBuildInput['chooseUndo']): Promise<PreviewedRequest> {
  const { config, text } = await sources.config();
  const listing = await sources.releases();
  const undoAnswers: Array<UndoPath | undefined> = [];
  const recording = async (choice: UndoChoice): Promise<UndoPath | undefined> => {
    const answer = await chooseUndo(choice);
    undoAnswers.push(answer);
    return answer;
  };
  const early = readEarlyFacts(sources, request, config);
  const plan = await build({ config, environment: request.environment, from: request.from, to: request.to, chooseUndo: recording });
  const facts = await readFacts(sources, plan, early, text, listing);
  return { ...shownAs(plan), facts, request, undoAnswers };
}

/**
 * At run start, after the confirmation: the plan is built again from the current facts
 * (rollback.yml read again, the releases resolved again, the migrations and the target read
 * again, the operator's database answers replayed) and compared with the one previewed.
 * Returns the rebuilt plan, identical to the preview, to run; throws StalePlanError saying
 * what changed otherwise. A question the preview did not ask is a difference in itself.
 */
export async function rebuildAndCompare(
  sources: PlanningSources,
  build: PlanBuilder,
  previewed: PreviewedRequest,
  /** How the rebuilt plan is compared with the previewed one: as is, or redacted like a plan file written earlier (its digest stays the real one). */
  seenAs: (rebuilt: PreviewedPlan) => PreviewedPlan = (rebuilt) => rebuilt,
): Promise<RollbackPlan> {
  sources.refresh?.();
  const { config, text } = await sources.config();
  const listing = await sources.releases();
  const { request } = previewed;
  const fresh = async (r: Release): Promise<Release> => {
    const sha = await resolveRelease(sources.git, r);
    if (sha.startsWith('missing')) throw new StalePlanError([`${r.name} no longer resolves (${sha}); the preview was made with ${r.sha.slice(0, 12)}`]);
    return { ...r, sha };
  };
  const current: PlanRequest = { environment: request.environment, from: request.from && (await fresh(request.from)), to: await fresh(request.to) };
  const answers = [...previewed.undoAnswers];
  const unasked: string[] = [];
  const replay = (choice: UndoChoice): Promise<UndoPath | undefined> => {
    if (answers.length === 0) {
      unasked.push(`the database steps now ask how to undo the bad release's migrations (down steps for ${choice.downs.join(', ') || 'none'}, or the backup), which the preview did not`);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(answers.shift());
  };
  const early = readEarlyFacts(sources, current, config);
  let plan: RollbackPlan;
  try {
    plan = await build({ config, environment: current.environment, from: current.from, to: current.to, runId: previewed.plan.id, now: new Date(previewed.plan.createdAt), chooseUndo: replay });
  } catch (e) {
    throw new StalePlanError([...unasked, `the plan can no longer be made as previewed: ${(e as Error).message}`]);
  }
  const facts = await readFacts(sources, plan, early, text, listing);
  const rebuilt: PreviewedPlan = { ...shownAs(plan), facts };
  const differences = [...unasked, ...describePlanDifferences(previewed, seenAs(rebuilt))];
  if (differences.length) throw new StalePlanError(differences);
  return plan;
}
