import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectMigrations } from '../../../src/core/migrations';
import { alembicScript, CountingFileSystem, makeRepo } from './repo';
import { assertShallowAgrees } from './shallowCheck';

// Bytes that are not UTF-8: a read of them would show up as a problem, so the tests see a read twice over.
const LATIN1 = Uint8Array.from([0x2d, 0x2d, 0x20, 0xe9, 0x0a]);

void test('shallow detection reads no file of golang-migrate, Prisma, Knex or node-pg-migrate folders with a configured tool', async () => {
  const repo = await makeRepo({
    'db/migrations/10_b.up.sql': LATIN1,
    'db/migrations/10_b.down.sql': 'DROP TABLE b;',
    'db/migrations/9_a.up.sql': 'CREATE TABLE a (id int);',
    'db/migrations/11_c.up.sql': 'CREATE TABLE c (id int);',
    'prisma/migrations/20240102000000_second/migration.sql': LATIN1,
    'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE a (id int);',
    'prisma/migrations/20240103000000_lost/README.md': 'its migration.sql was deleted\n',
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'knex/migrations/2_y.js': 'exports.up = (knex) => knex.raw("select 2");\n',
    'knex/migrations/10_x.js': 'this does not parse (\n',
    'pgm/migrations/100_c.sql': '-- Up Migration\nSELECT 1;\n',
    'pgm/migrations/9_a.js': 'exports.up = (pgm) => pgm.sql("select 1");\n',
    'pgm/migrations/x_b.js': 'exports.up = (pgm) => pgm.sql("select 1");\n',
  });
  const configs = [
    { tool: 'golang-migrate', dir: 'db/migrations' },
    { tool: 'prisma', dir: 'prisma/migrations' },
    { tool: 'knex', dir: 'knex/migrations' },
    { tool: 'node-pg-migrate', dir: 'pgm/migrations' },
  ] as const;
  try {
    for (const config of configs) {
      const counting = new CountingFileSystem(repo.fs);
      const shallow = await detectMigrations(counting, { ...config, shallow: true });
      assert.deepEqual([...counting.reads.keys()], [], `${config.tool}: shallow detection read files`);
      assertShallowAgrees(await detectMigrations(repo.fs, config), shallow);
    }
    const [golang] = await detectMigrations(repo.fs, { ...configs[0], shallow: true });
    assert.deepEqual(golang.migrations.map((m) => [m.id, m.file, m.downFile, m.problems]), [
      ['9', 'db/migrations/9_a.up.sql', undefined, ['no down file (9_a.down.sql): golang-migrate cannot undo it']],
      ['10', 'db/migrations/10_b.up.sql', 'db/migrations/10_b.down.sql', []],
      ['11', 'db/migrations/11_c.up.sql', undefined, ['no down file (11_c.down.sql): golang-migrate cannot undo it']],
    ]);
    const [prisma] = await detectMigrations(repo.fs, { ...configs[1], shallow: true });
    assert.deepEqual(prisma.migrations.map((m) => [m.id, m.problems]), [
      ['20240101000000_init', []],
      ['20240102000000_second', []],
      ['20240103000000_lost', ['no migration.sql in prisma/migrations/20240103000000_lost']],
    ]);
    // The full pass, which follows, is the one that reports what only the contents show.
    const [fullPrisma] = await detectMigrations(repo.fs, configs[1]);
    assert.match(fullPrisma.migrations[1].problems[0], /^not UTF-8/);
  } finally {
    await repo.cleanup();
  }
});

