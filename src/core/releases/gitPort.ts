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

/**
 * What a listing makes of a pattern's tags (its releases in order), in a form a port can keep
 * between runs beside the tags it was made from (the command line keeps it in the user's
 * cache: tagCache.ts). Made by the core (tagListingMemo.ts); the port only stores the text.
 */
export interface TagListingMemo<T> {
  /** Names the rules that made the result and the text's shape: text kept under another format is not used. */
  readonly format: string;
  /** Each tag of a fresh read, as streamTags hands them over. */
  add(tag: TagRef): void;
  /** The result once every tag is in. */
  finish(): T;
  /** The text to keep for a result, or undefined when it cannot be kept (a value the text cannot hold). */
  encode(result: T): string | undefined;
  /** The result from kept text, or undefined when the text does not read right (the tags are then read afresh). */
  decode(text: string): T | undefined;
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
  /**
   * The tags matching the glob made into `memo`'s result: decoded from what was kept when the
   * repository's tags (every name and the object it names) are the same as when it was kept,
   * else read afresh through `memo.add` and kept. Optional: without it the caller streams.
   */
  collectTags?<T>(pattern: string, memo: TagListingMemo<T>): Promise<T>;
  /** Newest first. */
  commits(range: CommitRange, page: { maxCount: number; skip?: number }): Promise<CommitInfo[]>;
  countCommits(range: CommitRange): Promise<number>;
  /** Paths changed between the two commits (renames reported as delete + add so both paths show). Without `from`: every file of `to`. */
  changedFiles(from: string | undefined, to: string): Promise<string[]>;
  /** Resolves a ref to the full SHA of a commit, or throws GitPortError (kind 'unsafe-ref' or 'bad-ref'). */
  revParseCommit(ref: string): Promise<string>;
}
