// The first level of the Releases tree: tags and recorded deploys in the order an
// on-call engineer reads them (newest first), with the deployed, last-known-good and
// bad releases marked. Problems of the repository (no tags, shallow, detached, not a
// repo) become notes for the view instead of exceptions.
import type { GitPort, HeadInfo, RepoState } from './gitPort';
import { GitPortError } from './gitErrors';
import type { DeployRecord, ReleaseRecords } from './records';
import { resolveSnapshot } from './resolveSnapshot';
import type { Release } from './release';
import { byDateThenName, TagCollection, type Entry } from './tagCollection';
import { literalPrefix } from './version';

export type { Release, ReleaseMarker } from './release';
export { isoFromUnix, TagCollection } from './tagCollection';
export type LastKnownGoodSource = 'snapshot' | 'deploy-record' | 'previous-tag';
export type DeployedSource = 'deploy-record' | 'head' | 'newest';

export interface ReleaseListing {
  releases: Release[];
  /** User-facing explanations (no tags, shallow clone, detached HEAD, not a repo, …). */
  notes: string[];
  /** How the deployed release was found. */
  deployedSource?: DeployedSource;
  /** How the last-known-good release was found (read it through findLastKnownGood). */
  lastKnownGoodSource?: LastKnownGoodSource;
  /** The repository's state when listed; undefined when git could not run. */
  repo?: RepoState;
  /** True when the folder is not a git repository (the view shows its welcome content instead). */
  notRepository?: boolean;
}

export interface ListReleasesOptions {
  /** Glob under refs/tags/, e.g. "v*" (rollback.yml `releases.tags`). */
  tagPattern: string;
  records: ReleaseRecords;
  /** Only deploys recorded for this environment count (all when omitted). */
  environment?: string;
  /** HEAD of the target when it is not this repository's HEAD (e.g. read over SSH), as a full SHA: what the target says beats the deploy records. */
  targetHeadSha?: string;
  /** The branch to suggest when HEAD is detached (the environment's `branch`). */
  branch?: string;
}


const SHORT = 7;

/**
 * A port that may hold the tags already read into releases (app/prefetchedTags.ts reads them
 * while the flow reads the target): taken once, by the next listing of the same pattern.
 */
export interface PrefetchedTagsPort {
  takeTagCollection(pattern: string): TagCollection | undefined;
}

export async function listReleases(git: GitPort, opts: ListReleasesOptions): Promise<ReleaseListing> {
  const notes: string[] = [];
  const tags = (git as Partial<PrefetchedTagsPort>).takeTagCollection?.(opts.tagPattern) ?? new TagCollection(git, opts.tagPattern);
  // Both in flight at once: the repo check costs a process, not a round trip.
  const [stateResult, tagsResult] = await Promise.allSettled([git.repoState(), tags.done]);
  if (stateResult.status === 'rejected') {
    return { releases: [], notes: [problemText(stateResult.reason)] };
  }
  const repo = stateResult.value;
  if (repo.kind === 'not-a-repo') {
    const what = repo.message.startsWith('Not a git repository') ? repo.message : `Not a git repository: ${repo.message}`;
    return { releases: [], notes: [`${what} — open a folder inside a git repository to see its releases`], repo, notRepository: true };
  }
  if (tagsResult.status === 'rejected') notes.push(`Could not list the tags: ${problemText(tagsResult.reason)}`);
  else if (tags.count === 0) {
    notes.push(
      `No tags match ${opts.tagPattern} in this repository — create one with \`git tag ${exampleTag(opts.tagPattern)}\`, or set releases.tags in rollback.yml`,
    );
  }
  if (repo.shallow) notes.push('Shallow clone: older releases may be missing; run `git fetch --unshallow`');
  if (repo.head.detached && repo.head.sha) notes.push(detachedNote(repo.head, opts.branch));

  const tagged = tags.releases();
  const deploys = opts.records.deploys
    .filter((d) => opts.environment === undefined || d.environment === opts.environment)
    .map((d) => ({ d, time: Date.parse(d.at) }))
    .sort((a, b) => b.time - a.time)
    .map((x) => x.d);

  // Only the SHAs looked up below (the deploys', the target's and HEAD's) are indexed: an entry
  // for each of 10,000 tags was a Map and 10,000 arrays of garbage on every start of the command line.
  const looked = new Set<string | undefined>([...deploys.map((d) => d.sha), opts.targetHeadSha, repo.head.sha]);
  const bySha = new Map<string, Release[]>();
  // Indexed loops over the 10,000 releases: for-of makes an iterator result per element in
  // unoptimised code, 800 KB of garbage per start of the command line (allocation profile).
  for (let i = 0; i < tagged.length; i++) {
    const r = tagged[i];
    if (!looked.has(r.sha)) continue;
    const list = bySha.get(r.sha);
    if (list) list.push(r);
    else bySha.set(r.sha, [r]);
  }

  const recordOnly = addDeployRecords(deploys, bySha);
  const releases = mergeByDate(tagged, recordOnly);

  const badBySha = new Map(opts.records.bad.map((b) => [b.sha, b] as const));
  for (let i = 0; i < releases.length; i++) {
    const r = releases[i];
    const bad = badBySha.get(r.sha);
    if (bad) {
      r.markers = [...r.markers, 'bad'];
      r.badReason = bad.reason;
    }
  }
  const isBad = (sha: string) => badBySha.has(sha);

  const listing: ReleaseListing = { releases, notes, repo };
  const deployed = markDeployed(listing, opts.targetHeadSha && bySha.has(opts.targetHeadSha) ? [] : deploys, opts.targetHeadSha ?? repo.head.sha, bySha);
  await markLastKnownGood(git, listing, opts.records.snapshotSha, deploys, deployed, isBad);
  return listing;
}

