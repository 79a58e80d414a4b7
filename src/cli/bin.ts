// The rollback-pilot executable (dist/cli.js, package.json bin). It loads the command line's
// bundle (dist/cli-main.js, beside it) through V8's code cache: compiling the 1.6 MB bundle
// was the largest part of every command's start-up (measured with --cpu-prof: about half of
// `--version`), and on a second run the cached code is used instead. Node 22's
// module.enableCompileCache does the same; this works on Node 20, which the package supports.
//
// The cache is kept per user (XDG_CACHE_HOME, else ~/.cache, in rollback-pilot/, mode 0700),
// named by the SHA-256 of the bundle, the Node version and the architecture: V8 itself checks
// only the source's length, so a rebuilt bundle of the same size must never meet old code.
// A cache that cannot be read, written or is refused by V8 costs nothing but the compile.
// ROLLBACK_PILOT_COMPILE_CACHE=0 turns it off.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

interface Bundle {
  cli(): Promise<void>;
}

function cacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ROLLBACK_PILOT_COMPILE_CACHE === '0') return undefined;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'rollback-pilot');
}

/** A cache's file name, from the bundle's key (32 hex digits), and the shape every such name has. */
const cacheFileName = (key: string): string => `cli-${key}.v8cache`;
const CACHE_FILE = /^cli-[0-9a-f]{32}\.v8cache$/;

function readCache(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written once the command is done, so the functions it ran are in the cache too; atomically, so a concurrent run never reads half a file. */
function writeCache(dir: string, file: string, script: Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, file);
    pruneCaches(dir);
  } catch {
    // A read-only home or a full disk: the next run compiles again, nothing else changes.
  }
}

/** Caches kept: a few versions side by side (a global install and a repository's npx) each keep theirs. */
const KEPT_CACHES = 4;

/**
 * Every upgrade or rebuild writes a cache of its own (~1.3 MB) and nothing ever reads the old
 * one again: without this the folder grows by one file per version for ever. The newest
 * KEPT_CACHES stay; a file removed by mistake costs one compile.
 */
function pruneCaches(dir: string): void {
  const caches = readdirSync(dir)
    .filter((name) => CACHE_FILE.test(name))
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of caches.slice(KEPT_CACHES)) {
    try {
      unlinkSync(join(dir, old.name));
    } catch {
      // Removed meanwhile by another run.
    }
  }
}

export function load(bundlePath: string, env: NodeJS.ProcessEnv = process.env): Bundle {
  // Hashed as read (bytes, not the decoded text): a third of the time.
  const bytes = readFileSync(bundlePath);
  const source = bytes.toString('utf8');
  const dir = cacheDirectory(env);
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 32);
  const file = dir && join(dir, cacheFileName(key));
  const cachedData = readCache(file);
  const script = new Script(wrap(source), { filename: bundlePath, cachedData });
  if (dir && file && (cachedData === undefined || script.cachedDataRejected === true)) process.once('exit', () => writeCache(dir, file, script));
  const module = { exports: {} as Bundle, filename: bundlePath, id: bundlePath, loaded: false };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run(module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath));
  module.loaded = true;
  return module.exports;
}

if (require.main === module) void load(join(__dirname, 'cli-main.js')).cli();
