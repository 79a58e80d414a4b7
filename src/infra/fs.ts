// Node implementation of FileSystemPort, confined to one repository root.
//
// It uses node:fs's callback functions rather than node:fs/promises: for the many small
// files of a migrations folder the promise API's readFile costs several thread-pool round
// trips per file (open, fstat, read, close as separate operations) and made reading 350
// Alembic scripts three to five times slower than the callback version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { FileSystemPort } from '../core/ports';

const readFileAsync = promisify(fs.readFile);
const readdirAsync = promisify(fs.readdir);
const realpathAsync = promisify(fs.realpath.native);
const statAsync = promisify(fs.stat);
const lstatAsync = promisify(fs.lstat);
const accessAsync = promisify(fs.access);

export class PathEscapesRootError extends Error {
  constructor(requested: string, root: string) {
    super(`refusing to read ${requested}: it resolves outside ${root}`);
    this.name = 'PathEscapesRootError';
  }
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class NodeFileSystem implements FileSystemPort {
  private readonly root: string;
  private realRoot: Promise<string> | undefined;
  /**
   * Files a directory listing showed as plain (not symlinks) inside a folder that was
   * itself confined: reading them needs no realpath of its own. Saves a syscall round
   * per file when a whole migrations folder is read.
   */
  private readonly plainFiles = new Set<string>();
  /**
   * Folders known to be where their path says (reached without a symlink on the way): an
   * entry in one of them escapes the root only if it is itself a symlink, which one lstat
   * tells (Prisma's 350 `<folder>/migration.sql` checks need no realpath each).
   */
  private readonly plainDirs = new Set<string>();

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Resolves a repo-relative path; refuses `..` tricks and symlinks that lead out of the root. */
  private async resolve(requested: string): Promise<string> {
    const target = path.resolve(this.root, requested);
    if (!isInside(this.root, target)) throw new PathEscapesRootError(requested, this.root);
    if (this.plainFiles.has(target)) return target;
    const realRoot = await (this.realRoot ??= realpathAsync(this.root));
    let real: string;
    try {
      real = await realpathAsync(target);
    } catch {
      // Missing paths cannot escape; the caller's own fs call reports them with the path.
      return target;
    }
    if (!isInside(realRoot, real)) throw new PathEscapesRootError(requested, this.root);
    return real;
  }

  async readFile(p: string): Promise<Uint8Array> {
    return readFileAsync(await this.resolve(p));
  }

  async readDir(p: string): Promise<Array<{ name: string; isDirectory: boolean }>> {
    const dir = await this.resolve(p);
    const entries = await readdirAsync(dir, { withFileTypes: true });
    const listed = path.resolve(this.root, p);
    // Only when the folder is where it says it is (no symlink on the way) do its plain entries keep their paths.
    const direct = dir === listed || this.plainDirs.has(listed);
    if (direct) this.plainDirs.add(listed);
    return Promise.all(
      entries.map(async (e) => {
        if (direct && e.isFile()) this.plainFiles.add(path.join(listed, e.name));
        if (direct && e.isDirectory()) this.plainDirs.add(path.join(listed, e.name));
        if (!e.isSymbolicLink()) return { name: e.name, isDirectory: e.isDirectory() };
        // A symlinked folder counts as a folder only when it stays inside the root.
        try {
          const real = await this.resolve(path.join(p, e.name));
          return { name: e.name, isDirectory: (await statAsync(real)).isDirectory() };
        } catch {
          return { name: e.name, isDirectory: false };
        }
      }),
    );
  }

  async exists(p: string): Promise<boolean> {
    const target = path.resolve(this.root, p);
    if (isInside(this.root, target) && this.plainDirs.has(path.dirname(target))) {
      try {
        // Not a symlink: it is inside a confined folder, so inside the root.
        if (!(await lstatAsync(target)).isSymbolicLink()) return true;
      } catch {
        return false;
      }
    }
    const resolved = await this.resolve(p);
    try {
      await accessAsync(resolved);
      return true;
    } catch {
      return false;
    }
  }
}
