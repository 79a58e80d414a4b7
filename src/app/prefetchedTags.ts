import type { GitPort, TagRef } from '../core/releases/gitPort';

/**
 * The release listing's one expensive git call (for-each-ref over every tag) started early, while
 * the flow reads the target over its own connection: the listing the plan needs follows what
 * the target said, so it cannot be made before that read, but the tags can be read meanwhile.
 * A prefetch is taken once, by the next listing of the same pattern; any later listing asks git
 * again (the stale-plan check at run start must see refs as they are then).
 */
/** A prefetch not taken within this long is dropped: a listing much later must read the tags as they are then. */
const FRESH_MS = 10_000;

export class PrefetchingGitPort implements GitPort {
  private pending?: { pattern: string; tags: Promise<TagRef[]>; at: number };

  constructor(private readonly inner: GitPort) {}

  /** Starts reading the tags matching `pattern`; a failure is left for the listing to meet itself. */
  prefetchTags(pattern: string): void {
    const tags: TagRef[] = [];
    const read = this.inner.streamTags ? this.inner.streamTags(pattern, (t) => tags.push(t)).then(() => tags) : this.inner.listTags(pattern);
    read.catch(() => undefined);
    this.pending = { pattern, tags: read, at: Date.now() };
  }

  /** Drops a prefetch nobody took (rollback.yml changed: the pattern may have). */
  forget(): void {
    this.pending = undefined;
  }

  private take(pattern: string): Promise<TagRef[]> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p && p.pattern === pattern && Date.now() - p.at < FRESH_MS ? p.tags : undefined;
  }

  listTags(pattern: string): Promise<TagRef[]> {
    return this.take(pattern) ?? this.inner.listTags(pattern);
  }

  async streamTags(pattern: string, onTag: (tag: TagRef) => void): Promise<void> {
    const prefetched = this.take(pattern);
    if (prefetched) return (await prefetched).forEach(onTag);
    return this.inner.streamTags ? this.inner.streamTags(pattern, onTag) : (await this.inner.listTags(pattern)).forEach(onTag);
  }

  isRepo: GitPort['isRepo'] = () => this.inner.isRepo();
  repoState: GitPort['repoState'] = () => this.inner.repoState();
  head: GitPort['head'] = () => this.inner.head();
  isShallow: GitPort['isShallow'] = () => this.inner.isShallow();
  commits: GitPort['commits'] = (range, page) => this.inner.commits(range, page);
  countCommits: GitPort['countCommits'] = (range) => this.inner.countCommits(range);
  changedFiles: GitPort['changedFiles'] = (from, to) => this.inner.changedFiles(from, to);
  revParseCommit: GitPort['revParseCommit'] = (ref) => this.inner.revParseCommit(ref);
}
