// The executable's loader (src/cli/bin.ts, dist/cli.js): the bundle runs through V8's code
// cache kept per user. What a user would check: the command works with no cache, with one,
// with a damaged one, with the cache turned off, and a rebuilt bundle of the same length never
// runs the old code (V8 itself compares only the source's length).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../engine/helpers';
import { buildCli, cliEnv } from './harness';

describe('dist/cli.js loads its bundle through a per-user code cache', { timeout: 120_000 }, () => {
  const tmp = tempDir('cli-loader');
  let dist: string;
  before(async () => {
    // A copy of the build of its own, so the bundle can be edited without touching the other tests'.
    const built = await buildCli();
    dist = join(tmp.dir, 'dist');
    mkdirSync(dist);
    for (const f of ['cli.js', 'cli-main.js', 'libpg-query.wasm']) copyFileSync(join(dirname(built), f), join(dist, f));
  });
  after(() => tmp.cleanup());

  const run = (cache: string, args: string[], extra: NodeJS.ProcessEnv = {}): string =>
    execFileSync(process.execPath, [join(dist, 'cli.js'), ...args], { cwd: tmp.dir, env: cliEnv({ XDG_CACHE_HOME: cache, ...extra }), encoding: 'utf8' });
  const cacheFiles = (cache: string): string[] => {
    try {
      return readdirSync(join(cache, 'rollback-pilot'));
    } catch {
      return [];
    }
  };

  test('the first run writes the cache (owner-only), the second uses it and answers the same', () => {
    const cache = join(tmp.dir, 'cache-a');
    const first = run(cache, ['--version']);
    const files = cacheFiles(cache);
    assert.equal(files.length, 1, `one cache file, not ${files.join(', ')}`);
    assert.match(files[0], /^cli-[0-9a-f]{32}\.v8cache$/);
    const mode = execFileSync('stat', ['-c', '%a', join(cache, 'rollback-pilot')], { encoding: 'utf8' }).trim();
    assert.equal(mode, '700');
    assert.equal(run(cache, ['--version']), first);
    assert.match(run(cache, ['--help']), /^rollback-pilot \S+: plan and run production rollbacks/);
    assert.deepEqual(cacheFiles(cache), files, 'a cache V8 accepted is not written again');
  });

  test('a damaged cache file is refused by V8: the command still works and the cache is written again', () => {
    const cache = join(tmp.dir, 'cache-b');
    run(cache, ['--version']);
    const file = join(cache, 'rollback-pilot', cacheFiles(cache)[0]);
    const good = readFileSync(file);
    writeFileSync(file, Buffer.alloc(good.length, 7));
    assert.match(run(cache, ['--version']), /^\d+\.\d+\.\d+\n$/);
    assert.ok(!readFileSync(file).equals(Buffer.alloc(good.length, 7)), 'the damaged file was replaced');
  });

  test('a rebuilt bundle of the same length runs its own code, not the cached one', () => {
    const cache = join(tmp.dir, 'cache-c');
    const before = run(cache, ['--version']).trim();
    const bundle = join(dist, 'cli-main.js');
    const text = readFileSync(bundle, 'utf8');
    const changed = before.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    assert.equal(changed.length, before.length);
    assert.ok(text.includes(`"${before}"`), 'the version is in the bundle as a string');
    writeFileSync(bundle, text.replace(`"${before}"`, `"${changed}"`));
    try {
      assert.equal(run(cache, ['--version']).trim(), changed);
      assert.equal(cacheFiles(cache).length, 2, 'the new bundle has a cache of its own');
    } finally {
      writeFileSync(bundle, text);
    }
  });

  test('old versions\' caches do not pile up: the newest four stay, this version\'s among them', () => {
    const cache = join(tmp.dir, 'cache-e');
    const folder = join(cache, 'rollback-pilot');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Six caches of earlier versions, a day apart, and a file that is not a cache.
    const old = Array.from({ length: 6 }, (_, i) => `cli-${String(i).repeat(32)}.v8cache`);
    old.forEach((name, i) => {
      writeFileSync(join(folder, name), 'old');
      const t = Date.now() / 1000 - 86_400 * (i + 1);
      utimesSync(join(folder, name), t, t);
    });
    writeFileSync(join(folder, 'tags-other.cache'), 'kept');
    run(cache, ['--version']);
    const left = cacheFiles(cache);
    const caches = left.filter((f) => f.endsWith('.v8cache'));
    assert.equal(caches.length, 4, `four caches left, not ${caches.join(', ')}`);
    assert.ok(caches.some((f) => !old.includes(f)), 'this version\'s cache is one of them');
    assert.deepEqual(caches.filter((f) => old.includes(f)).sort(), old.slice(0, 3).sort(), 'the three newest old ones stay');
    assert.ok(left.includes('tags-other.cache'), 'other files in the folder are not touched');
  });

  test('ROLLBACK_PILOT_COMPILE_CACHE=0: nothing is written', () => {
    const cache = join(tmp.dir, 'cache-d');
    assert.match(run(cache, ['--version'], { ROLLBACK_PILOT_COMPILE_CACHE: '0' }), /^\d+\.\d+\.\d+\n$/);
    assert.deepEqual(cacheFiles(cache), []);
  });
});
