import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectChecked } from './shallowCheck';
import { makeRepo } from './repo';

void test('knex: plain file-name order, as knex applies it (an unpadded 10_ runs before 2_), in every export style', async () => {
  // Written newest first; natural order would be 1, 2, 10 but knex sorts the names as strings.
  const repo = await makeRepo({
    'migrations/2_add_email.ts':
      "import type { Knex } from 'knex';\n\nexport async function up(knex: Knex): Promise<void> {\n  await knex.schema.alterTable('users', (t) => t.string('email'));\n}\n\nexport async function down(knex: Knex): Promise<void> {\n  await knex.schema.alterTable('users', (t) => t.dropColumn('email'));\n}\n",
    'migrations/10_add_orders.js':
      "async function up(knex) {\n  await knex.raw('CREATE TABLE orders (id int)');\n}\nasync function down(knex) {\n  await knex.raw('DROP TABLE orders');\n}\nmodule.exports = { up, down };\n",
    'migrations/1_create_users.js':
      "exports.up = function (knex) {\n  return knex.schema.createTable('users', (t) => t.increments());\n};\nexports.down = (knex) => knex.schema.dropTable('users');\n",
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'knex');
    assert.equal(g.dir, 'migrations');
    assert.deepEqual(g.migrations.map((m) => m.id), ['10_add_orders.js', '1_create_users.js', '2_add_email.ts']);
    assert.deepEqual(g.migrations.map((m) => m.name), ['add_orders', 'create_users', 'add_email']);
    assert.deepEqual(g.migrations.map((m) => m.problems), [[], [], []]);
    assert.deepEqual(g.problems, []);
  } finally {
    await repo.cleanup();
  }
});

void test('node-pg-migrate: numeric prefix order (9, 10, 100) across .js, .ts and .sql migrations', async () => {
  const repo = await makeRepo({
    'migrations/100_add_view.sql': '-- Up Migration\nCREATE VIEW v AS SELECT 1;\n-- Down Migration\nDROP VIEW v;\n',
    'migrations/10_add_email.ts':
      "import type { MigrationBuilder } from 'node-pg-migrate';\n\nexport async function up(pgm: MigrationBuilder): Promise<void> {\n  pgm.addColumns('users', { email: { type: 'text' } });\n}\n\nexport const down = false;\n",
    'migrations/9_create_users.js':
      "exports.shorthands = undefined;\n\nexports.up = (pgm) => {\n  pgm.createTable('users', { id: 'id' });\n};\n\nexports.down = (pgm) => {\n  pgm.dropTable('users');\n};\n",
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'node-pg-migrate');
    assert.deepEqual(g.migrations.map((m) => m.id), ['9_create_users', '10_add_email', '100_add_view']);
    assert.deepEqual(g.migrations.map((m) => m.problems), [[], ['`down` is false: node-pg-migrate cannot undo it'], []]);
  } finally {
    await repo.cleanup();
  }
});

void test('knex and node-pg-migrate are told apart by what up calls on its argument, whatever it is named', async () => {
  // Same shape, same neutral parameter name, no imports: only the calls differ.
  const repo = await makeRepo({
    'migrations/20240101000000_users.js': "exports.up = async (db) => { await db.schema.createTable('users', () => {}); };\nexports.down = async (db) => { await db.schema.dropTable('users'); };\n",
    'migrations/20240102000000_orders.js': "exports.up = async (db) => { await db('users').update({ a: 1 }); };\nexports.down = async () => {};\n",
    'migrations/20240103000000_items.js': "exports.up = async (db) => { await db.schema.createTable('items', () => {}); };\nexports.down = async (db) => { await db.schema.dropTable('items'); };\n",
    'db/migrations/20240101000000_users.js': "exports.up = async (db) => { db.createTable('users', { id: 'id' }); };\nexports.down = async (db) => { db.dropTable('users'); };\n",
    'db/migrations/20240102000000_orders.js': "exports.up = async (db) => { db.sql('CREATE TABLE orders (id int)'); };\n",
    'db/migrations/20240103000000_stray.js': "exports.up = async (db) => { await db.schema.createTable('x', () => {}); };\nexports.down = async (db) => { await db.schema.dropTable('x'); };\n",
  });
  try {
    const groups = await detectChecked(repo.fs);
    assert.deepEqual(groups.map((g) => [g.dir, g.tool, g.migrations.length]), [
      ['db/migrations', 'node-pg-migrate', 3],
      ['migrations', 'knex', 3],
    ]);
    const pgm = groups[0];
    assert.deepEqual(pgm.migrations.map((m) => m.problems), [
      [],
      [],
      ['looks like a knex migration (up calls db.schema), but this folder holds node-pg-migrate migrations'],
    ]);
    assert.deepEqual(pgm.problems, ['1 file(s) here look like knex migrations; the folder is read as node-pg-migrate']);
    assert.deepEqual(groups[1].migrations.map((m) => m.problems), [[], [], []]);
  } finally {
    await repo.cleanup();
  }
});

void test('a JS migration that does not parse is listed with the parser error and its line and column', async () => {
  const repo = await makeRepo({
    'migrations/001_ok.js': "exports.up = (knex) => knex.schema.createTable('a', () => {});\nexports.down = (knex) => knex.schema.dropTable('a');\n",
    'migrations/002_broken.js': "exports.up = function (knex) {\n  return knex.schema.(;\n};\n",
    'migrations/003_ok.js': "exports.up = (knex) => knex.raw('SELECT 1');\nexports.down = (knex) => knex.raw('SELECT 1');\n",
  });
  try {
    const [g] = await detectChecked(repo.fs);
    assert.equal(g.tool, 'knex');
    assert.deepEqual(g.migrations.map((m) => m.id), ['001_ok.js', '002_broken.js', '003_ok.js']);
    assert.deepEqual(g.migrations[1].problems, ['does not parse: Unexpected token at line 2, column 22']);
    assert.deepEqual(g.migrations[1].file, 'migrations/002_broken.js');
  } finally {
    await repo.cleanup();
  }
});
