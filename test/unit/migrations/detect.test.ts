import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectChecked } from './shallowCheck';
import { alembicScript, CountingFileSystem, makeRepo } from './repo';

void test('a repository without migrations gives an empty list', async () => {
  const repo = await makeRepo({
    'README.md': '# app\n',
    'src/index.js': 'console.log(1);\n',
    // Folders with the usual names but nothing a tool would run.
    'migrations/README': 'Single-database configuration for Flask.\n',
    'migrations/env.py': 'from alembic import context\n',
    'db/migrate/.gitkeep': '',
    // A file that happens to carry a usual folder name.
    'db/migrations': '#!/bin/sh\nexec migrate "$@"\n',
  });
  try {
    assert.deepEqual(await detectChecked(repo.fs), []);
  } finally {
    await repo.cleanup();
  }
});

void test('several folders are found (nested alembic, Flask-Migrate, prisma) and sorted by folder', async () => {
  const repo = await makeRepo({
    'services/billing/alembic/versions/x.py': alembicScript('b1', 'None', 'billing base'),
    'api/alembic/versions/a1_base.py': alembicScript('a1', 'None', 'api base'),
    'migrations/versions/f1_base.py': alembicScript('f1', 'None', 'flask base'),
    'migrations/alembic.ini': '[alembic]\n',
    'migrations/env.py': 'from alembic import context\nrevision_environment = False\n',
    'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE a (id int);',
  });
  try {
    const groups = await detectChecked(repo.fs);
    assert.deepEqual(groups.map((g) => [g.dir, g.tool, g.migrations.map((m) => m.id)]), [
      ['api/alembic/versions', 'alembic', ['a1']],
      ['migrations/versions', 'alembic', ['f1']],
      ['prisma/migrations', 'prisma', ['20240101000000_init']],
    ]);
  } finally {
    await repo.cleanup();
  }
});

void test('explicit tool and dir from rollback.yml override detection', async () => {
  // The files say nothing about their tool (up hands its argument to a helper).
  const body = (n: string): string => `const { run } = require('../lib/steps');\nexports.up = (x) => run(x, '${n}');\nexports.down = (x) => run(x, '-${n}');\n`;
  const repo = await makeRepo({
    'migrations/1_a.js': body('a'),
    'migrations/10_b.js': body('b'),
    'migrations/2_c.js': body('c'),
    'schema/changes/002_second.sql': '-- +goose Up\nSELECT 2;\n-- +goose Down\nSELECT -2;\n',
    'schema/changes/001_first.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT -1;\n',
  });
  try {
    const guessed = await detectChecked(repo.fs);
    assert.deepEqual(guessed.map((g) => [g.dir, g.tool, g.migrations.map((m) => m.file.split('/').pop())]), [
      ['migrations', 'knex', ['10_b.js', '1_a.js', '2_c.js']],
    ]);
    assert.match(guessed[0].problems[0], /could not tell whether migrations holds Knex or node-pg-migrate migrations; read as knex/);

    const configured = await detectChecked(repo.fs, { tool: 'node-pg-migrate', dir: 'migrations/' });
    assert.deepEqual(configured.map((g) => [g.dir, g.tool, g.problems, g.migrations.map((m) => m.id)]), [
      ['migrations', 'node-pg-migrate', [], ['1_a', '2_c', '10_b']],
    ]);

    const elsewhere = await detectChecked(repo.fs, { dir: 'schema/changes' });
    assert.deepEqual(elsewhere.map((g) => [g.dir, g.tool, g.migrations.map((m) => m.id)]), [['schema/changes', 'goose', ['1', '2']]]);

    const toolOnly = await detectChecked(repo.fs, { tool: 'node-pg-migrate' });
    assert.deepEqual(toolOnly.map((g) => [g.dir, g.tool, g.migrations.map((m) => m.id)]), [['migrations', 'node-pg-migrate', ['1_a', '2_c', '10_b']]]);

    // With no config, the project's package.json settles it.
    await repo.write({ 'package.json': JSON.stringify({ devDependencies: { 'node-pg-migrate': '^7.0.0' } }) });
    const hinted = await detectChecked(repo.fs);
    assert.deepEqual(hinted.map((g) => [g.tool, g.problems]), [['node-pg-migrate', []]]);
  } finally {
    await repo.cleanup();
  }
});