/** The release the engine should roll back to, and which source chose it. */
export function findLastKnownGood(
  listing: ReleaseListing,
): { release: Release; source: LastKnownGoodSource } | undefined {
  const release = listing.releases.find((r) => r.markers.includes('last-known-good'));
  if (!release) return undefined;
  return { release, source: listing.lastKnownGoodSource ?? 'previous-tag' };
}

/** The release marked deployed, if any. */
export function findDeployed(listing: ReleaseListing): Release | undefined {
  return listing.releases.find((r) => r.markers.includes('deployed'));
}

/** The release below `release` in the listing with a different SHA: the base for its commits and changed files. */
export function previousRelease(listing: ReleaseListing, release: Release): Release | undefined {
  const i = listing.releases.indexOf(release);
  const start = i >= 0 ? i : listing.releases.findIndex((r) => r.name === release.name && r.sha === release.sha);
  if (start < 0) return undefined;
  for (let k = start + 1; k < listing.releases.length; k++) {
    if (listing.releases[k].sha !== release.sha) return listing.releases[k];
  }
  return undefined;
}

/** Marks tags that were deployed; returns the deploys no tag names, one entry per SHA (newest deploy wins). */
function addDeployRecords(deploys: DeployRecord[], bySha: Map<string, Release[]>): Entry[] {
  const recordOnly = new Map<string, Entry>();
  for (const d of deploys) {
    const tagged = bySha.get(d.sha);
    if (tagged) {
      const named = d.tag ? tagged.filter((r) => r.name === d.tag) : [];
      for (const r of named.length ? named : tagged) {
        if (!r.markers.includes('recorded')) r.markers = [...r.markers, 'recorded'];
        r.deployedAt ??= d.at;
      }
      continue;
    }
    if (recordOnly.has(d.sha)) continue;
    const time = Date.parse(d.at);
    recordOnly.set(d.sha, {
      time,
      release: {
        name: d.sha.slice(0, SHORT),
        sha: d.sha,
        date: new Date(time).toISOString(),
        isSemver: false,
        markers: ['recorded'],
        source: 'deploy-record',
        deployedAt: d.at,
      },
    });
  }
  return [...recordOnly.values()];
}

/** Inserts the (newest-first) deploy-only entries before the first tag older than each, keeping the tags' own order. */
function mergeByDate(tags: Release[], records: Entry[]): Release[] {
  if (records.length === 0) return tags;
  const sorted = [...records].sort(byDateThenName);
  const out: Release[] = [];
  let r = 0;
  for (const t of tags) {
    // A tag's date is its ISO time to the second: parsed back, the time it was made from.
    const time = Date.parse(t.date);
    while (r < sorted.length && sorted[r].time >= time) out.push(sorted[r++].release);
    out.push(t);
  }
  while (r < sorted.length) out.push(sorted[r++].release);
  return out;
}

function markDeployed(
  listing: ReleaseListing,
  deploys: DeployRecord[],
  headSha: string | undefined,
  bySha: Map<string, Release[]>,
): Release | undefined {
  const { releases } = listing;
  const latest = deploys.find((d) => d.outcome !== 'rolled-back');
  let deployed: Release | undefined;
  if (latest) {
    const tagged = bySha.get(latest.sha);
    deployed = tagged?.find((r) => r.name === latest.tag) ?? tagged?.[0] ?? releases.find((r) => r.sha === latest.sha);
    if (deployed) listing.deployedSource = 'deploy-record';
  }
  if (!deployed && headSha) {
    deployed = bySha.get(headSha)?.[0];
    if (deployed) listing.deployedSource = 'head';
  }
  if (!deployed && releases.length > 0) {
    deployed = releases[0];
    listing.deployedSource = 'newest';
  }
  if (deployed) deployed.markers = ['deployed', ...deployed.markers];
  return deployed;
}

