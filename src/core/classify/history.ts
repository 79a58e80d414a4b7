// The functions earlier migrations of the same folder define, so CREATE OR REPLACE FUNCTION
// of a new function is told from one replacing a function the previous release may call.
// Each folder is read once per file system (one classification pass), and only when a
// migration actually has a CREATE OR REPLACE FUNCTION.

import type { Migration } from '../migrations/types';
import type { FileSystemPort } from '../ports';
import { functionsDefinedIn } from './beforeSchema';
import type { BeforeSchema } from './rules/common';
import { earlierSchema, needsEarlierSchema } from './schemaHistory';
import type { SqlParser, SqlStatement } from './sqlPort';

type History = NonNullable<BeforeSchema['history']>;

interface FolderFile {
  /** Order key: earlier files sort first. */
  name: string;
  path: string;
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Leading numbers compare as numbers (golang-migrate's 9 before 10), the rest as text. */
export function migrationOrder(a: string, b: string): number {
  const na = /^\d+/.exec(a)?.[0];
  const nb = /^\d+/.exec(b)?.[0];
  if (na && nb && na !== nb) return BigInt(na) < BigInt(nb) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function folderFiles(fs: FileSystemPort, migration: Migration, at: (p: string) => string): Promise<{ folder: string; files: FolderFile[]; unordered?: boolean } | undefined> {
  if (migration.tool === 'prisma') {
    const folder = dirname(migration.file.replace(/\/migration\.sql$/, ''));
    const entries = await fs.readDir(at(folder));
    return { folder, files: entries.filter((e) => e.isDirectory).map((e) => ({ name: e.name, path: `${folder ? `${folder}/` : ''}${e.name}/migration.sql` })) };
  }
  if (migration.tool === 'knex' || migration.tool === 'node-pg-migrate' || migration.tool === 'alembic') {
    // Knex and node-pg-migrate apply in file-name order; Alembic's order is its revision graph, not read here,
    // so every other revision of the folder counts as possibly earlier (a replaced function is then reviewed, never assumed new).
    const folder = dirname(migration.file);
    const entries = await fs.readDir(at(folder));
    const ext = migration.tool === 'alembic' ? /\.py$/ : /\.(js|ts|cjs|mjs)$/;
    const files = entries.filter((e) => !e.isDirectory && ext.test(e.name) && !/\.d\.ts$/.test(e.name));
    return { folder: folder || '.', files: files.map((e) => ({ name: e.name, path: `${folder ? `${folder}/` : ''}${e.name}` })), unordered: migration.tool === 'alembic' };
  }
  if (['golang-migrate', 'goose', 'sql'].includes(migration.tool)) {
    const folder = dirname(migration.file);
    const entries = await fs.readDir(at(folder));
    const files = entries.filter((e) => !e.isDirectory && /\.sql$/.test(e.name) && !/\.down\.sql$/.test(e.name));
    return { folder: folder || '.', files: files.map((e) => ({ name: e.name, path: `${folder ? `${folder}/` : ''}${e.name}` })) };
  }
  return undefined;
}

const cache = new WeakMap<FileSystemPort, Map<string, Promise<Map<string, string[]> | undefined>>>();

/**
 * Functions defined before this migration (name → the earliest file defining it), or
 * undefined when the tool's folder cannot be read in apply order (Alembic's graph, JS tools)
 * — then the rules judge within the file and say so.
 */
export async function functionHistory(fs: FileSystemPort, root: string, migration: Migration, upText: string): Promise<History | undefined> {
  if (!/\bcreate\s+or\s+replace\s+(function|procedure)\b/i.test(upText)) return undefined;
  const r = root.replace(/\/$/, '');
  const at = (p: string) => (r === '.' || r === '' ? p || '.' : p ? `${r}/${p}` : r);
  let listing: Awaited<ReturnType<typeof folderFiles>>;
  try {
    listing = await folderFiles(fs, migration, at);
  } catch {
    return undefined;
  }
  if (!listing) return undefined;
  const { folder, files } = listing;
  let perFs = cache.get(fs);
  if (!perFs) cache.set(fs, (perFs = new Map()));
  const key = `${migration.tool}:${r}:${folder}`;
  let defs = perFs.get(key);
  if (!defs) {
    defs = (async () => {
      const out = new Map<string, string[]>();
      for (const f of files) {
        try {
          out.set(f.path, functionsDefinedIn(new TextDecoder().decode(await fs.readFile(at(f.path)))));
        } catch {
          out.set(f.path, []);
        }
      }
      return out;
    })();
    perFs.set(key, defs);
  }
  const all = await defs;
  if (!all) return undefined;
  const own = migration.tool === 'prisma' ? basename(migration.file.replace(/\/migration\.sql$/, '')) : basename(migration.file);
  const functions = new Map<string, string>();
  for (const f of [...files].sort((a, b) => migrationOrder(a.name, b.name))) {
    if (listing.unordered ? f.name === own : migrationOrder(f.name, own) >= 0) {
      if (listing.unordered) continue;
      break;
    }
    for (const fn of all.get(f.path) ?? []) if (!functions.has(fn)) functions.set(fn, f.path);
  }
  return { folder, functions };
}

const parsedCache = new WeakMap<FileSystemPort, Map<string, Promise<SqlStatement[]>>>();

/** A goose file's Up section (the whole text for other tools). */
function upSection(text: string): string {
  const up = /^\s*--\s*\+goose\s+Up\b.*$/im.exec(text);
  if (!up) return text;
  const rest = text.slice(up.index + up[0].length);
  const down = /^\s*--\s*\+goose\s+Down\b/im.exec(rest);
  return down ? rest.slice(0, down.index) : rest;
}

/**
 * The schema the earlier migrations of the folder leave (column types and defaults, unique
 * constraints and indexes, functions and views), or undefined when the folder cannot be read
 * in apply order or this migration has nothing it decides. Each earlier file is parsed once
 * per file system; one that does not parse is skipped (its changes stay unknown, never guessed).
 */
export async function earlierSchemaFor(fs: FileSystemPort, root: string, migration: Migration, upText: string, parser: SqlParser): Promise<BeforeSchema | undefined> {
  // SQL folders only: the earlier files are parsed as SQL.
  if (!needsEarlierSchema(upText) || !['golang-migrate', 'goose', 'sql', 'prisma'].includes(migration.tool)) return undefined;
  const r = root.replace(/\/$/, '');
  const at = (p: string) => (r === '.' || r === '' ? p || '.' : p ? `${r}/${p}` : r);
  let listing: Awaited<ReturnType<typeof folderFiles>>;
  try {
    listing = await folderFiles(fs, migration, at);
  } catch {
    return undefined;
  }
  if (!listing) return undefined;
  let perFs = parsedCache.get(fs);
  if (!perFs) parsedCache.set(fs, (perFs = new Map()));
  const own = migration.tool === 'prisma' ? basename(migration.file.replace(/\/migration\.sql$/, '')) : basename(migration.file);
  const earlier = [...listing.files].sort((a, b) => migrationOrder(a.name, b.name)).filter((f) => migrationOrder(f.name, own) < 0);
  const files: Array<{ path: string; statements: SqlStatement[] }> = [];
  for (const f of earlier) {
    const key = `${r}:${f.path}`;
    let statements = perFs.get(key);
    if (!statements) {
      statements = (async () => {
        try {
          const parsed = await parser.parse(upSection(new TextDecoder().decode(await fs.readFile(at(f.path)))));
          return parsed.ok ? parsed.statements : [];
        } catch {
          return [];
        }
      })();
      perFs.set(key, statements);
    }
    files.push({ path: f.path, statements: await statements });
  }
  return earlierSchema(files);
}
