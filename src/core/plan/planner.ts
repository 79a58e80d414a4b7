import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { EnvironmentConfig, RollbackConfig, ServiceConfig, Strategy } from '../config/types';
import type { PlanGit } from './git';
import { PlanError } from './planError';
import { fullRedeployFallback, serviceSteps } from './serviceSteps';
import { matchesAny } from './glob';
import { identityArgs, identityNote, preflightStep, revertIdentity, type GitIdentity } from './preflight';
import { imagePreflightStep } from './imagePreflight';
import { configFromSnapshotSteps, snapshotConfigFiles } from './configFromSnapshot';
import { logWatchStartSteps } from '../logs/plan';
import { restoreHostFilesStep, saveHostFilesStep, savedDir, stashStep, withPutBackAfterAbort, type HostFilesSpec } from './hostFiles';
import type { HostFiles, PlanCommand, PlanStep, ReleaseRef, RollbackPlan } from './types';
import { shJoin, shQuote, validateBranch, validateHost, validatePath, validateRef, validateRelativePath, validateSha } from './shellQuote';
import { clause } from './sentence';
import { KEEP_STEP_ID, keepMigrationsStep, type KeptFile } from './keepMigrations';

export interface PlanInput {
  config: RollbackConfig;
  /** Name of the environment in the config. */
  environment: string;
  /** Answers git questions about the local repository (refs are resolved here, never on the host). */
  git: PlanGit;
  /** The deployed (bad) release; defaults to HEAD. */
  from?: string;
  fromName?: string;
  /** The release to return to (last-known-good). */
  to: string;
  toName?: string;
  targetSource: RollbackPlan['targetSource'];
  reason: string;
  createdBy: string;
  /** The operator's own git identity (local `git config user.name/user.email`), for revert commits on the target; without it, "<os user>" / "<os user>@<hostname>" from createdBy. */
  gitIdentity?: { name: string; email: string };
  /** Overrides the environment's strategy. */
  strategy?: Strategy;
  /** revert strategy: revert every first-parent commit since `to` (default) or only `from` itself. */
  revertScope?: 'range' | 'head';
  /** revert strategy: revert only this one commit (a ref, resolved locally), e.g. the merge that brought the bug. */
  revertCommit?: string;
  /** The full rollback (decision tree: the cause is unknown): every service rebuilt and redeployed, not only those the change touched. */
  redeployAll?: boolean;
  /** Steps from the migration classifier; they run before the code step, while the migration files still exist. */
  databaseSteps?: PlanStep[];
  /** The bad release's migration files that stay applied on the target (core/database/keptFiles.ts): the code step restores everything else. */
  keepMigrationFiles?: KeptFile[];
  /** Checks once the services are back, before the push (the migration tool's own status command). */
  verifySteps?: PlanStep[];
  /** What the database section could not plan a check for on this target (RollbackPlan.notChecked). */
  notChecked?: string[];
  /** Local targets: relative environment paths are resolved against this folder. */
  workspaceRoot?: string;
  /** Probe health URLs from this machine instead of from the target (default: from the target). */
  healthFrom?: 'target' | 'local';
  runId?: string;
  now?: Date;
  /** The target's ignored and untracked files in the way of the code step, read there before the preview (inspectHostFiles); shown in the preview. */
  hostFiles?: HostFiles;
}

export { PlanError };

/** The folder the code step runs in: a local target's relative path is against the workspace; any other path is the target's own. */
export function codeStepCwd(env: Pick<EnvironmentConfig, 'host' | 'path'>, workspaceRoot: string | undefined): string {
  return env.host === 'local' && workspaceRoot && !env.path.startsWith('/') ? posix.join(workspaceRoot, env.path) : env.path;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `rb-${stamp}-${randomBytes(3).toString('hex')}`;
}

async function shortName(git: PlanGit, ref: string, sha: string, given?: string): Promise<string> {
  if (given) return given;
  if (!/^[0-9a-f]{7,40}$/.test(ref) && !/^HEAD([~^]\d*)*$/.test(ref)) return ref;
  const tags = (await git.tagsAt?.(sha).catch(() => [])) ?? [];
  return tags[0] ?? sha.slice(0, 12);
}

