// The sorted tag listing as text a port keeps between runs (GitPort.collectTags), so that the
// same tags again cost one read and a split instead of 10,000 version readings, dates and a
// sort: on the 10,000-tag benchmark that per-tag work was the largest part of a plan's time.
// Columns, not JSON: splitting a few long strings is several times faster than parsing
// 10,000 small objects, and it makes far less garbage at start-up.
import type { TagListingMemo, TagRef } from './gitPort';
import { NO_MARKERS, type Release } from './release';

/**
 * The columns' version. The listing's rules are part of the format by their own source text
 * (tagListingMemo's `rules`), so a change to what a version is or to the order is another format
 * without anyone bumping this; so is the pattern, whose literal prefix decides what reads as a
 * version. Text kept under another format is never decoded.
 */
const FORMAT = 'releases v1';

const COLUMNS = 7;

/** What collects the tags of a fresh read (tagCollection.ts's collector). */
export interface TagSink {
  add(tag: TagRef): void;
  finish(): Release[];
}

/**
 * `rules`: the functions that make the listing (the collector, the version reading, the order);
 * their source text, with this file's encoder and decoder, is part of the format (ports keep a
 * hash of it, not the text).
 */
export function tagListingMemo(pattern: string, sink: TagSink, rules: readonly object[]): TagListingMemo<Release[]> {
  return {
    format: [`${FORMAT} ${pattern}`, ...[...rules, encodeReleases, decodeReleases].map(String)].join('\n'),
    add: (tag) => sink.add(tag),
    finish: () => sink.finish(),
    encode: encodeReleases,
    decode: decodeReleases,
  };
}

/** Sections split by NUL (the count, then one per field), values by newline; undefined when a value holds either. */
export function encodeReleases(releases: Release[]): string | undefined {
  const names: string[] = [];
  const shas: string[] = [];
  const dates: string[] = [];
  const subjects: string[] = [];
  let annotated = '';
  const versions: string[] = [];
  for (const r of releases) {
    if (r.source !== 'tag' || r.markers.length) return undefined;
    names.push(r.name);
    shas.push(r.sha);
    dates.push(r.date);
    subjects.push(r.subject ?? '');
    annotated += r.annotated ? '1' : '0';
    versions.push(r.isSemver ? (r.version ?? '') : '\x01');
  }
  const columns = [names, shas, dates, subjects, versions];
  if (columns.some((c) => c.some((v) => v.includes('\n') || v.includes('\0')))) return undefined;
  const [n, s, d, sub, v] = columns.map((c) => c.join('\n'));
  return [String(releases.length), n, s, d, sub, annotated, v].join('\0');
}

/** The releases in kept order, fresh objects each time (a listing marks its own); undefined for text of another shape. */
export function decodeReleases(text: string): Release[] | undefined {
  const sections = text.split('\0');
  if (sections.length !== COLUMNS) return undefined;
  const n = Number(sections[0]);
  if (!Number.isSafeInteger(n) || n < 0) return undefined;
  if (n === 0) return sections.every((s, i) => i === 0 || s === '') ? [] : undefined;
  const [names, shas, dates, subjects] = sections.slice(1, 5).map((s) => s.split('\n'));
  const annotated = sections[5];
  const versions = sections[6].split('\n');
  if (![names, shas, dates, subjects, versions].every((c) => c.length === n) || annotated.length !== n) return undefined;
  const out = new Array<Release>(n);
  for (let i = 0; i < n; i++) {
    const sha = shas[i];
    const flag = annotated.charCodeAt(i);
    if ((sha.length !== 40 && sha.length !== 64) || (flag !== 48 && flag !== 49) || names[i] === '' || dates[i].length !== 24) return undefined;
    const version = versions[i];
    const isSemver = version !== '\x01';
    // The same fields in the same order as a fresh read makes them (tagCollection.ts), so JSON output is alike too.
    const release: Release = { name: names[i], sha, date: dates[i], isSemver, markers: NO_MARKERS, source: 'tag', subject: subjects[i], annotated: flag === 49 };
    if (isSemver) release.version = version;
    out[i] = release;
  }
  return out;
}
