// The rollback flow's reads of production before anything is planned: which environment to
// offer first (what each target last said it runs), and, once one is chosen, what runs there
// now and its pre-deploy snapshot, read over the target's own connection. A host that cannot
// be reached is refused here, with the reason, before a preview is ever shown.
import * as path from 'node:path';
import type { EnvironmentChoice, KnownDeployed } from '../core/config/environmentOrder';
import { orderEnvironments } from '../core/config/environmentOrder';
import type { EnvironmentConfig, RollbackConfig } from '../core/config/types';
import { gitQueriesVia } from '../core/plan';
import { findDeployed, type LastKnownGoodSource } from '../core/releases';
import { deployedName, readDeployed, type DeployedOnTarget } from '../core/releases/deployedOnTarget';
import { environmentCwd } from './environments';
import { describeDeployedImage, readDeployedImages } from '../core/snapshot/deployedImages';
import type { RollbackSessions } from './sessions';
import type { WorkspaceModel } from './workspaceModel';

/**
 * What each target said last, for this window's pickers: environment + host + path → reading.
 * A plan's read names no tags (name undefined): the picker names the release at that commit.
 */
type LastReading = Omit<KnownDeployed, 'name'> & { name?: string };
const lastRead = new Map<string, LastReading>();
const keyOf = (env: EnvironmentConfig): string => `${env.name}\0${env.host}\0${env.path}`;

/** What another reader (the Releases view's environment lines) found on a target: the picker orders by it too. */
export function rememberDeployed(env: EnvironmentConfig, known: KnownDeployed): void {
  lastRead.set(keyOf(env), known);
}

/** The picker's choices: the target running the release being rolled back first, never `local` first while another exists. */
export async function environmentChoices(workspace: WorkspaceModel, config: RollbackConfig): Promise<EnvironmentChoice[]> {
  // One environment has no order to decide: the release listing (for-each-ref over every tag) is not read for it.
  const listing = config.environments.length > 1 ? await workspace.releases().catch(() => undefined) : undefined;
  const bad = listing && findDeployed(listing);
  const named = (known: LastReading): KnownDeployed => ({ ...known, name: known.name ?? listing?.releases.find((r) => r.sha === known.sha)?.name ?? known.sha.slice(0, 12) });
  return orderEnvironments(config.environments, {
    deployed: (env) => {
      const known = lastRead.get(keyOf(env));
      return known && named(known);
    },
    badSha: bad?.sha,
  });
}

/**
 * Reads HEAD and the snapshot file on the environment's target (its tags too with `tags`, for
 * a reader that shows them: nothing planned depends on them), and makes the workspace's
 * release listing follow them (deployed = the target's HEAD, last-known-good from its
 * snapshot first). Throws DeployedReadError (or the SSH destination's problem) when the
 * target cannot be read; nothing was planned then.
 */
export async function readTargetFacts(workspace: WorkspaceModel, sessions: RollbackSessions, config: RollbackConfig, name: string, options: { tags?: boolean } = {}): Promise<DeployedOnTarget | undefined> {
  const env = config.environments.find((e) => e.name === name);
  if (!env) throw new Error(`rollback.yml has no environment "${name}" (known: ${config.environments.map((e) => e.name).join(', ') || 'none'})`);
  const runner = sessions.runnerFor(env.host);
  try {
    await sessions.readTeamRecords?.(env); // the team's deploy records and bad marks on the target count for this plan (teamState.ts)
    if (env.strategy === 'image') {
      // An image target need not be a git checkout: only that it answers is checked here (its preflight checks docker and the images).
      const r = await runner.run('true', { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`Cannot reach ${runner.where}: ${r.stderr.trim() || (r.lost ? 'the connection was lost' : `exit ${r.code}`)}`);
      // What each service runs there (environments.<name>.deployed), for the picker's "deployed: api runs registry/app:v1.3.0".
      const images = await readDeployedImages(runner, env, config.services, environmentCwd(env, workspace.root.fsPath));
      if (images.some((i) => i.image)) lastRead.set(keyOf(env), { sha: '', name: images.filter((i) => i.image).map(describeDeployedImage).join('; '), readAt: new Date().toISOString() });
      workspace.useTargetFacts(undefined);
      return undefined;
    }
    const git = gitQueriesVia(sessions.runnerFor('local'), workspace.root.fsPath);
    const cwd = environmentCwd(env, workspace.root.fsPath);
    const deployed = await readDeployed(runner, env, { cwd, resolve: (ref) => git.revParseCommit(ref), tags: options.tags === true });
    // A local target in the workspace's own folder is this repository: git just named its HEAD as a commit of it. Any other is asked.
    const sameRepository = env.host === 'local' && path.resolve(cwd) === path.resolve(workspace.root.fsPath);
    if (!sameRepository) await git.revParseCommit(deployed.sha).catch(() => {
      throw new Error(`${deployed.where}:${deployed.cwd} runs ${deployed.sha}${deployed.tags?.length ? ` (${deployed.tags.join(', ')})` : ''}, which is not a commit of this repository: git fetch --tags here, or find out who committed on the host`);
    });
    lastRead.set(keyOf(env), { sha: deployed.sha, ...(deployed.tags ? { name: deployedName(deployed) } : {}), readAt: deployed.readAt });
    workspace.useTargetFacts({ headSha: deployed.sha, snapshotSha: deployed.snapshot?.sha });
    return deployed;
  } finally {
    await runner.dispose().catch(() => undefined);
  }
}

const SOURCE_WORDS: Record<LastKnownGoodSource | 'user', string> = {
  snapshot: 'the snapshot recorded on this machine',
  'deploy-record': 'the deploy records',
  'previous-tag': 'the previous SemVer tag',
  user: 'your pick',
};

/** The sentence that says the target's snapshot was not used, and what chose the target instead. */
export function snapshotFallbackNote(deployed: DeployedOnTarget | undefined, target: { name: string } | undefined, source: LastKnownGoodSource | 'user'): string | undefined {
  const problem = deployed?.snapshot?.problem;
  if (!problem) return undefined;
  return target ? `${problem}; the rollback target ${target.name} comes from ${SOURCE_WORDS[source]} instead.` : `${problem}; no other source names a last-known-good release.`;
}
