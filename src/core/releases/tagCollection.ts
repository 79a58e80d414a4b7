// The per-tag work of the release listing (SemVer reading, dates, the order), done while git is
// still printing the tags: with 10,000 tags it is most of the listing's own time.
import type { GitPort, TagRef } from './gitPort';
import { NO_MARKERS, type Entry, type Release } from './release';
import { tagListingMemo } from './tagListingMemo';
import { compareVersions, literalPrefix, parseTagVersion, type Version } from './version';

export type { Entry } from './release';

/** A SemVer tag's entry with the version that orders it. */
interface VersionedEntry {
  entry: Entry;
  version: Version;
}

/**
 * The tags matching a pattern, read into releases as git prints them and sorted once it has
 * ended: all of that work overlaps git's own (and, for a prefetch, whatever the caller waits
 * for meanwhile). `done` settles when git has ended; `releases()` is what was read, in order,
 * also after a failure. Its releases are the listing's own (it marks them): one collection, one listing.
 */
export class TagCollection {
  readonly done: Promise<void>;
  private readonly collector: TagCollector;
  private sorted?: Release[];

  constructor(git: GitPort, pattern: string) {
    const collector = new TagCollector(pattern);
    const add = (t: TagRef) => collector.add(t);
    this.collector = collector;
    // A port that keeps listings (the command line's) hands the same tags back already sorted.
    if (git.collectTags) {
      this.done = git.collectTags(pattern, tagListingMemo(pattern, collector, LISTING_RULES)).then((releases) => {
        this.sorted = releases;
      });
      return;
    }
    const read = git.streamTags ? git.streamTags(pattern, add) : git.listTags(pattern).then((tags) => tags.forEach(add));
    this.done = read.then(() => {
      this.sorted = collector.finish();
    });
  }

  get count(): number {
    return this.sorted?.length ?? this.collector.count;
  }

  releases(): Release[] {
    this.sorted ??= this.collector.finish();
    return this.sorted;
  }
}

/** Does the per-tag work as tags arrive (while git is still printing), then sorts once. */
class TagCollector {
  private readonly prefix: string;
  private readonly dayCache = new Map<number, string>();
  private readonly semverEntries: VersionedEntry[] = [];
  private readonly others: Entry[] = [];

  constructor(pattern: string) {
    this.prefix = literalPrefix(pattern);
  }

  get count(): number {
    return this.semverEntries.length + this.others.length;
  }

  add(t: TagRef): void {
    const version = parseTagVersion(t.name, this.prefix);
    const release: Release = {
      name: t.name,
      sha: t.sha,
      date: isoFromUnix(t.date, this.dayCache),
      isSemver: version !== undefined,
      markers: NO_MARKERS,
      source: 'tag',
      subject: t.subject,
      annotated: t.annotated,
    };
    if (version) {
      release.version = version.text;
      this.semverEntries.push({ entry: { release, time: t.date * 1000 }, version });
    } else {
      this.others.push({ release, time: t.date * 1000 });
    }
  }

  /** SemVer tags by precedence, newest first; then the others by date, newest first. */
  finish(): Release[] {
    this.semverEntries.sort((a, b) => compareVersions(b.version, a.version) || byDateThenName(a.entry, b.entry));
    this.others.sort(byDateThenName);
    return this.semverEntries.map((v) => v.entry.release).concat(this.others.map((e) => e.release));
  }
}

/** What decides a listing's releases and their order: a kept listing made under other rules is not used (tagListingMemo.ts). */
const LISTING_RULES = [TagCollector, parseTagVersion, literalPrefix, compareVersions, isoFromUnix, byDateThenName];

/** Same text as `new Date(sec * 1000).toISOString()`, several times faster for many tags (the day part is shared). */
export function isoFromUnix(sec: number, dayCache: Map<number, string>): string {
  if (!Number.isInteger(sec) || sec < 0 || sec >= 253402300800) return new Date(sec * 1000).toISOString();
  const day = Math.floor(sec / 86400);
  let prefix = dayCache.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * 86400000).toISOString().slice(0, 11);
    dayCache.set(day, prefix);
  }
  const s = sec - day * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${prefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${ss < 10 ? '0' : ''}${ss}.000Z`;
}

export function byDateThenName(a: Entry, b: Entry): number {
  return b.time - a.time || (a.release.name < b.release.name ? -1 : a.release.name > b.release.name ? 1 : 0);
}