void test('a configured folder that is missing, empty or outside the repository is a group with a problem', async () => {
  const repo = await makeRepo({ 'db/empty/README.md': 'nothing here\n' });
  try {
    assert.deepEqual(await detectChecked(repo.fs, { tool: 'alembic', dir: 'db/alembic' }), [
      { tool: 'alembic', dir: 'db/alembic', migrations: [], problems: ['migrations.dir db/alembic does not exist'] },
    ]);
    assert.deepEqual(await detectChecked(repo.fs, { tool: 'goose', dir: 'db/empty' }), [
      { tool: 'goose', dir: 'db/empty', migrations: [], problems: ['no goose migrations found in db/empty'] },
    ]);
    assert.deepEqual(await detectChecked(repo.fs, { tool: 'sql', dir: '../outside' }), [
      { tool: 'sql', dir: '../outside', migrations: [], problems: ['migrations.dir ../outside must be a folder inside the repository'] },
    ]);
    const notAFolder = await detectChecked(repo.fs, { dir: 'db/empty/README.md' });
    assert.equal(notAFolder.length, 1);
    assert.match(notAFolder[0].problems.join('\n'), /^could not read the folder db\/empty\/README\.md: ENOTDIR/);
    assert.deepEqual(await detectChecked(repo.fs, { tool: 'prisma' }), [
      { tool: 'prisma', dir: 'prisma/migrations', migrations: [], problems: ['no prisma migrations found in prisma/migrations; set migrations.dir in rollback.yml'] },
    ]);
  } finally {
    await repo.cleanup();
  }
});

void test('files that are not UTF-8 are listed with a problem naming what they look like and where', async () => {
  const latin1 = Uint8Array.from([...Buffer.from('-- caf'), 0xe9, ...Buffer.from('\nSELECT 1;\n')]);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SELECT 3;\n', 'utf16le')]);
  const repo = await makeRepo({
    'db/migrate/1_ok.sql': 'SELECT 1;\n',
    'db/migrate/2_latin1.sql': latin1,
    'db/migrate/3_utf16.sql': utf16,
    'db/migrate/4_ok.sql': '-- café, in UTF-8\nSELECT 4;\n',
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.deepEqual(g.migrations.map((m) => m.id), ['1_ok', '2_latin1', '3_utf16', '4_ok']);
    assert.deepEqual(g.migrations.map((m) => m.problems), [
      [],
      ['not UTF-8 (looks like Latin-1/Windows-1252): byte 0xe9 at line 1, column 7'],
      ['not UTF-8 (looks like UTF-16LE): byte 0xff at line 1, column 1'],
      [],
    ]);
  } finally {
    await repo.cleanup();
  }
});

void test('detecting 2,000 migration files reads each file exactly once', async () => {
  const files: Record<string, string> = {};
  for (let v = 1; v <= 1000; v++) {
    files[`migrations/${v}_step.up.sql`] = `ALTER TABLE t ADD COLUMN c${v} int;\n`;
    files[`migrations/${v}_step.down.sql`] = `ALTER TABLE t DROP COLUMN c${v};\n`;
  }
  const repo = await makeRepo();
  try {
    await repo.writeBulk(files);
    const counting = new CountingFileSystem(repo.fs);
    const [g] = await detectChecked(counting);
    assert.equal(g.tool, 'golang-migrate');
    assert.equal(g.migrations.length, 1000);
    assert.deepEqual(g.migrations.slice(0, 3).map((m) => m.id), ['1', '2', '3']);
    assert.equal(g.migrations[999].id, '1000');
    assert.equal(counting.reads.size, 2000);
    const readTwice = [...counting.reads].filter(([, n]) => n > 1);
    assert.deepEqual(readTwice, []);
  } finally {
    await repo.cleanup();
  }
});
