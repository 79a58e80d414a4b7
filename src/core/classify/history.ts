// What the earlier migrations of the same folder did, for the rules of the one being judged:
// the functions they define (so CREATE OR REPLACE FUNCTION of a new function is told from one
// replacing a function the previous release may call), and the schema they leave (a type
// widened or narrowed, a unique index the old code's ON CONFLICT needs, row security already
// on). Each folder is read once per file system (one classification pass), and only when the
// migration has something that history decides.

import type { Migration } from '../migrations/types';
import type { FileSystemPort } from '../ports';
import { functionsDefinedIn } from './beforeSchema';
import type { BeforeSchema } from './rules/common';
import { readAlembicHeader } from '../migrations/alembicHeader';
import { upStatementsOf } from './earlierStatements';
import { emptyBefore } from './rules/common';
import { copyBefore, foldStatements, needsEarlierSchema } from './schemaHistory';
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

/** The migration's folder as the tool orders it, with the root-relative path builder; undefined when it cannot be listed. */
type FolderListing = NonNullable<Awaited<ReturnType<typeof folderFiles>>> & { sorted: FolderFile[] };

/** Listings per file system (one per classification pass, as the parsed files are): a folder of 2,000 migrations is listed and sorted once, not once per migration. */
const listings = new WeakMap<FileSystemPort, Map<string, Promise<FolderListing | undefined>>>();

async function readFolder(fs: FileSystemPort, root: string, migration: Migration): Promise<{ r: string; at: (p: string) => string; listing: FolderListing } | undefined> {
  const r = root.replace(/\/$/, '');
  const at = (p: string) => (r === '.' || r === '' ? p || '.' : p ? `${r}/${p}` : r);
  let perFs = listings.get(fs);
  if (!perFs) listings.set(fs, (perFs = new Map()));
  const key = `${migration.tool}:${r}:${dirname(migration.tool === 'prisma' ? dirname(migration.file) : migration.file)}`;
  let listing = perFs.get(key);
  if (!listing) {
    listing = folderFiles(fs, migration, at).then(
      (l) => l && { ...l, sorted: [...l.files].sort((a, b) => migrationOrder(a.name, b.name)) },
      () => undefined,
    );
    perFs.set(key, listing);
  }
  const l = await listing;
  return l ? { r, at, listing: l } : undefined;
}

/** The functions each file of a listed folder defines, read once per listing (so per file system and folder, as the listing is). */
const functionDefs = new WeakMap<FolderListing, Promise<Map<string, string[]>>>();

/**
 * Functions defined before this migration (name → the earliest file defining it), or
 * undefined when the tool's folder cannot be read in apply order (Alembic's graph, JS tools)
 * — then the rules judge within the file and say so.
 */
export async function functionHistory(fs: FileSystemPort, root: string, migration: Migration, upText: string): Promise<History | undefined> {
  if (!/\bcreate\s+or\s+replace\s+(function|procedure)\b/i.test(upText)) return undefined;
  const listed = await readFolder(fs, root, migration);
  if (!listed) return undefined;
  const { at, listing } = listed;
  const { folder, files } = listing;
  let defs = functionDefs.get(listing);
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
    functionDefs.set(listing, defs);
  }
  const all = await defs;
  const own = migration.tool === 'prisma' ? basename(migration.file.replace(/\/migration\.sql$/, '')) : basename(migration.file);
  const functions = new Map<string, string>();
  for (const f of listing.sorted) {
    if (listing.unordered ? f.name === own : migrationOrder(f.name, own) >= 0) {
      if (listing.unordered) continue;
      break;
    }
    for (const fn of all.get(f.path) ?? []) if (!functions.has(fn)) functions.set(fn, f.path);
  }
  return { folder, functions };
}

interface EarlierFile {
  statements: SqlStatement[];
  /** Alembic: the revision and its parents, read from the file's header. */
  revision?: string;
  parents?: string[];
}

/** Alembic's revision graph of a listed folder, read once per listing. */
const revisionGraphs = new WeakMap<FolderListing, Promise<Map<string, { path: string; parents: string[] }>>>();

const parsedCache = new WeakMap<FileSystemPort, Map<string, Promise<EarlierFile>>>();

/** Alembic applies in its revision graph's order: the ancestors of this revision, parents before children. */
function alembicAncestors(own: Migration, byRevision: Map<string, { path: string; parents: string[] }>): string[] {
  const order: string[] = [];
  const seen = new Set<string>([own.id]);
  // Iterative post-order, so a long chain cannot exhaust the stack; each revision is visited once.
  const stack: Array<{ rev: string; next: number }> = [];
  for (const p of [...(own.parents ?? [])].reverse()) if (!seen.has(p)) {
    seen.add(p);
    stack.push({ rev: p, next: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1];
      const parents = byRevision.get(top.rev)?.parents ?? [];
      if (top.next < parents.length) {
        const q = parents[top.next++];
        if (!seen.has(q)) {
          seen.add(q);
          stack.push({ rev: q, next: 0 });
        }
      } else {
        stack.pop();
        const f = byRevision.get(top.rev);
        if (f) order.push(f.path);
      }
    }
  }
  return order;
}

