// The workspace's `.rollback` folder holds the journals (what ran, what is left to resume)
// and the release records. A `.rollback` that is a symlink (committed to the repository, or
// left by someone) sent every journal write to wherever it pointed, and fed the Resume list
// from there. These checks refuse such a folder, with where it points, before anything is
// read or written through it.
import { lstat, readlink, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import type { RecordsStorage } from '../../core/releases/recordsStore';
import type { JournalStore } from '../../core/run/ports';

export class UnsafeFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFolderError';
  }
}

/**
 * Refuses (UnsafeFolderError) when a folder on the way from `root` to `root/relative` is a
 * symbolic link or not a folder: each is lstat'ed, so a link is seen as a link, not followed.
 * A folder that does not exist yet is fine (mkdir will make a real one). `relative` outside
 * `root` is refused too.
 */
export async function assertPlainFolders(root: string, relative: string): Promise<void> {
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  const rel = path.relative(base, target);
  if (rel === '') return;
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UnsafeFolderError(`${target} is outside the workspace ${base}; Rollback Pilot keeps its files inside it`);
  let current = base;
  for (const part of rel.split(path.sep)) {
    current = path.join(current, part);
    let st;
    try {
      st = await lstat(current);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new UnsafeFolderError(`cannot check ${current}: ${(e as Error).message}`);
    }
    if (st.isSymbolicLink()) {
      const to = await readlink(current).catch(() => '?');
      const resolved = await realpath(current).then(
        (r) => (r === to ? '' : ` (resolves to ${r})`),
        () => ' (which does not exist)',
      );
      throw new UnsafeFolderError(`${current} is a symbolic link to ${to}${resolved}; Rollback Pilot writes its journals and records only into a real folder inside the workspace. Replace the link with a folder (move what it holds into it) and try again`);
    }
    if (!st.isDirectory()) throw new UnsafeFolderError(`${current} is not a folder (it is a ${kind(st)}); Rollback Pilot needs a folder there for its journals and records. Move the file away and try again`);
  }
}

function kind(st: { isFile(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  return st.isFile() ? 'file' : st.isFIFO() ? 'named pipe' : st.isSocket() ? 'socket' : 'special file';
}

/** A JournalStore that checks its folder (relative to `root`) before every read and write. */
export function confinedJournalStore(inner: JournalStore, root: string, dir: string): JournalStore {
  const check = (): Promise<void> => assertPlainFolders(root, path.relative(root, dir));
  return {
    save: async (j) => {
      await check();
      return inner.save(j);
    },
    load: async (id) => {
      await check();
      return inner.load(id);
    },
    list: async () => {
      await check();
      return inner.list();
    },
    problems: async () => {
      await check();
      return inner.problems();
    },
  };
}

/**
 * Records storage that checks the folders from `root` to the file before every access,
 * when the file is inside `root` (a records file set elsewhere on purpose is left alone).
 */
export function confinedRecordsStorage(inner: RecordsStorage, root: string): RecordsStorage {
  const rel = path.relative(path.resolve(root), path.dirname(path.resolve(root, inner.location)));
  const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
  const check = (): Promise<void> => (inside ? assertPlainFolders(root, rel) : Promise.resolve());
  return {
    location: inner.location,
    read: async () => {
      await check();
      return inner.read();
    },
    write: async (text) => {
      await check();
      return inner.write(text);
    },
    moveAside: async () => {
      await check();
      return inner.moveAside();
    },
  };
}
