// The sorted tag listing as text a port keeps between runs (GitPort.collectTags), so that the
// same tags again cost one read and a split instead of 10,000 version readings, dates and a
// sort: on the 10,000-tag benchmark that per-tag work was the largest part of a plan's time.
// Columns, not JSON: splitting a few long strings is several times faster than parsing
// 10,000 small objects, and it makes far less garbage at start-up.
import type { TagListingMemo, TagRef } from './gitPort';
import type { Entry, Release } from './release';

/**
 * The columns' version. The listing's rules are part of the format by their own source text
 * (tagListingMemo's `rules`), so a change to what a version is or to the order is another format
 * without anyone bumping this; so is the pattern, whose literal prefix decides what reads as a
 * version. Text kept under another format is never decoded.
 */
const FORMAT = 'releases v1';

const COLUMNS = 8;

/** What collects the tags of a fresh read (tagCollection.ts's collector). */
export interface TagSink {
  add(tag: TagRef): void;
  finish(): Entry[];
}

/**
 * `rules`: the functions that make the listing (the collector, the version reading, the order);
 * their source text, with this file's encoder and decoder, is part of the format (ports keep a
 * hash of it, not the text).
 */
export function tagListingMemo(pattern: string, sink: TagSink, rules: readonly object[]): TagListingMemo<Entry[]> {
  return {
    format: [`${FORMAT} ${pattern}`, ...[...rules, encodeEntries, decodeEntries].map(String)].join('\n'),
    add: (tag) => sink.add(tag),
    finish: () => sink.finish(),
    encode: encodeEntries,
    decode: decodeEntries,
  };
}

/** Sections split by NUL (the count, then one per field), values by newline; undefined when a value holds either. */
export function encodeEntries(entries: Entry[]): string | undefined {
  const names: string[] = [];
  const shas: string[] = [];
  const dates: string[] = [];
  const times: string[] = [];
  const subjects: string[] = [];
  let annotated = '';
  const versions: string[] = [];
  for (const { release: r, time } of entries) {
    if (r.source !== 'tag' || r.markers.length) return undefined;
    names.push(r.name);
    shas.push(r.sha);
    dates.push(r.date);
    times.push(String(time));
    subjects.push(r.subject ?? '');
    annotated += r.annotated ? '1' : '0';
    versions.push(r.isSemver ? (r.version ?? '') : '\x01');
  }
  const columns = [names, shas, dates, times, subjects, versions].map((c) => c.join('\n'));
  if (columns.some((c) => c.includes('\0')) || [names, shas, dates, subjects, versions].some((c) => c.some((v) => v.includes('\n')))) return undefined;
  return [String(entries.length), ...columns.slice(0, 5), annotated, columns[5]].join('\0');
}

/** The entries in kept order, fresh objects each time (a listing marks its releases); undefined for text of another shape. */
export function decodeEntries(text: string): Entry[] | undefined {
  const sections = text.split('\0');
  if (sections.length !== COLUMNS) return undefined;
  const n = Number(sections[0]);
  if (!Number.isSafeInteger(n) || n < 0) return undefined;
  if (n === 0) return sections.every((s, i) => i === 0 || s === '') ? [] : undefined;
  const [names, shas, dates, times, subjects] = sections.slice(1, 6).map((s) => s.split('\n'));
  const annotated = sections[6];
  const versions = sections[7].split('\n');
  if (![names, shas, dates, times, subjects, versions].every((c) => c.length === n) || annotated.length !== n) return undefined;
  const out: Entry[] = new Array<Entry>(n);
  for (let i = 0; i < n; i++) {
    const time = Number(times[i]);
    const sha = shas[i];
    const flag = annotated.charCodeAt(i);
    if (!Number.isFinite(time) || (sha.length !== 40 && sha.length !== 64) || (flag !== 48 && flag !== 49) || names[i] === '') return undefined;
    const version = versions[i];
    const isSemver = version !== '\x01';
    // The same fields in the same order as a fresh read makes them (tagCollection.ts), so JSON output is alike too.
    const release: Release = { name: names[i], sha, date: dates[i], isSemver, markers: [], source: 'tag', subject: subjects[i], annotated: flag === 49 };
    if (isSemver) release.version = version;
    out[i] = { release, time };
  }
  return out;
}