export async function buildPlan(input: PlanInput): Promise<RollbackPlan> {
  const env = input.config.environments.find((e) => e.name === input.environment);
  if (!env) {
    const known = input.config.environments.map((e) => e.name).join(', ') || 'none';
    throw new PlanError(`rollback.yml has no environment "${input.environment}" (known: ${known})`);
  }
  // A fleet is planned by app/fleetPlanning.ts (per host, through Ansible); planning it here would roll back one host only.
  if (env.fleet) throw new PlanError(`environment ${env.name} is a fleet of hosts: it is rolled back through Ansible (planFleet), not as one host`);
  const where = validateHost(env.host);
  const strategy = input.strategy ?? env.strategy;
  const runId = input.runId ?? newRunId(input.now);
  const cwd = codeStepCwd(env, input.workspaceRoot);
  validatePath(cwd);

  const fromRef = validateRef(input.from ?? 'HEAD');
  const toRef = validateRef(input.to);
  // Any PlanGit, not only gitQueriesVia, must answer with a plain hex id: SHAs go into commands.
  const fromSha = validateSha(await input.git.revParseCommit(fromRef));
  const toSha = validateSha(await input.git.revParseCommit(toRef));
  if (fromSha === toSha) throw new PlanError(`Nothing to roll back: ${fromRef} and ${toRef} are the same commit ${fromSha.slice(0, 12)}`);
  const from: ReleaseRef = { name: await shortName(input.git, fromRef, fromSha, input.fromName), sha: fromSha };
  const to: ReleaseRef = { name: await shortName(input.git, toRef, toSha, input.toName), sha: toSha };

  // One commit reverted (Revert This Commit and Redeploy): what it changed decides the services; its revert brings its config files back itself.
  const commitSha = strategy === 'revert' && input.revertCommit ? validateSha(await input.git.revParseCommit(validateRef(input.revertCommit))) : undefined;
  const changed = commitSha ? await input.git.changedFiles((await input.git.parents(commitSha))[0] ?? toSha, commitSha) : await input.git.changedFiles(toSha, fromSha);
  const configToRestore = strategy === 'image' || commitSha ? [] : env.configFiles.map(validateRelativePath).filter((f) => changed.includes(f));
  // Config files come back from git or from the pre-deploy snapshot: either way every service is recreated to read them.
  const configRestored = configToRestore.length > 0 || snapshotConfigFiles(env, configToRestore).length > 0 || (commitSha !== undefined && env.configFiles.some((f) => changed.includes(f)));
  const affected = input.redeployAll && strategy !== 'image' ? input.config.services : affectedServices(input.config.services, changed, strategy, configRestored);

  const at = (command: string, extra: Partial<PlanCommand> = {}): PlanCommand => ({ command, where, cwd, ...extra });
  const steps: PlanStep[] = [];
  steps.push({
    id: 'notify-start',
    kind: 'notify',
    title: 'Tell the team the rollback starts',
    // The typed reason may come in its own quotes or with its own full stop: said once each.
    why: `"Rolling back ${env.name} from ${from.name} to ${to.name} because ${clause(input.reason)}." Hold deploys and destructive actions until the all-clear.`,
    commands: [],
    destructive: false,
  });

  let returnHint: string | undefined;
  let fallback: RollbackPlan['fallback'];
  const hostFilesSpec: HostFilesSpec = { at, runId, cwd, toSha, releaseWins: configToRestore, found: input.hostFiles && { count: input.hostFiles.wouldOverwrite.length } };
  const identity = strategy === 'revert' ? revertIdentity(input.gitIdentity, input.createdBy) : undefined;
  // First of all the steps with commands (the runner takes the lock just before it): nothing changes before it passed.
  steps.push(preflightStep({ at, where, cwd, environment: env.name, strategy, from, to, identity, services: affected, healthWhere: input.healthFrom === 'local' ? 'local' : where, backup: input.databaseSteps?.find((s) => s.checksBackup)?.checksBackup }));
  steps.push(...logWatchStartSteps(input.config.services, at));
  if (strategy !== 'image') steps.push(stashStep(at, runId));
  if (strategy === 'image') steps.push(imagePreflightStep({ at, where, services: affected, to, imageCheck: env.imageCheck, deployed: env.deployed }));
  steps.push(...(input.databaseSteps ?? []));

  if (strategy === 'revert') {
    const shas = input.revertCommit
      ? [validateSha(await input.git.revParseCommit(validateRef(input.revertCommit)))]
      : input.revertScope === 'head'
        ? [fromSha]
        : (await input.git.firstParentRange(toSha, fromSha)).map(validateSha);
    if (shas.length === 0) throw new PlanError(`${to.name} is not an ancestor of ${from.name}: there is no range to revert; use the checkout strategy`);
    steps.push(saveHostFilesStep({ ...hostFilesSpec, revertShas: shas }));
    steps.push(withPutBackAfterAbort(await revertStep(at, input.git, shas, fromSha, from, to, identity!), hostFilesSpec));
    const keep = { at, files: input.keepMigrationFiles ?? [], from, to, environment: env.name, runId };
    const keepAfterRevert = keepMigrationsStep({ ...keep, mode: 'revert', identity });
    if (keepAfterRevert) steps.push(keepAfterRevert);
    const checkout = checkoutStep(at, toSha, to, env, 'checkout');
    const keepAfterCheckout = keepMigrationsStep({ ...keep, mode: 'checkout' });
    fallback = {
      strategy: 'checkout',
      replaces: keepAfterRevert ? ['code-revert', KEEP_STEP_ID] : ['code-revert'],
      steps: keepAfterCheckout ? [checkout, keepAfterCheckout] : [checkout],
      why: 'If the revert conflicts, it is aborted (the repository returns exactly to where it was) and the previous release can be checked out instead.',
    };
  } else if (strategy === 'checkout' || strategy === 'tag') {
    steps.push(saveHostFilesStep(hostFilesSpec));
    steps.push(checkoutStep(at, toSha, to, env, strategy));
    const keep = keepMigrationsStep({ at, files: input.keepMigrationFiles ?? [], from, to, environment: env.name, runId, mode: 'checkout' });
    if (keep) steps.push(keep);
    returnHint = `git switch ${shQuote(validateBranch(env.branch))}`;
  }
  // Right after the code step (or the checkout that replaced a conflicting revert), before anything reads the files.
  if (strategy !== 'image') steps.push(restoreHostFilesStep(hostFilesSpec));

  if (configToRestore.length > 0) {
    steps.push({
      id: 'config-restore',
      kind: 'config',
      title: `Restore ${configToRestore.join(', ')} from ${to.name}`,
      why: 'These files changed in the bad release. Services are recreated afterwards because a plain restart does not reload env files.',
      commands: [at(shJoin(['git', 'checkout', toSha, '--', ...configToRestore]))],
      alreadyDone: at(shJoin(['git', 'diff', '--quiet', toSha, '--', ...configToRestore])),
      destructive: false,
    });
  }

  steps.push(...configFromSnapshotSteps({ at, env, to, fromGit: configToRestore, where, cwd }));
  const servicesInput = { strategy, to, at, healthWhere: input.healthFrom === 'local' ? 'local' : where, configRestored };
  const ownServiceSteps = serviceSteps({ ...servicesInput, services: affected });
  steps.push(...ownServiceSteps);
  steps.push(...(input.verifySteps ?? []));
  const fullRedeploy = fullRedeployFallback({ ...servicesInput, services: input.config.services, affected: ownServiceSteps, redeployAll: env.fullRedeploy });

  if (env.push && strategy === 'revert') {
    const branch = validateBranch(env.branch);
    steps.push({
      id: 'push',
      kind: 'push',
      title: `Push the revert to ${branch}`,
      why: 'So CI, teammates and the next deploy start from the rolled-back code.',
      commands: [at(shJoin(['git', 'push', 'origin', `HEAD:refs/heads/${branch}`]))],
      alreadyDone: at(`test "$(git rev-parse HEAD)" = "$(git rev-parse ${shQuote(`refs/remotes/origin/${branch}`)})"`),
      destructive: false,
    });
  }
  steps.push({ id: 'notify-end', kind: 'notify', title: 'All-clear to the team', why: `${env.name} is back on ${to.name} and healthy; deploys may resume.`, commands: [], destructive: false });

  return {
    id: runId,
    environment: env.name,
    where,
    strategy,
    from,
    to,
    targetSource: input.targetSource,
    reason: input.reason,
    steps,
    affectedServices: affected.map((s) => s.name),
    createdAt: (input.now ?? new Date()).toISOString(),
    createdBy: input.createdBy,
    cwd,
    fallback,
    fullRedeploy,
    returnHint,
    commandTimeoutMs: env.commandTimeoutMs,
    ...(commitSha ? { scope: { kind: 'commit' as const, sha: commitSha, subject: await input.git.subject(commitSha) } } : input.redeployAll ? { scope: { kind: 'full' as const } } : {}),
    ...(env.records ? { records: env.records } : {}),
    hostFiles: strategy === 'image' ? undefined : { savedIn: savedDir(runId), releaseWins: configToRestore, found: input.hostFiles },
    ...(input.notChecked?.length ? { notChecked: input.notChecked } : {}),
  };
}

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

