import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectChecked } from './shallowCheck';
import { makeRepo } from './repo';
import { NodeFileSystem, SlowCallWindow } from '../../../src/infra/files/nodeFileSystem';

void test('NodeFileSystem reads inside its root and refuses paths and symlinks that lead out of it', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'rp-outside-'));
  const repo = await makeRepo({ 'db/migrate/1_a.sql': 'SELECT 1;', 'db/migrate/sub/x.txt': 'x' });
  try {
    await writeFile(join(outside, 'secret.sql'), 'SELECT secret;');
    await symlink(join(outside, 'secret.sql'), join(repo.root, 'db/migrate/2_link.sql'));
    await symlink(outside, join(repo.root, 'db/outside-dir'));

    assert.equal(new TextDecoder().decode(await repo.fs.readFile('db/migrate/1_a.sql')), 'SELECT 1;');
    assert.deepEqual(
      (await repo.fs.readDir('db/migrate')).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: '1_a.sql', isDirectory: false },
        { name: '2_link.sql', isDirectory: false },
        { name: 'sub', isDirectory: true },
      ],
    );
    assert.equal(await repo.fs.exists('db/migrate/1_a.sql'), true);
    assert.equal(await repo.fs.exists('db/migrate/nope.sql'), false);

    await assert.rejects(repo.fs.readFile('../etc/passwd'), /refusing to read \.\.\/etc\/passwd: it resolves outside/);
    await assert.rejects(repo.fs.readFile('/etc/passwd'), /refusing to read \/etc\/passwd/);
    await assert.rejects(repo.fs.readFile('db/migrate/2_link.sql'), /refusing to read db\/migrate\/2_link\.sql/);
    await assert.rejects(repo.fs.readDir('db/outside-dir'), /refusing to read db\/outside-dir/);
    await assert.rejects(repo.fs.exists('db/../../x'), /refusing/);
    await assert.rejects(repo.fs.readFile('db/migrate/nope.sql'), /ENOENT.*nope\.sql/);
  } finally {
    await repo.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

void test('detection lists a symlink that leads out of the repository with a problem instead of following it', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'rp-outside-'));
  const repo = await makeRepo({ 'db/migrate/1_a.sql': 'SELECT 1;' });
  try {
    await writeFile(join(outside, 'secret.sql'), 'SELECT secret;');
    await symlink(join(outside, 'secret.sql'), join(repo.root, 'db/migrate/2_link.sql'));
    const [g] = await detectChecked(repo.fs);
    assert.deepEqual(g.migrations.map((m) => m.id), ['1_a', '2_link']);
    assert.match(g.migrations[1].problems.join('\n'), /^could not read: refusing to read db\/migrate\/2_link\.sql: it resolves outside /);
  } finally {
    await repo.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

void test('NodeFileSystem reads and lists synchronously in short slices, and switches to async calls for good after one slow one', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'rp-outside-'));
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`alembic/versions/${String(i).padStart(3, '0')}_step.py`] = `revision = 'r${i}'\n`;
  const repo = await makeRepo(files);
  try {
    await writeFile(join(outside, 'secret.py'), 'secret');
    await symlink(join(outside, 'secret.py'), join(repo.root, 'alembic/versions/zz_link.py'));
    const read = async (fs: NodeFileSystem): Promise<string[]> => {
      const names = (await fs.readDir('alembic/versions')).map((e) => e.name).filter((n) => n !== 'zz_link.py').sort();
      return Promise.all(names.map(async (n) => new TextDecoder().decode(await fs.readFile(`alembic/versions/${n}`))));
    };
    const expected = Object.values(files);

    // Local disk: every read synchronous (a 1 s threshold is never crossed), yielding every 0 ms slice.
    const local = new NodeFileSystem(repo.root, { sliceMs: 0, slowReadMs: 1000 });
    assert.deepEqual(await read(local), expected);
    assert.equal(local.readsAsynchronously, false);
    // Synchronous calls confine and fail exactly as the async ones do.
    await assert.rejects(local.readFile('alembic/versions/zz_link.py'), /refusing to read alembic\/versions\/zz_link\.py/);
    await assert.rejects(local.readDir('alembic/missing'), /ENOENT.*alembic\/missing/);
    assert.equal(await local.exists('alembic/versions/000_step.py'), true);
    assert.equal(await local.exists('alembic/versions/nope.py'), false);

    // A "slow" disk (every call counts as slow): the first few calls switch the instance to async reads.
    const slow = new NodeFileSystem(repo.root, { sliceMs: 4, slowReadMs: -1 });
    assert.deepEqual(await read(slow), expected);
    assert.equal(slow.readsAsynchronously, true);
    // Confinement does not depend on the mode.
    await assert.rejects(slow.readFile('alembic/versions/zz_link.py'), /refusing to read alembic\/versions\/zz_link\.py/);
    await assert.rejects(slow.readFile('alembic/versions/missing.py'), /ENOENT.*missing\.py/);
  } finally {
    await repo.cleanup();
    await rm(outside, { recursive: true, force: true });
  }
});

test('a slow call now and then (a garbage collection, the scheduler) keeps the reads synchronous; slow calls close together switch them', () => {
  // The 2,050-migration bench saw 1-3 slow calls among 11,000, far apart: each used to switch the whole pass to async reads (2.1 s instead of 1.2 s).
  const local = new SlowCallWindow();
  let switched = false;
  for (let i = 1; i <= 11_000; i++) switched ||= local.note(i % 1274 === 0);
  assert.equal(switched, false);
  const network = new SlowCallWindow();
  assert.deepEqual([true, true, true].map((slow) => network.note(slow)), [false, false, true], 'every call slow: the third switches');
  const burst = new SlowCallWindow();
  const seen = [false, true, false, false, true, false, true].map((slow) => burst.note(slow));
  assert.equal(seen[6], true, 'three slow calls within 32');
  const spread = new SlowCallWindow();
  let spreadSwitched = false;
  for (let i = 1; i <= 200; i++) spreadSwitched ||= spread.note(i % 20 === 0);
  assert.equal(spreadSwitched, false, 'one slow call in 20: three of them span 40 calls');
});
