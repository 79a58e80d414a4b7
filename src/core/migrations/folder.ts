// Reads one candidate folder: every file a migration tool could own, each read exactly once,
// so tool detection and the tool readers share the same text.
import type { FileSystemPort } from '../ports';
import { decodeSource } from './text';

export interface SourceFile {
  name: string;
  /** Repo-relative, forward slashes. */
  path: string;
  text: string;
  /** Not UTF-8, or not readable at all; the file is still listed. */
  readProblem?: string;
  /** Shallow detection listed it without reading it: `text` is empty, so content checks must skip it. */
  unread?: boolean;
}

export interface FolderListing {
  dir: string;
  files: SourceFile[];
  /** Subfolders holding a `migration.sql` (the Prisma layout), with that file read. */
  prismaFolders: Array<{ name: string; migration?: SourceFile }>;
  /** Other subfolder names (for Prisma folders that lack their migration.sql). */
  otherSubdirs: string[];
}

export const CANDIDATE_FILE = /\.(py|sql|js|cjs|mjs|ts|cts|mts|go)$/;
const SKIPPED_DIRS = new Set(['__pycache__', 'node_modules']);
const PARALLEL_READS = 16;

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

export function normalizeDir(dir: string): string {
  return dir.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function isCandidateFile(name: string): boolean {
  return CANDIDATE_FILE.test(name) && !/\.d\.[cm]?ts$/.test(name) && name !== '__init__.py';
}

export async function readSource(fs: FileSystemPort, path: string, name: string): Promise<SourceFile> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    // One unreadable file must not hide the rest of the folder.
    return { name, path, text: '', readProblem: `could not read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const decoded = decodeSource(bytes);
  return { name, path, text: decoded.text, ...(decoded.readProblem ? { readProblem: decoded.readProblem } : {}) };
}

export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function unreadSource(path: string, name: string): SourceFile {
  return { name, path, text: '', unread: true };
}

/**
 * Undefined when the folder does not exist. With `listOnly` no file is read: every file comes
 * back `unread`, for the shallow first paint that orders by names and reads only what it must.
 */
export async function readFolder(fs: FileSystemPort, dir: string, listOnly = false): Promise<FolderListing | undefined> {
  if (!(await fs.exists(dir))) return undefined;
  const entries = await fs.readDir(dir);
  const fileNames = entries.filter((e) => !e.isDirectory && isCandidateFile(e.name)).map((e) => e.name);
  const subdirNames = entries
    .filter((e) => e.isDirectory && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name);

  const load = (path: string, name: string): Promise<SourceFile> =>
    listOnly ? Promise.resolve(unreadSource(path, name)) : readSource(fs, path, name);
  const files = await mapLimited(fileNames, PARALLEL_READS, (name) => load(joinPath(dir, name), name));
  const withMigrationSql = await mapLimited(subdirNames, PARALLEL_READS, async (name) => {
    const path = joinPath(joinPath(dir, name), 'migration.sql');
    return (await fs.exists(path)) ? { name, migration: await load(path, 'migration.sql') } : { name };
  });
  return {
    dir,
    files,
    prismaFolders: withMigrationSql.filter((s) => s.migration !== undefined),
    otherSubdirs: withMigrationSql.filter((s) => s.migration === undefined).map((s) => s.name),
  };
}
