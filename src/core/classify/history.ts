// The functions earlier migrations of the same folder define, so CREATE OR REPLACE FUNCTION
// of a new function is told from one replacing a function the previous release may call.
// Each folder is read once per file system (one classification pass), and only when a
// migration actually has a CREATE OR REPLACE FUNCTION.

import type { Migration } from '../migrations/types';
import type { FileSystemPort } from '../ports';
import { functionsDefinedIn } from './beforeSchema';
import type { BeforeSchema } from './rules/common';

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

async function folderFiles(fs: FileSystemPort, migration: Migration, at: (p: string) => string): Promise<{ folder: string; files: FolderFile[] } | undefined> {
  if (migration.tool === 'prisma') {
    const folder = dirname(migration.file.replace(/\/migration\.sql$/, ''));
    const entries = await fs.readDir(at(folder));
    return { folder, files: entries.filter((e) => e.isDirectory).map((e) => ({ name: e.name, path: `${folder ? `${folder}/` : ''}${e.name}/migration.sql` })) };
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
    if (migrationOrder(f.name, own) >= 0) break;
    for (const fn of all.get(f.path) ?? []) if (!functions.has(fn)) functions.set(fn, f.path);
  }
  return { folder, functions };
}
