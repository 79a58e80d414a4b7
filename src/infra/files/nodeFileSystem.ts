// Node implementation of FileSystemPort, confined to one repository root.
//
// It uses node:fs's callback functions rather than node:fs/promises: for the many small
// files of a migrations folder the promise API's readFile costs several thread-pool round
// trips per file (open, fstat, read, close as separate operations) and made reading 350
// Alembic scripts three to five times slower than the callback version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { FileSystemPort } from '../../core/ports';

/** Milliseconds on a monotonic clock: the global `performance` would load perf_hooks (about 1 ms) at every start of the command line. */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const readFileAsync = promisify(fs.readFile);
const readdirAsync = promisify(fs.readdir);
const realpathAsync = promisify(fs.realpath.native);
const statAsync = promisify(fs.stat);
const lstatAsync = promisify(fs.lstat);
const accessAsync = promisify(fs.access);

export interface ReadPacing {
  /** Longest run of synchronous reads before yielding to the event loop. */
  sliceMs: number;
  /** A synchronous call slower than this counts as slow; a few of them close together (SlowCallWindow) switch the instance to async reads for good. */
  slowReadMs: number;
}

const DEFAULT_PACING: ReadPacing = { sliceMs: 4, slowReadMs: 2 };

/**
 * How many slow calls within how many calls mean a slow file system. One slow call is not
 * enough: a garbage collection or the scheduler stalls a read now and then on any disk (2-3 of
 * the 11,000 calls of the 2,050-migration bench, far apart, and each one used to switch it all
 * to async reads, doubling the time), while on a network or FUSE file system nearly every call is slow.
 */
export class SlowCallWindow {
  private calls = 0;
  /** The numbers of the latest slow calls, at most `slowCalls` of them. */
  private readonly slow: number[] = [];

  constructor(
    private readonly slowCalls = 3,
    private readonly window = 32,
  ) {}

  /** Notes one call; true once `slowCalls` slow ones came within `window` calls. */
  note(wasSlow: boolean): boolean {
    this.calls++;
    if (!wasSlow) return false;
    this.slow.push(this.calls);
    if (this.slow.length > this.slowCalls) this.slow.shift();
    return this.slow.length === this.slowCalls && this.calls - this.slow[0] < this.window;
  }
}

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
   * itself confined, by absolute path (however the caller spelled it: `db/x.sql`,
   * `./db/x.sql`): reading them needs no realpath of its own. Saves a syscall per file when
   * a whole migrations folder is read.
   */
  private readonly plainFiles = new Set<string>();
  /**
   * Folders known to be where their path says (reached without a symlink on the way): an
   * entry in one of them escapes the root only if it is itself a symlink, which one lstat
   * tells (Prisma's 350 `<folder>/migration.sql` checks need no realpath each).
   */
  private readonly plainDirs = new Set<string>();
  /** When the current run of synchronous reads started (see readFile). */
  private sliceStart = 0;
  /** Set for good once synchronous calls kept being slow (SlowCallWindow): a network or FUSE file system. */
  private slowDisk = false;
  private readonly slowCalls = new SlowCallWindow();

  constructor(
    root: string,
    private readonly pacing: ReadPacing = DEFAULT_PACING,
  ) {
    this.root = path.resolve(root);
  }

  /** True once slow calls have switched this instance to async reads. */
  get readsAsynchronously(): boolean {
    return this.slowDisk;
  }

  /** Resolves a repo-relative path; refuses `..` tricks and symlinks that lead out of the root. */
  private async resolve(requested: string): Promise<string> {
    const target = path.resolve(this.root, requested);
    // By absolute path: "./db/x.sql" (the classifier's root is ".") is the file listed as "db/x.sql".
    if (this.plainFiles.has(target)) return target;
    if (!isInside(this.root, target)) throw new PathEscapesRootError(requested, this.root);
    const realRoot = await (this.realRoot ??= realpathAsync(this.root));
    let real: string;
    try {
      real = await this.paced(() => fs.realpathSync.native(target), () => realpathAsync(target));
    } catch {
      // Missing paths cannot escape; the caller's own fs call reports them with the path.
      return target;
    }
    if (!isInside(realRoot, real)) throw new PathEscapesRootError(requested, this.root);
    return real;
  }

  /**
   * Small files on a local disk are read synchronously in slices of at most `sliceMs`, with a
   * yield to the event loop between slices: one async read costs four thread-pool round trips
   * (open, fstat, read, close), three to four times the whole synchronous read for the
   * few-hundred-byte scripts of a migrations folder. The extension host is never blocked for
   * more than a slice, and reads that keep being slower than `slowReadMs` (a network or FUSE file
   * system, where a synchronous read could stall every extension) switch this instance to async reads.
   */
  async readFile(p: string): Promise<Uint8Array> {
    const file = await this.resolve(p);
    return this.paced(() => fs.readFileSync(file), () => readFileAsync(file));
  }

  /**
   * One file system call, synchronous on a local disk in slices of at most `sliceMs` with a
   * yield between slices (see readFile), asynchronous for good once calls keep being slow.
   * Listing folders and checking paths take the same thread-pool round trips as reads: a
   * Prisma folder's 350 sub-folders cost more in round trips than in work.
   */
  private async paced<T>(sync: () => T, async: () => Promise<T>): Promise<T> {
    if (this.slowDisk) return async();
    if (monotonicMs() - this.sliceStart > this.pacing.sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = monotonicMs();
    }
    const started = monotonicMs();
    try {
      return sync();
    } finally {
      if (this.slowCalls.note(monotonicMs() - started > this.pacing.slowReadMs)) this.slowDisk = true;
    }
  }

  async readDir(p: string): Promise<Array<{ name: string; isDirectory: boolean }>> {
    const dir = await this.resolve(p);
    const entries = await this.paced(() => fs.readdirSync(dir, { withFileTypes: true }), () => readdirAsync(dir, { withFileTypes: true }));
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
          return { name: e.name, isDirectory: (await this.paced(() => fs.statSync(real), () => statAsync(real))).isDirectory() };
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
        if (!(await this.paced(() => fs.lstatSync(target), () => lstatAsync(target))).isSymbolicLink()) return true;
      } catch {
        return false;
      }
    }
    const resolved = await this.resolve(p);
    try {
      await this.paced(() => fs.accessSync(resolved), () => accessAsync(resolved));
      return true;
    } catch {
      return false;
    }
  }
}
