import type { GitPort, RepoState, TagRef } from '../core/releases/gitPort';
import { TagCollection, type PrefetchedTagsPort } from '../core/releases/releases';

/**
 * The release listing's expensive part (for-each-ref over every tag, and reading each tag into
 * a release: with 10,000 tags that is as long as git itself) started early, while the flow
 * reads the target over its own connection: the listing the plan needs follows what the target
 * said, so it cannot be made before that read, but the tags can be read meanwhile, and the
 * repository's state (its HEAD, shallow or not) with them. A prefetch is taken once, by the
 * next listing of the same pattern; any later listing asks git again (the stale-plan check at
 * run start must see refs as they are then).
 */
/** A prefetch not taken within this long is dropped: a listing much later must read the tags as they are then. */
const FRESH_MS = 10_000;

export class PrefetchingGitPort implements GitPort, PrefetchedTagsPort {
  private pending?: { pattern: string; tags: TagCollection; at: number };
  private pendingState?: { state: Promise<RepoState>; at: number };

  /** Only where the inner port has it: without it, TagCollection streams and sorts itself. */
  readonly collectTags: GitPort['collectTags'];

  constructor(private readonly inner: GitPort) {
    this.collectTags = inner.collectTags?.bind(inner);
  }

  /** Starts reading the tags matching `pattern` and the repository's state; a failure is left for the listing to meet itself. */
  prefetchTags(pattern: string): void {
    const tags = new TagCollection(this.inner, pattern);
    tags.done.catch(() => undefined);
    const state = this.inner.repoState();
    state.catch(() => undefined);
    const at = Date.now();
    this.pending = { pattern, tags, at };
    this.pendingState = { state, at };
  }

  /** Drops a prefetch nobody took (rollback.yml changed: the pattern may have). */
  forget(): void {
    this.pending = undefined;
    this.pendingState = undefined;
  }

  takeTagCollection(pattern: string): TagCollection | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p && p.pattern === pattern && Date.now() - p.at < FRESH_MS ? p.tags : undefined;
  }

  repoState(): Promise<RepoState> {
    const p = this.pendingState;
    this.pendingState = undefined;
    return p && Date.now() - p.at < FRESH_MS ? p.state : this.inner.repoState();
  }

  listTags(pattern: string): Promise<TagRef[]> {
    return this.inner.listTags(pattern);
  }

  streamTags(pattern: string, onTag: (tag: TagRef) => void): Promise<void> {
    return this.inner.streamTags ? this.inner.streamTags(pattern, onTag) : this.inner.listTags(pattern).then((tags) => tags.forEach(onTag));
  }

  isRepo: GitPort['isRepo'] = () => this.inner.isRepo();
  head: GitPort['head'] = () => this.inner.head();
  isShallow: GitPort['isShallow'] = () => this.inner.isShallow();
  commits: GitPort['commits'] = (range, page) => this.inner.commits(range, page);
  countCommits: GitPort['countCommits'] = (range) => this.inner.countCommits(range);
  changedFiles: GitPort['changedFiles'] = (from, to) => this.inner.changedFiles(from, to);
  revParseCommit: GitPort['revParseCommit'] = (ref) => this.inner.revParseCommit(ref);
}
