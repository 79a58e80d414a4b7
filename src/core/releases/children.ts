// The children of a release node, loaded only when the user expands it: its commits
// (since the previous release) and the files it changed.
import type { CommitInfo, GitPort } from './gitPort';
import type { Release } from './releases';

export const COMMITS_CAP = 200;

export interface ReleaseCommits {
  /** Newest first, at most COMMITS_CAP. */
  commits: CommitInfo[];
  /** How many more commits the range holds beyond those shown (the view shows "… N more"). */
  more: number;
}

/** Commits in previous..release (everything reachable from the release when there is no previous one). */
export async function releaseCommits(
  git: GitPort,
  release: Pick<Release, 'sha'>,
  previous?: Pick<Release, 'sha'>,
  cap = COMMITS_CAP,
): Promise<ReleaseCommits> {
  const range = { from: previous?.sha, to: release.sha };
  // One more than shown tells whether counting is needed at all.
  const commits = await git.commits(range, { maxCount: cap + 1 });
  if (commits.length <= cap) return { commits, more: 0 };
  const total = await git.countCommits(range);
  return { commits: commits.slice(0, cap), more: Math.max(0, total - cap) };
}

/** Paths changed between the previous release and this one (all files of the release when there is no previous one). */
export function releaseChangedFiles(
  git: GitPort,
  release: Pick<Release, 'sha'>,
  previous?: Pick<Release, 'sha'>,
): Promise<string[]> {
  return git.changedFiles(previous?.sha, release.sha);
}

/** "… 57 more commits" for the node after the last shown commit, or undefined. */
export function moreLabel(result: ReleaseCommits): string | undefined {
  if (result.more <= 0) return undefined;
  return `… ${result.more} more commit${result.more === 1 ? '' : 's'}`;
}