async function markLastKnownGood(
  git: GitPort,
  listing: ReleaseListing,
  snapshotSha: string | undefined,
  deploys: DeployRecord[],
  deployed: Release | undefined,
  isBad: (sha: string) => boolean,
): Promise<void> {
  const { releases, notes } = listing;
  const mark = (r: Release, source: LastKnownGoodSource) => {
    r.markers = [...r.markers, 'last-known-good'];
    listing.lastKnownGoodSource = source;
  };

  if (snapshotSha !== undefined) snapshotSha = await resolveSnapshot(git, snapshotSha, notes);
  if (snapshotSha) {
    if (isBad(snapshotSha)) {
      notes.push(`The pre-deploy snapshot ${snapshotSha.slice(0, SHORT)} is marked bad, so it is not the last-known-good release`);
    } else {
      const sha = snapshotSha;
      const found = releases.find((r) => r.sha === sha) ?? (await snapshotRelease(git, sha, listing));
      if (found && deployed && found.sha === deployed.sha) {
        // A snapshot of what runs now cannot be what a rollback returns to: use the next source.
        notes.push(`The pre-deploy snapshot ${snapshotSha.slice(0, SHORT)} is the deployed release itself, so the last-known-good comes from the deploy records or the previous tag (record the snapshot before a deploy)`);
      } else if (found) {
        return mark(found, 'snapshot');
      }
      if (!found) notes.push(`The pre-deploy snapshot ${snapshotSha.slice(0, SHORT)} is not a commit of this repository; run \`git fetch\` or record a new snapshot`);
    }
  }

  if (deployed) {
    const startAt = deploys.findIndex((d) => d.sha === deployed.sha);
    if (startAt >= 0) {
      const earlier = deploys
        .slice(startAt + 1)
        // An unverified deploy (a check failed or was skipped) was never seen healthy: not a last-known-good.
        .find((d) => d.sha !== deployed.sha && d.outcome !== 'rolled-back' && d.outcome !== 'unverified' && !isBad(d.sha));
      const release = earlier && releases.find((r) => r.sha === earlier.sha && (!earlier.tag || r.name === earlier.tag));
      const fallback = earlier && releases.find((r) => r.sha === earlier.sha);
      if (release ?? fallback) return mark((release ?? fallback) as Release, 'deploy-record');
    }
    const from = releases.indexOf(deployed);
    for (let i = from + 1; i < releases.length; i++) {
      const r = releases[i];
      if (r.source === 'tag' && r.sha !== deployed.sha && !isBad(r.sha)) return mark(r, 'previous-tag');
    }
    if (releases.length > 1) {
      notes.push(`No last-known-good release: no release below ${deployed.name} that is not marked bad`);
    }
  }
}

/** A snapshot SHA that no tag or deploy names still deserves a node: it is where a rollback would go. */
async function snapshotRelease(git: GitPort, sha: string, listing: ReleaseListing): Promise<Release | undefined> {
  let commit;
  try {
    [commit] = await git.commits({ to: sha }, { maxCount: 1 });
  } catch (e) {
    if (e instanceof GitPortError && e.kind !== 'git-missing') return undefined;
    throw e;
  }
  if (!commit) return undefined;
  const release: Release = {
    name: sha.slice(0, SHORT),
    sha,
    date: commit.date,
    isSemver: false,
    markers: [],
    source: 'deploy-record',
    subject: commit.subject,
  };
  // Placed by its commit date among the others, like the deploy records.
  const time = Date.parse(commit.date);
  const i = listing.releases.findIndex((r) => Date.parse(r.date) < time);
  if (i < 0) listing.releases.push(release);
  else listing.releases.splice(i, 0, release);
  return release;
}

function detachedNote(head: HeadInfo, branch: string | undefined): string {
  const back = branch ? `git switch ${branch}` : 'git switch -';
  return `HEAD is detached at ${(head.sha ?? '').slice(0, SHORT)} (get back with \`${back}\`)`;
}

function exampleTag(pattern: string): string {
  const prefix = literalPrefix(pattern);
  return prefix === '' ? 'v1.0.0' : `${prefix}1.0.0`;
}

function problemText(e: unknown): string {
  if (e instanceof GitPortError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
