// The schema the earlier migrations left, read for Knex, node-pg-migrate and Alembic as it is
// for SQL folders: a file's rules know that a column was smallint, that row security is already
// on, that a view or a function was defined in an earlier revision. For Alembic "earlier" is the
// revision graph (ancestors only, through merges), not the folder's file names. Each rule that
// the history decides is checked both ways: the history says yes, the history says no.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFromFiles } from '../../../src/core/classify/classify';
import type { Migration, MigrationVerdict } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { memoryFs } from './corpus/repository';

const parser = new PgSqlParser();

async function verdict(files: Record<string, string>, migration: Migration): Promise<MigrationVerdict> {
  return classifyFromFiles({ migration, fs: memoryFs(files), root: '.', parser });
}

function upRules(v: MigrationVerdict): string[] {
  return v.findings.filter((f) => f.direction === 'up').map((f) => `${f.rule}:${f.class}`);
}

const knexfile = "module.exports = { client: 'pg' };\n";
const knex = (file: string): Migration => ({ tool: 'knex', id: file, name: file, file, order: 1, problems: [] });
const pgm = (file: string): Migration => ({ tool: 'node-pg-migrate', id: file, name: file, file, order: 1, problems: [] });

describe('the earlier schema for Knex migrations (file-name order)', () => {
  const init = (type: string) => `exports.up = (knex) => knex.schema.createTable('counters', (t) => { t.increments('id'); t.${type}('n'); });\nexports.down = (knex) => knex.schema.dropTable('counters');\n`;
  const alter = "exports.up = (knex) => knex.schema.alterTable('counters', (t) => { t.integer('n').alter(); });\nexports.down = () => {};\n";

  it('integer over a column an earlier migration made smallint is a widening: safe', async () => {
    const v = await verdict({ 'knexfile.js': knexfile, 'migrations/20240101_init.js': init('smallint'), 'migrations/20240201_widen.js': alter }, knex('migrations/20240201_widen.js'));
    assert.equal(v.class, 'safe', upRules(v).join(', '));
  });

  it('integer over a column an earlier migration made bigint narrows it: not safe', async () => {
    const v = await verdict({ 'knexfile.js': knexfile, 'migrations/20240101_init.js': init('bigInteger'), 'migrations/20240201_widen.js': alter }, knex('migrations/20240201_widen.js'));
    assert.notEqual(v.class, 'safe', upRules(v).join(', '));
  });

  it('a later migration of the folder does not count as earlier', async () => {
    const v = await verdict({ 'knexfile.js': knexfile, 'migrations/20240101_init.js': init('smallint'), 'migrations/20240201_widen.js': alter, 'migrations/20240301_big.js': "exports.up = (knex) => knex.raw('ALTER TABLE counters ALTER COLUMN n TYPE bigint');\nexports.down = () => {};\n" }, knex('migrations/20240201_widen.js'));
    assert.equal(v.class, 'safe', upRules(v).join(', '));
  });
});

describe('the earlier schema for node-pg-migrate (row security, policies)', () => {
  const table = "exports.up = (pgm) => {\n  pgm.createTable('notes', { id: 'id', tenant: { type: 'integer', notNull: true }, body: 'text' });\n};\n";
  const rls = "exports.up = (pgm) => {\n  pgm.sql('ALTER TABLE notes ENABLE ROW LEVEL SECURITY');\n  pgm.createPolicy('notes', 'tenant_one', { using: 'tenant = 1' });\n};\n";
  const force = "exports.up = (pgm) => {\n  pgm.sql('ALTER TABLE notes FORCE ROW LEVEL SECURITY');\n};\nexports.down = (pgm) => {\n  pgm.sql('ALTER TABLE notes NO FORCE ROW LEVEL SECURITY');\n};\n";
  const open = "exports.up = (pgm) => {\n  pgm.createPolicy('notes', 'everyone', { using: 'true' });\n};\nexports.down = (pgm) => {\n  pgm.dropPolicy('notes', 'everyone');\n};\n";

  it('FORCE ROW LEVEL SECURITY where an earlier migration turned it on: the owner is filtered now, not safe', async () => {
    const v = await verdict({ 'migrations/1700000000000_notes.js': table, 'migrations/1700000000001_rls.js': rls, 'migrations/1700000000002_force.js': force }, pgm('migrations/1700000000002_force.js'));
    assert.notEqual(v.class, 'safe', upRules(v).join(', '));
  });

  it('FORCE ROW LEVEL SECURITY where no earlier migration turned it on has no effect: safe', async () => {
    const v = await verdict({ 'migrations/1700000000000_notes.js': table, 'migrations/1700000000002_force.js': force }, pgm('migrations/1700000000002_force.js'));
    assert.equal(v.class, 'safe', upRules(v).join(', '));
  });

  it('pgm.createPolicy for every role under row security an earlier migration turned on widens what the old code sees: mitigate, with the DROP POLICY', async () => {
    const v = await verdict({ 'migrations/1700000000000_notes.js': table, 'migrations/1700000000001_rls.js': rls, 'migrations/1700000000003_open.js': open }, pgm('migrations/1700000000003_open.js'));
    assert.equal(v.class, 'mitigate', upRules(v).join(', '));
    assert.ok(v.findings.some((f) => f.fix === 'DROP POLICY IF EXISTS everyone ON notes;'), JSON.stringify(v.findings.map((f) => f.fix)));
  });

  it('the same policy where row security is off changes nothing: safe', async () => {
    const v = await verdict({ 'migrations/1700000000000_notes.js': table, 'migrations/1700000000003_open.js': open }, pgm('migrations/1700000000003_open.js'));
    assert.equal(v.class, 'safe', upRules(v).join(', '));
  });

  it('a policy whose expression is built at run time is not judged: unknown, located, never safe', async () => {
    const v = await verdict({ 'migrations/1700000000003_open.js': "exports.up = (pgm) => {\n  pgm.createPolicy('notes', 'p', { using: `tenant = ${process.env.T}` });\n};\n" }, pgm('migrations/1700000000003_open.js'));
    assert.equal(v.class, 'unknown');
    assert.ok(v.findings.some((f) => /migrations\/1700000000003_open\.js:2:3: .*using is built at run time/.test(f.reason)), v.findings.map((f) => f.reason).join('\n'));
  });
});