/** Does this file hold something the earlier schema decides? SQL words, and the same questions as the tools' calls ask them. */
function asksTheEarlierSchema(tool: Migration['tool'], upText: string): boolean {
  if (needsEarlierSchema(upText)) return true;
  if (tool === 'knex' || tool === 'node-pg-migrate') return /\b(alter|alterColumn|dropIndex|dropUnique|dropConstraint|dropPrimary|dropForeign|createFunction|createView|createPolicy|alterPolicy|setDefault|defaultTo|replace)\b/.test(upText);
  if (tool === 'alembic') return /\b(alter_column|drop_index|drop_constraint|server_default|existing_type|existing_server_default|replace_sp|replace_view)\b/.test(upText);
  return false;
}

/**
 * The schema the earlier migrations of the folder leave (column types and defaults, unique
 * constraints and indexes, functions and views, row security), or undefined when this
 * migration has nothing it decides. Earlier means before it in the tool's apply order: file
 * names for SQL folders, Knex and node-pg-migrate, the revision graph for Alembic. Each earlier
 * file is read once per file system; one that does not parse adds nothing (its changes stay
 * unknown, never guessed).
 */
export async function earlierSchemaFor(fs: FileSystemPort, root: string, migration: Migration, upText: string, parser: SqlParser): Promise<BeforeSchema | undefined> {
  if (!asksTheEarlierSchema(migration.tool, upText)) return undefined;
  const listed = await readFolder(fs, root, migration);
  if (!listed) return undefined;
  const { r, at, listing } = listed;
  let perFs = parsedCache.get(fs);
  if (!perFs) parsedCache.set(fs, (perFs = new Map()));
  const cacheOf = perFs;
  const read = (path: string): Promise<EarlierFile> => {
    const key = `${migration.tool}:${r}:${path}`;
    let file = cacheOf.get(key);
    if (!file) {
      file = (async () => {
        try {
          const text = new TextDecoder().decode(await fs.readFile(at(path)));
          const statements = await upStatementsOf(migration.tool, text, path, parser);
          if (migration.tool !== 'alembic') return { statements };
          const header = readAlembicHeader(text);
          return { statements, revision: header.revision, parents: header.downRevisions ?? [] };
        } catch {
          return { statements: [] };
        }
      })();
      cacheOf.set(key, file);
    }
    return file;
  };
  let earlier: string[];
  if (migration.tool === 'alembic') {
    let graph = revisionGraphs.get(listing);
    if (!graph) {
      graph = (async () => {
        const byRevision = new Map<string, { path: string; parents: string[] }>();
        for (const f of listing.files) {
          const e = await read(f.path);
          if (e.revision && !byRevision.has(e.revision)) byRevision.set(e.revision, { path: f.path, parents: e.parents ?? [] });
        }
        return byRevision;
      })();
      revisionGraphs.set(listing, graph);
    }
    // The migration's own revision is never its own ancestor (alembicAncestors starts it as seen).
    earlier = alembicAncestors(migration, await graph);
  } else {
    const own = migration.tool === 'prisma' ? basename(migration.file.replace(/\/migration\.sql$/, '')) : basename(migration.file);
    earlier = [];
    for (const f of listing.sorted) {
      if (migrationOrder(f.name, own) >= 0) break;
      earlier.push(f.path);
    }
  }
  return foldChain(listing, earlier, read);
}

/**
 * The schema after the files of `earlier`, in order. A folder's migrations share their
 * histories (the next file's earlier files are this file's plus this one), so the states along
 * each chain are kept every CHECKPOINT files: a tree of 2,000 migrations folds each file about
 * CHECKPOINT times instead of once per later migration. A chain is its sequence of paths,
 * interned one step at a time, so an edit that reorders or inserts a file starts a new chain.
 */
const CHECKPOINT = 16;
interface FolderChains {
  ids: Map<string, number>;
  states: Map<number, BeforeSchema>;
}
/** Per listing, so per file system and folder: the states are made of what that file system read. */
const chains = new WeakMap<FolderListing, FolderChains>();

async function foldChain(listing: FolderListing, earlier: string[], read: (path: string) => Promise<EarlierFile>): Promise<BeforeSchema> {
  let c = chains.get(listing);
  if (!c) chains.set(listing, (c = { ids: new Map(), states: new Map() }));
  const ids: number[] = [];
  let id = 0;
  let from = 0;
  for (let i = 0; i < earlier.length; i++) {
    const key = `${id}|${earlier[i]}`;
    let next = c.ids.get(key);
    if (next === undefined) c.ids.set(key, (next = c.ids.size + 1));
    id = next;
    ids.push(id);
    if (c.states.has(id)) from = i + 1;
  }
  const start = from > 0 ? c.states.get(ids[from - 1]) : undefined;
  if (from === earlier.length && start) return start;
  const into = start ? copyBefore(start) : emptyBefore();
  for (let i = from; i < earlier.length; i++) {
    foldStatements((await read(earlier[i])).statements, earlier[i], into);
    if ((i + 1) % CHECKPOINT === 0 && !c.states.has(ids[i])) c.states.set(ids[i], copyBefore(into));
  }
  return into;
}
