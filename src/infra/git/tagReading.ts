// Reading the tags' for-each-ref lines for SimpleGitPort: streamed as git prints them, or with
// what each tag's object reads as taken from the command line's cache (tagCache.ts).
import { StringDecoder } from 'node:string_decoder';
import type { SimpleGit } from 'simple-git';
import type { TagRef } from '../../core/releases/gitPort';
import { fieldsByObject, fieldsName, fieldsOfLine, listingKey, type TagFieldsCache } from './tagCache';

/** The two things of the port these functions use: its error-mapping run, and a client of their own. */
export interface GitReader {
  run(args: string[], client?: SimpleGit): Promise<string>;
  newClient(): SimpleGit;
}

/** More tags than this missing from the tag cache (a first run): the whole listing is read, as without a cache. */
const MAX_NAMED_TAGS = 200;

const TAG_FIELDS = [
  '%(refname:strip=2)',
  '%(objecttype)',
  '%(objectname)',
  '%(*objecttype)',
  '%(*objectname)',
  '%(creatordate:unix)',
  '%(subject)',
];
/** The for-each-ref format: fields split by NUL, one tag per line (no field can hold a newline). */
export const TAG_FORMAT = TAG_FIELDS.join('%00');

/** The names and object names of the pattern's tags, and any replace refs: what decides whether kept answers still hold. */
export function namesListing(pattern: string): string[] {
  return ['for-each-ref', '--format=%(objectname) %(refname)', `refs/tags/${pattern}`, 'refs/replace/'];
}

export function hasReplaceRefs(listing: string): boolean {
  return listing.includes(' refs/replace/');
}

/** for-each-ref with TAG_FORMAT over `patterns`, each line handed over as git prints it. */
export async function tagLines(git: GitReader, patterns: string[], onLine: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let failure: unknown;
  const feed = (text: string, last: boolean) => {
    if (failure !== undefined) return;
    try {
      const lines = (rest + text).split('\n');
      rest = last ? '' : (lines.pop() as string);
      for (const line of lines) onLine(line);
    } catch (e) {
      // Thrown from a stream event it would be uncaught; rethrown after git ends instead.
      failure = e;
    }
  };
  // A client of its own: the output handler applies to every command of an instance.
  const client = git.newClient().outputHandler((_command, stdout) => {
    stdout.on('data', (chunk: Buffer) => feed(decoder.write(chunk), false));
  });
  await git.run(['for-each-ref', `--format=${TAG_FORMAT}`, ...patterns], client);
  feed(decoder.end(), true);
  if (failure !== undefined) throw failure;
}

/**
 * The same lines, in the same order, with the fields of each tag's object taken from the
 * cache when it has them (tagCache.ts); only the tags it lacks are read in full, and all of
 * them when they are many (the first run) or the repository has replace refs. `listing` is
 * namesListing's output. True when every line is of the object the listing named (nothing
 * moved while it was read, no replace refs): only then are the lines, or anything made of
 * them, kept. The cache is read while git lists the names.
 */
export async function cachedTagLines(git: GitReader, pattern: string, cache: TagFieldsCache, parse: (line: string) => void, names: string | Promise<string>): Promise<boolean> {
  const [listing, stored] = await Promise.all([names, cache.load()]);
  if (hasReplaceRefs(listing)) {
    await tagLines(git, [`refs/tags/${pattern}`], parse);
    return false;
  }
  const key = listingKey(listing);
  // The same names at the same objects as last time: the same lines.
  if (stored && stored.listingKey === key) {
    stored.lines.forEach(parse);
    return true;
  }
  const known = fieldsByObject(stored);
  const refs: Array<[oid: string, name: string]> = [];
  const missing: string[] = [];
  for (let at = 0; at < listing.length; ) {
    let end = listing.indexOf('\n', at);
    if (end < 0) end = listing.length;
    const sp = listing.indexOf(' ', at);
    if (sp > at && sp < end && listing.startsWith('refs/tags/', sp + 1)) {
      const oid = listing.slice(at, sp);
      const name = listing.slice(sp + 11, end);
      refs.push([oid, name]);
      const fields = known.get(oid);
      if (fields === undefined || !fieldsName(fields, oid)) {
        known.delete(oid);
        missing.push(`refs/tags/${name}`);
      }
    }
    at = end + 1;
  }
  const lines: string[] = [];
  let matches = true;
  if (missing.length > MAX_NAMED_TAGS) {
    const objects = new Map(refs.map(([oid, name]) => [name, oid]));
    await tagLines(git, [`refs/tags/${pattern}`], (line) => {
      parse(line);
      if (!line) return;
      lines.push(line);
      if (objects.get(line.slice(0, line.indexOf('\0'))) !== fieldsOfLine(line)?.[0]) matches = false;
    });
    if (lines.length !== refs.length) matches = false;
  } else {
    // The few tags the cache lacks, read by their full names (a ref name holds no glob character), then every tag in git's order.
    const read = new Map<string, string>();
    if (missing.length) await tagLines(git, missing, (line) => void (line && read.set(line.slice(0, line.indexOf('\0')), line)));
    for (const [oid, name] of refs) {
      const fields = known.get(oid);
      const line = fields !== undefined ? `${name}\0${fields}` : read.get(name);
      if (line === undefined) {
        matches = false; // deleted between the two reads
        continue;
      }
      if (fields === undefined && fieldsOfLine(line)?.[0] !== oid) matches = false;
      lines.push(line);
      parse(line);
    }
  }
  if (matches) cache.save({ listingKey: key, lines });
  return matches;
}

/** Parses one line of TAG_FORMAT output; tags of trees or blobs name no release and are dropped. */
export function parseTagLine(line: string, onTag: (tag: TagRef) => void, nested: Array<Omit<TagRef, 'sha'>>): void {
  if (line === '') return;
  // One split, not a slice and parseTagFields: this runs for every tag git prints.
  const f = line.split('\0', 7);
  tagFrom(f[0], f[1], f[2], f[3], f[4], f[5], f[6], onTag, nested);
}

function tagFrom(name: string, type: string | undefined, oid: string | undefined, peeledType: string | undefined, peeled: string | undefined, date: string | undefined, subject: string | undefined, onTag: (tag: TagRef) => void, nested: Array<Omit<TagRef, 'sha'>>): void {
  if (type === 'commit') {
    onTag({ name, sha: oid as string, date: Number(date) || 0, subject: subject ?? '', annotated: false });
  } else if (type === 'tag' && peeledType === 'commit') {
    onTag({ name, sha: peeled as string, date: Number(date) || 0, subject: subject ?? '', annotated: true });
  } else if (type === 'tag' && peeledType === 'tag') {
    nested.push({ name, date: Number(date) || 0, subject: subject ?? '', annotated: true });
  }
}