void test('shallow detection parses only the module header of Alembic scripts, and gives the same graph', async () => {
  const V = 'alembic/versions';
  const brokenBody = (rev: string, down: string): string => `${alembicScript(rev, down, `step ${rev}`)}\ndef broken(:\n    pass\n`;
  const repo = await makeRepo({
    [`${V}/c.py`]: brokenBody('c', "('a', 'b')"),
    [`${V}/a.py`]: alembicScript('a', "'base'", 'left'),
    [`${V}/b.py`]: alembicScript('b', "'base'", 'right', 'annotated'),
    [`${V}/base.py`]: brokenBody('base', 'None'),
    [`${V}/README.md`]: 'not read: not a candidate file\n',
  });
  try {
    const counting = new CountingFileSystem(repo.fs);
    const [shallow] = await detectMigrations(counting, { tool: 'alembic', dir: V, shallow: true });
    assert.deepEqual([...counting.reads.keys()].sort(), [`${V}/a.py`, `${V}/b.py`, `${V}/base.py`, `${V}/c.py`]);
    assert.deepEqual([...counting.reads.values()], [1, 1, 1, 1]);
    assert.deepEqual(shallow.migrations.map((m) => [m.id, m.name, m.parents]), [
      ['base', 'step base', []],
      ['a', 'left', ['base']],
      ['b', 'right', ['base']],
      ['c', 'step c', ['a', 'b']],
    ]);
    assert.deepEqual([shallow.branchPoints, shallow.merges, shallow.heads], [['base'], ['c'], ['c']]);
    // The syntax error sits after the header: the full parse sees it, the header parse never reaches it.
    const [full] = await detectMigrations(repo.fs, { tool: 'alembic', dir: V });
    assert.match(full.migrations[0].problems.join('\n'), /Python syntax error at line \d+/);
    assert.deepEqual(shallow.migrations[0].problems, []);
    assertShallowAgrees([full], [shallow]);
  } finally {
    await repo.cleanup();
  }
});

void test('an Alembic header the cut at the first def cannot settle falls back to the whole file', async () => {
  const V = 'alembic/versions';
  const repo = await makeRepo({
    // `def` at the start of a docstring line: the cut lands inside the string.
    [`${V}/a.py`]: `"""first\n\ndef looks like code\n"""\nrevision = 'a'\ndown_revision = None\n\ndef upgrade():\n    pass\n`,
    // down_revision is reassigned after the functions: the last assignment is the one Alembic uses.
    [`${V}/b.py`]: `revision = 'b'\ndown_revision = 'zzz'\n\ndef upgrade():\n    pass\n\ndown_revision = 'a'\n`,
    // The identity sits below a decorated function.
    [`${V}/c.py`]: `import functools\n\n@functools.cache\ndef helper():\n    return 1\n\nrevision = 'c'\ndown_revision = 'b'\n`,
    // No identity at all: the same problems as the full pass.
    [`${V}/d.py`]: `def upgrade():\n    pass\n`,
  });
  try {
    const [shallow] = await detectMigrations(repo.fs, { tool: 'alembic', dir: V, shallow: true });
    const [full] = await detectMigrations(repo.fs, { tool: 'alembic', dir: V });
    assertShallowAgrees([full], [shallow]);
    assert.deepEqual(shallow.migrations.map((m) => [m.id, m.parents]), [
      ['a', []],
      ['b', ['a']],
      ['c', ['b']],
      ['d', []],
    ]);
    assert.deepEqual(shallow.migrations[3].problems, [
      "no module-level `revision = '…'` assignment",
      'no module-level `down_revision = …` assignment',
    ]);
  } finally {
    await repo.cleanup();
  }
});

void test('without a configured tool, shallow detection reads only what tells the tool and agrees with the full pass', async () => {
  const repo = await makeRepo({
    'db/migrations/1_a.up.sql': LATIN1,
    'db/migrations/1_a.down.sql': 'DROP TABLE a;',
    'prisma/migrations/20240101000000_init/migration.sql': LATIN1,
    'migrations/002_second.sql': '-- +goose Up\nSELECT 2;\n',
    'migrations/001_first.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT -1;\n',
  });
  try {
    const counting = new CountingFileSystem(repo.fs);
    const shallow = await detectMigrations(counting, { shallow: true });
    // Names tell golang-migrate and Prisma; only goose's annotation tells it from plain SQL.
    assert.deepEqual([...counting.reads.keys()].sort(), ['migrations/001_first.sql', 'migrations/002_second.sql']);
    assert.deepEqual(shallow.map((g) => [g.dir, g.tool, g.migrations.map((m) => m.id)]), [
      ['db/migrations', 'golang-migrate', ['1']],
      ['migrations', 'goose', ['1', '2']],
      ['prisma/migrations', 'prisma', ['20240101000000_init']],
    ]);
    assertShallowAgrees(await detectMigrations(repo.fs), shallow);
  } finally {
    await repo.cleanup();
  }
});
