// Node implementation of FileSystemPort, confined to one repository root.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { FileSystemPort } from '../core/ports';

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

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Resolves a repo-relative path; refuses `..` tricks and symlinks that lead out of the root. */
  private async resolve(requested: string): Promise<string> {
    const target = path.resolve(this.root, requested);
    if (!isInside(this.root, target)) throw new PathEscapesRootError(requested, this.root);
    if (this.plainFiles.has(target)) return target;
    const realRoot = await (this.realRoot ??= fsp.realpath(this.root));
    let real: string;
    try {
      real = await fsp.realpath(target);
    } catch {
      // Missing paths cannot escape; the caller's own fs call reports them with the path.
      return target;
    }
    if (!isInside(realRoot, real)) throw new PathEscapesRootError(requested, this.root);
    return real;
  }

  async readFile(p: string): Promise<Uint8Array> {
    return fsp.readFile(await this.resolve(p));
  }

  async readDir(p: string): Promise<Array<{ name: string; isDirectory: boolean }>> {
    const dir = await this.resolve(p);
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    const listed = path.resolve(this.root, p);
    // Only when the folder is where it says it is (no symlink on the way) do its plain entries keep their paths.
    const direct = dir === listed;
    return Promise.all(
      entries.map(async (e) => {
        if (direct && e.isFile()) this.plainFiles.add(path.join(listed, e.name));
        if (!e.isSymbolicLink()) return { name: e.name, isDirectory: e.isDirectory() };
        // A symlinked folder counts as a folder only when it stays inside the root.
        try {
          const real = await this.resolve(path.join(p, e.name));
          return { name: e.name, isDirectory: (await fsp.stat(real)).isDirectory() };
        } catch {
          return { name: e.name, isDirectory: false };
        }
      }),
    );
  }

  async exists(p: string): Promise<boolean> {
    const resolved = await this.resolve(p);
    try {
      await fsp.access(resolved);
      return true;
    } catch {
      return false;
    }
  }
}