describe('the earlier schema for Alembic follows the revision graph', () => {
  const rev = (id: string, parents: string[], body: string) => `"""${id}\n\nRevision ID: ${id}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '${id}'\ndown_revision = ${parents.length === 0 ? 'None' : parents.length === 1 ? `'${parents[0]}'` : `(${parents.map((p) => `'${p}'`).join(', ')})`}\n\n\ndef upgrade():\n${body}\n\n\ndef downgrade():\n    pass\n`;
  const alembic = (id: string, parents: string[]): Migration => ({ tool: 'alembic', id, name: id, file: `alembic/versions/${id}.py`, parents, order: 1, problems: [] });
  const base = rev('a0', [], "    op.create_table('notes', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('tenant', sa.Integer(), nullable=False))");
  const rlsOn = "    op.execute('ALTER TABLE notes ENABLE ROW LEVEL SECURITY')";
  const force = "    op.execute('ALTER TABLE notes FORCE ROW LEVEL SECURITY')";

  it('row security turned on by an ancestor counts: FORCE is not safe', async () => {
    const files = { 'alembic/versions/a0.py': base, 'alembic/versions/b1.py': rev('b1', ['a0'], rlsOn), 'alembic/versions/z9.py': rev('z9', ['b1'], force) };
    const v = await verdict(files, alembic('z9', ['b1']));
    assert.notEqual(v.class, 'safe', upRules(v).join(', '));
  });

  it('row security turned on by a revision on another branch does not count (it is not applied before this one): FORCE is safe', async () => {
    const files = { 'alembic/versions/a0.py': base, 'alembic/versions/b1.py': rev('b1', ['a0'], rlsOn), 'alembic/versions/c1.py': rev('c1', ['a0'], '    pass'), 'alembic/versions/z9.py': rev('z9', ['c1'], force) };
    const v = await verdict(files, alembic('z9', ['c1']));
    assert.equal(v.class, 'safe', upRules(v).join(', '));
  });

  it('through a merge, both parents are earlier', async () => {
    const files = {
      'alembic/versions/a0.py': base,
      'alembic/versions/b1.py': rev('b1', ['a0'], rlsOn),
      'alembic/versions/c1.py': rev('c1', ['a0'], '    pass'),
      'alembic/versions/m2.py': rev('m2', ['c1', 'b1'], '    pass'),
      'alembic/versions/z9.py': rev('z9', ['m2'], force),
    };
    const v = await verdict(files, alembic('z9', ['m2']));
    assert.notEqual(v.class, 'safe', upRules(v).join(', '));
  });

  it('a revision graph with a cycle or a missing parent is read as far as it goes, without hanging', async () => {
    const files = { 'alembic/versions/a0.py': rev('a0', ['z9'], "    op.execute('ALTER TABLE notes ENABLE ROW LEVEL SECURITY')"), 'alembic/versions/b1.py': rev('b1', ['a0', 'gone'], '    pass'), 'alembic/versions/z9.py': rev('z9', ['b1'], force) };
    const v = await verdict(files, alembic('z9', ['b1']));
    assert.ok(['safe', 'mitigate', 'unknown'].includes(v.class));
  });
});

describe('dropping a default: the history says whether there was one', () => {
  const files = { 'db/000001_a.up.sql': 'CREATE TABLE t (id serial PRIMARY KEY, n int, m int DEFAULT 3);', 'db/000002_b.up.sql': 'ALTER TABLE t ALTER COLUMN id DROP DEFAULT;', 'db/000003_c.up.sql': 'ALTER TABLE t ALTER COLUMN n DROP DEFAULT;', 'db/000004_d.up.sql': 'ALTER TABLE t ALTER COLUMN m DROP DEFAULT;', 'db/000005_e.up.sql': 'ALTER TABLE t ALTER COLUMN x DROP DEFAULT;' };
  const sql = (file: string): Migration => ({ tool: 'golang-migrate', id: file, name: file, file, order: 1, problems: [] });
  for (const [file, cls, what] of [
    ['db/000003_c.up.sql', 'safe', 'a column made without a default'],
    ['db/000002_b.up.sql', 'mitigate', "a serial column (its nextval() default is the old code's ids)"],
    ['db/000004_d.up.sql', 'mitigate', 'a column made with DEFAULT 3'],
    ['db/000005_e.up.sql', 'mitigate', 'a column the history does not know'],
  ] as const) {
    it(`${what}: ${cls}`, async () => {
      const v = await verdict(files, sql(file));
      assert.equal(v.class, cls, upRules(v).join(', '));
    });
  }
});
