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

export interface TagFieldsCache {
  load(): Promise<TagFields>;
  save(fields: TagFields): void;
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

const HEADER = 'rollback-pilot tag fields v1';

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

/** One entry per line: the object name, NUL, its fields (checked against the name when used: fieldsName). */
export function fileTagFieldsCache(file: string): TagFieldsCache {
  return {
    async load() {
      const out: TagFields = new Map();
      let text: string;
      try {
        // Read off the main thread: the listing and the target's read start meanwhile.
        text = await readFile(file, 'utf8');
      } catch {
        return out;
      }
      if (!text.startsWith(`${HEADER}\n`)) return out;
      let at = HEADER.length + 1;
      while (at < text.length) {
        let end = text.indexOf('\n', at);
        if (end < 0) end = text.length;
        const nul = text.indexOf('\0', at);
        if (nul > at && nul < end) out.set(text.slice(at, nul), text.slice(nul + 1, end));
        at = end + 1;
      }
      return out;
    },
    save(fields) {
      try {
        const dir = join(file, '..');
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const parts = [HEADER];
        for (const [oid, f] of fields) parts.push(`${oid}\0${f}`);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, `${parts.join('\n')}\n`, { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // A read-only home or a full disk: the next run reads the tags in full again.
      }
    },
  };
}
