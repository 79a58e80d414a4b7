// The release listing's tags from a cache kept between runs of the command line. What
// for-each-ref prints for a tag after its name (TAG_FORMAT: the object's type, the object one
// level down, the creator date, the subject) is a function of the tag's object alone, and
// objects are named by their content: an answer read once for an object name is the answer
// for ever. Only the names and object names of the tags are asked each time (git reads them
// from the refs, not from 10,000 objects: 8 ms instead of 70 on the benchmark repository);
// a tag whose object is not in the cache (new, moved) is read as before. A repository with
// replace refs (which change what an object name reads as) is never answered from the cache.
//
// The cache is the user's, beside the command line's code cache (XDG_CACHE_HOME or ~/.cache,
// rollback-pilot/, 0700; files 0600), one file per repository. A file that cannot be read,
// is of another format or fails its own check costs the full read, nothing else.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const OID = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** Object name → what for-each-ref printed after the tag's name (its NUL-separated fields). */
export type TagFields = Map<string, string>;

/**
 * What the last run read: the for-each-ref lines of every tag in git's order, and the key of
 * the listing (names and object names) they were read for. The same listing again has the
 * same lines: they are used as they are. Another listing takes what it can from them by object name.
 */
export interface TagCacheContent {
  listingKey: string;
  lines: string[];
}

/** What a listing made of the same tags (GitPort.collectTags): the memo's text, for the listing key and the hash of the memo's format it was made under. */
export interface KeptListing {
  listingKey: string;
  format: string;
  text: string;
}

export interface TagFieldsCache {
  load(): Promise<TagCacheContent | undefined>;
  save(content: TagCacheContent): void;
  /** Kept in a file of its own: a run whose tags are unchanged reads only this one. */
  loadListing(): Promise<KeptListing | undefined>;
  saveListing(listing: KeptListing): void;
}

/** The key of a listing (`%(objectname) %(refname)` lines): equal keys, equal listings. */
export function listingKey(listing: string): string {
  return createHash('sha256').update(listing).digest('hex');
}

/** The fields of each line by object name, for a listing that changed. */
export function fieldsByObject(content: TagCacheContent | undefined): TagFields {
  const out: TagFields = new Map();
  for (const line of content?.lines ?? []) {
    const f = fieldsOfLine(line);
    if (f) out.set(f[0], f[1]);
  }
  return out;
}

/**
 * The cache file for the repository at `root` (its top folder), or undefined when turned off
 * (ROLLBACK_PILOT_TAG_CACHE=0). `format` is part of the file's name: another format is another file.
 */
export function tagCachePath(root: string, format: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ROLLBACK_PILOT_TAG_CACHE === '0') return undefined;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const key = createHash('sha256').update(`${root}\0${format}`).digest('hex').slice(0, 32);
  return join(base, 'rollback-pilot', `tags-${key}.cache`);
}

const HEADER = 'rollback-pilot tag fields v2';
const LISTING_HEADER = 'rollback-pilot tag listing v1';

/** The fields of one for-each-ref line, keyed by its object name (the third field); undefined for a line of another shape. */
export function fieldsOfLine(line: string): [oid: string, fields: string] | undefined {
  const a = line.indexOf('\0');
  const b = line.indexOf('\0', a + 1);
  const c = line.indexOf('\0', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const oid = line.slice(b + 1, c);
  return OID.test(oid) ? [oid, line.slice(a + 1)] : undefined;
}

/**
 * Whether `fields` (what for-each-ref printed after a tag's name) name `oid` as the tag's
 * object: its second field. A cache entry is used only when it says so of itself.
 */
export function fieldsName(fields: string, oid: string): boolean {
  const b = fields.indexOf('\0');
  return b > 0 && fields.startsWith(oid, b + 1) && fields.charCodeAt(b + 1 + oid.length) === 0;
}

/**
 * The header, the listing's key, the SHA-256 of the lines (a file damaged or cut short is not
 * used), then the lines. Each line's fields are also checked against its object name when a
 * changed listing takes them (fieldsName). The kept listing is `file`.listing: its header, the
 * listing's key, the memo's format, the SHA-256 of the text, then the text.
 */
export function fileTagFieldsCache(file: string): TagFieldsCache {
  const listingFile = `${file}.listing`;
  return {
    async load() {
      const read = await readChecked(file, HEADER, 1);
      if (!read) return undefined;
      const lines = read.body.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return { listingKey: read.fields[0], lines };
    },
    save(content) {
      writeChecked(file, HEADER, [content.listingKey], content.lines.length ? `${content.lines.join('\n')}\n` : '');
    },
    async loadListing() {
      const read = await readChecked(listingFile, LISTING_HEADER, 2);
      return read && { listingKey: read.fields[0], format: read.fields[1], text: read.body };
    },
    saveListing(listing) {
      if (/[\n\r]/.test(listing.format)) return;
      writeChecked(listingFile, LISTING_HEADER, [listing.listingKey, listing.format], listing.text);
    },
  };
}

/** `header`, `count` lines of fields, the body's SHA-256, the body; undefined for a file that is missing, of another header, or damaged. */
async function readChecked(file: string, header: string, count: number): Promise<{ fields: string[]; body: string } | undefined> {
  let text: string;
  try {
    // Read off the main thread: the listing and the target's read start meanwhile.
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const ends: number[] = [];
  for (let at = -1, i = 0; i < count + 2; i++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return undefined;
    ends.push(at);
  }
  if (text.slice(0, ends[0]) !== header) return undefined;
  const fields = ends.slice(0, count).map((end, i) => text.slice(end + 1, ends[i + 1]));
  const body = text.slice(ends[count + 1] + 1);
  if (createHash('sha256').update(body).digest('hex') !== text.slice(ends[count] + 1, ends[count + 1])) return undefined;
  return { fields, body };
}

/** Atomically (a concurrent run never reads half a file), 0600 in a 0700 folder; a failure only costs the next run a full read. */
function writeChecked(file: string, header: string, fields: string[], body: string): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const sum = createHash('sha256').update(body).digest('hex');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${header}\n${fields.join('\n')}\n${sum}\n${body}`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only home or a full disk.
  }
}
