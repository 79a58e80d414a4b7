// What the releases logic needs from git, and nothing more. src/infra/git implements it
// on simple-git; the core never spawns git itself, so it stays testable and the argv
// rules (refs after --end-of-options, full SHAs only) live in one place.

/** A tag resolved to the commit it names (annotated tags are peeled). */
export interface TagRef {
  /** Tag name without `refs/tags/`. */
  name: string;
  /** Full SHA of the commit the tag points at. */
  sha: string;
  /** Unix seconds: the tagger date for annotated tags, the committer date for lightweight ones. */
  date: number;
  /** The tag message's subject for annotated tags, the commit subject for lightweight ones. */
  subject: string;
  annotated: boolean;
}

export interface HeadInfo {
  /** Full SHA; undefined on an unborn branch (a repository without commits). */
  sha?: string;
  /** Short branch name; undefined when detached. */
  branch?: string;
  detached: boolean;
}

export type RepoState =
  | { kind: 'not-a-repo'; message: string }
  | { kind: 'repo'; shallow: boolean; head: HeadInfo };

export interface CommitInfo {
  sha: string;
  shortSha: string;
  subject: string;
  author: string;
  authorEmail: string;
  /** ISO 8601 (UTC) author date. */
  date: string;
  parents: string[];
}

/** `from` excluded, `to` included, as in `git log from..to`. Without `from`: everything reachable from `to`. */
export interface CommitRange {
  from?: string;
  to: string;
}

export interface GitPort {
  /** True when the folder is inside a git work tree (or is a git dir). Never throws for "not a repo". */
  isRepo(): Promise<boolean>;
  /** Repo check, shallow flag and HEAD in as few git processes as possible (one in the common case). */
  repoState(): Promise<RepoState>;
  head(): Promise<HeadInfo>;
  isShallow(): Promise<boolean>;
  /** Tags under refs/tags/ matching the glob (git's own matching, `*` does not cross `/`). Tags that name no commit are left out. */
  listTags(pattern: string): Promise<TagRef[]>;
  /**
   * Like listTags, but hands each tag over as git prints it, so that the caller's per-tag
   * work overlaps git's own (it matters with 10,000 tags). Optional: listTags is the fallback.
   */
  streamTags?(pattern: string, onTag: (tag: TagRef) => void): Promise<void>;
  /** Newest first. */
  commits(range: CommitRange, page: { maxCount: number; skip?: number }): Promise<CommitInfo[]>;
  countCommits(range: CommitRange): Promise<number>;
  /** Paths changed between the two commits (renames reported as delete + add so both paths show). Without `from`: every file of `to`. */
  changedFiles(from: string | undefined, to: string): Promise<string[]>;
  /** Resolves a ref to the full SHA of a commit, or throws GitPortError (kind 'unsafe-ref' or 'bad-ref'). */
  revParseCommit(ref: string): Promise<string>;
}
