import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectChecked } from './shallowCheck';
import { makeRepo } from './repo';

void test('prisma: folders in timestamp order, migration.sql is the file, migration_lock.toml ignored', async () => {
  // Created newest first, and the names alone (zeta, alpha, mid) sort the other way.
  const repo = await makeRepo({
    'prisma/migrations/20240301090000_zeta_drop_col/migration.sql': 'ALTER TABLE "User" DROP COLUMN "legacy";',
    'prisma/migrations/20240115120000_mid_add_email/migration.sql': 'ALTER TABLE "User" ADD COLUMN "email" TEXT;',
    'prisma/migrations/20231201000000_alpha_init/migration.sql': 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY);',
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'prisma/schema.prisma': 'datasource db { provider = "postgresql" }\n',
  });
  try {
    const groups = await detectChecked(repo.fs);
    assert.equal(groups.length, 1);
    const [g] = groups;
    assert.equal(g.tool, 'prisma');
    assert.equal(g.dir, 'prisma/migrations');
    assert.deepEqual(g.migrations.map((m) => m.id), ['20231201000000_alpha_init', '20240115120000_mid_add_email', '20240301090000_zeta_drop_col']);
    assert.deepEqual(g.migrations.map((m) => m.name), ['alpha_init', 'mid_add_email', 'zeta_drop_col']);
    assert.equal(g.migrations[2].file, 'prisma/migrations/20240301090000_zeta_drop_col/migration.sql');
    assert.ok(g.migrations.every((m) => m.problems.length === 0));
  } finally {
    await repo.cleanup();
  }
});

void test('golang-migrate: numeric version order (9 before 10), down files paired, a missing down is a problem', async () => {
  const repo = await makeRepo({
    'migrations/10_add_index.up.sql': 'CREATE INDEX users_email ON users (email);',
    'migrations/10_add_index.down.sql': 'DROP INDEX users_email;',
    'migrations/9_add_email.up.sql': 'ALTER TABLE users ADD COLUMN email text;',
    'migrations/9_add_email.down.sql': 'ALTER TABLE users DROP COLUMN email;',
    'migrations/1_init.up.sql': 'CREATE TABLE users (id int);',
    'migrations/1_init.down.sql': 'DROP TABLE users;',
    'migrations/11_backfill.up.sql': "UPDATE users SET email = '';",
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'golang-migrate');
    assert.equal(g.dir, 'migrations');
    assert.deepEqual(g.migrations.map((m) => m.id), ['1', '9', '10', '11']);
    assert.deepEqual(g.migrations.map((m) => m.name), ['init', 'add_email', 'add_index', 'backfill']);
    assert.equal(g.migrations[1].file, 'migrations/9_add_email.up.sql');
    assert.equal(g.migrations[1].downFile, 'migrations/9_add_email.down.sql');
    assert.equal(g.migrations[3].downFile, undefined);
    assert.deepEqual(g.migrations[3].problems, ['no down file (11_backfill.down.sql): golang-migrate cannot undo it']);
    assert.deepEqual(g.migrations.slice(0, 3).map((m) => m.problems), [[], [], []]);
  } finally {
    await repo.cleanup();
  }
});

void test('goose: -- +goose Up/Down sections, numeric version order for timestamps and sequences, .go migrations listed', async () => {
  const repo = await makeRepo({
    'db/migrations/20240110120000_add_orders.sql': '-- +goose Up\nCREATE TABLE orders (id int);\n-- +goose Down\nDROP TABLE orders;\n',
    'db/migrations/00002_add_email.sql': '-- +goose Up\n-- +goose StatementBegin\nALTER TABLE users ADD COLUMN email text;\n-- +goose StatementEnd\n',
    'db/migrations/00001_init.sql': '-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\nDROP TABLE users;\n',
    'db/migrations/00010_seed.go':
      'package migrations\n\nimport "github.com/pressly/goose/v3"\n\nfunc init() {\n\tgoose.AddMigrationContext(upSeed, downSeed)\n}\n',
    'db/migrations/helpers.go': 'package migrations\n\nfunc helper() {}\n',
    'db/migrations/00003_notes.sql': 'CREATE TABLE notes (id int);\n',
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'goose');
    assert.equal(g.dir, 'db/migrations');
    assert.deepEqual(g.migrations.map((m) => m.file.split('/').pop()), [
      '00001_init.sql',
      '00002_add_email.sql',
      '00003_notes.sql',
      '00010_seed.go',
      '20240110120000_add_orders.sql',
    ]);
    assert.deepEqual(g.migrations.map((m) => m.id), ['1', '2', '3', '10', '20240110120000']);
    assert.deepEqual(g.migrations[1].problems, ['no `-- +goose Down` section: goose cannot undo it']);
    assert.deepEqual(g.migrations[2].problems, ['no `-- +goose Up` annotation: goose will refuse this file']);
    assert.deepEqual([g.migrations[0].problems, g.migrations[3].problems, g.migrations[4].problems], [[], [], []]);
  } finally {
    await repo.cleanup();
  }
});

void test('plain sql: natural file-name order (2_x before 10_y) in db/migrate', async () => {
  const repo = await makeRepo({
    'db/migrate/10_y.sql': 'ALTER TABLE t ADD COLUMN y int;',
    'db/migrate/2_x.sql': 'ALTER TABLE t ADD COLUMN x int;',
    'db/migrate/1_create.sql': 'CREATE TABLE t (id int);',
    'db/migrate/notes.md': '# not a migration',
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'sql');
    assert.equal(g.dir, 'db/migrate');
    assert.deepEqual(g.migrations.map((m) => m.file), ['db/migrate/1_create.sql', 'db/migrate/2_x.sql', 'db/migrate/10_y.sql']);
    assert.deepEqual(g.migrations.map((m) => m.name), ['create', 'x', 'y']);
    assert.deepEqual(g.problems, []);
  } finally {
    await repo.cleanup();
  }
});