async function revertStep(at: At, git: PlanGit, shas: string[], fromSha: string, from: ReleaseRef, to: ReleaseRef, identity: GitIdentity): Promise<PlanStep> {
  let merges = 0;
  const lines: string[] = [];
  for (const sha of shas) {
    const parents = await git.parents(sha);
    if (parents.length > 1) merges++;
    lines.push(`${sha.slice(0, 12)}${parents.length > 1 ? ' (merge, reverted against its first parent)' : ''} ${await git.subject(sha)}`);
  }
  const oldest = shas[shas.length - 1];
  // The operator's identity on the command line: a deploy host's user usually has none, and the commit then says who rolled back.
  const args = ['git', ...identityArgs(identity), 'revert', '--no-edit', ...(merges > 0 ? ['-m', '1'] : []), ...shas];
  return {
    id: 'code-revert',
    kind: 'code',
    title: shas.length === 1 ? `Revert ${shas[0].slice(0, 12)}` : `Revert ${shas.length} commits ${to.name}..${from.name}, newest first`,
    why: `New commits undo ${from.name} back to ${to.name}; history is kept. ${identityNote(identity)} Commits:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    commands: [at(shJoin(args))],
    alreadyDone: at(`git log --format=%B ${shQuote(`${fromSha}..HEAD`)} | grep -qF ${shQuote(`This reverts commit ${oldest}`)}`),
    onFailure: at(`if git rev-parse -q --verify REVERT_HEAD >/dev/null || [ -d "$(git rev-parse --git-path sequencer)" ]; then git revert --abort; fi`),
    destructive: false,
  };
}

function checkoutStep(at: At, toSha: string, to: ReleaseRef, env: EnvironmentConfig, strategy: 'checkout' | 'tag'): PlanStep {
  const back = `git switch ${shQuote(validateBranch(env.branch))}`;
  return {
    id: 'code-checkout',
    kind: 'code',
    title: strategy === 'tag' ? `Check out tag ${to.name} (${toSha.slice(0, 12)})` : `Check out ${to.name} (${toSha.slice(0, 12)})`,
    why: `The working tree becomes exactly ${to.name}. HEAD is detached; to get back: ${back}.`,
    commands: [at(shJoin(['git', 'checkout', '--detach', toSha]))],
    alreadyDone: at(`test "$(git rev-parse HEAD)" = ${shQuote(toSha)}`),
    destructive: false,
  };
}

function affectedServices(services: ServiceConfig[], changed: string[], strategy: Strategy, configRestored: boolean): ServiceConfig[] {
  if (strategy === 'image') return services.filter((s) => s.image);
  if (configRestored) return services;
  return services.filter((s) => s.paths.length === 0 || changed.some((f) => matchesAny(f, s.paths)));
}

// planDigest lives in digest.ts (the preview text and every command); re-exported here for the callers that import it from the planner.
export { planDigest } from './digest';
// The runner words the preflight's step detail from its report lines.
export { preflightDetail } from './preflight';
