// Bad input the classifier cannot judge: an Alembic helper that recurses, calls into another
// module or builds its SQL from variables; Knex SQL built at run time; a Prisma schema (or
// migration_lock.toml) with an unknown provider. Each must get a message that says what and
// where (file:line:column, pointing at the call or the value) and a verdict that is never "safe",
// even when everything else in the migration is harmless.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFromFiles } from '../../../src/core/classify/classify';
import type { Migration, MigrationFinding, MigrationVerdict } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { memoryFs } from './corpus/repository';

const parser = new PgSqlParser();
const ALEMBIC_FILE = 'alembic/versions/r1_case.py';

async function alembic(body: string): Promise<{ v: MigrationVerdict; text: string }> {
  const text = `from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r1'\ndown_revision = None\n\n\n${body}\n\n\ndef downgrade():\n    op.drop_index('ix_t_a')\n`;
  const migration: Migration = { tool: 'alembic', id: 'r1', name: 'r1', file: ALEMBIC_FILE, order: 0, problems: [] };
  return { v: await classifyFromFiles({ migration, fs: memoryFs({ [ALEMBIC_FILE]: text }), root: '.', parser }), text };
}

/** The finding's message starts with its own file:line:column, and that position holds `at`. */
function located(f: MigrationFinding, file: string, text: string, at: string): void {
  assert.match(f.reason, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${f.line}:${f.column}: `), f.reason);
  const line = text.split('\n')[f.line - 1] ?? '';
  assert.ok(line.slice(f.column - 1).startsWith(at), `${file}:${f.line}:${f.column} points at "${line.slice(f.column - 1)}", not at ${at}`);
}

function only(v: MigrationVerdict, rule: string): MigrationFinding[] {
  const hits = v.findings.filter((f) => f.rule === rule);
  assert.ok(hits.length > 0, `expected ${rule}, got ${v.findings.map((f) => `${f.rule}: ${f.reason}`).join(' | ')}`);
  return hits;
}

describe('bad input: an Alembic helper the classifier cannot follow', () => {
  it('a helper that calls itself: unknown, located at the recursive call, the chain named', async () => {
    const { v, text } = await alembic("def _trim(conn, n):\n    conn.execute(sa.text('DELETE FROM audit WHERE id = 1'))\n    if n:\n        _trim(conn, n - 1)\n\n\ndef upgrade():\n    op.create_index('ix_t_a', 't', ['a'])\n    _trim(op.get_bind(), 3)");
    assert.equal(v.class, 'destructive', 'the DELETE it does run is still reported');
    const [rec] = only(v, 'recursive-helper');
    assert.equal(rec.class, 'unknown');
    located(rec, ALEMBIC_FILE, text, '_trim(conn, n - 1)');
    assert.match(rec.reason, /upgrade\(\) → _trim\(\) → _trim\(\)/);
  });
  it('two helpers calling each other: unknown at the call that closes the circle', async () => {
    const { v, text } = await alembic("def _a(conn):\n    _b(conn)\n\n\ndef _b(conn):\n    _a(conn)\n\n\ndef upgrade():\n    op.create_index('ix_t_a', 't', ['a'])\n    _a(op.get_bind())");
    assert.equal(v.class, 'unknown');
    const [rec] = only(v, 'recursive-helper');
    located(rec, ALEMBIC_FILE, text, '_a(conn)');
    assert.match(rec.reason, /_a\(\) → _b\(\) → _a\(\)/);
  });
  it('a helper imported from another module, and one called through an imported module: unknown, the module named', async () => {
    const { v, text } = await alembic("from app.data import backfill\nimport app.cleanup as cleanup\n\n\ndef upgrade():\n    op.create_index('ix_t_a', 't', ['a'])\n    backfill(op.get_bind())\n    cleanup.purge_sessions(op.get_bind())");
    assert.equal(v.class, 'unknown');
    const [a, b] = only(v, 'helper-in-other-module');
    located(a, ALEMBIC_FILE, text, 'backfill(op.get_bind())');
    assert.match(a.reason, /backfill\(\) is defined in module app\.data, which the classifier does not read/);
    located(b, ALEMBIC_FILE, text, 'cleanup.purge_sessions(');
    assert.match(b.reason, /module app\.cleanup/);
  });
  it('SQL built from variables (f-string over a run-time value, .format, a variable from a call): unknown, located at each execute', async () => {
    const { v, text } = await alembic(
      "def _purge(conn, table):\n    conn.execute(sa.text(f'DELETE FROM {table}'))\n    conn.execute(sa.text('DELETE FROM {}'.format(table)))\n\n\ndef upgrade():\n    op.create_index('ix_t_a', 't', ['a'])\n    for name in expired_tables():\n        _purge(op.get_bind(), name)\n    sql = build_cleanup_sql()\n    op.execute(sql)",
    );
    assert.equal(v.class, 'unknown');
    const hits = only(v, 'sql-built-at-run-time');
    assert.equal(hits.length, 3);
    located(hits[0], ALEMBIC_FILE, text, "conn.execute(sa.text(f'DELETE");
    located(hits[1], ALEMBIC_FILE, text, "conn.execute(sa.text('DELETE FROM {}'");
    located(hits[2], ALEMBIC_FILE, text, 'op.execute(sql)');
    assert.match(hits[0].reason, /never assumed safe/);
    assert.match(hits[0].reason, /Reached through upgrade\(\) → _purge\(\)/);
  });
  it('negative: the same helper called with a literal table is read and judged, no run-time finding', async () => {
    const { v } = await alembic("def _purge(conn, table):\n    conn.execute(sa.text(f'DELETE FROM {table}'))\n\n\ndef upgrade():\n    _purge(op.get_bind(), 'sessions')");
    assert.deepEqual(v.findings.filter((f) => f.direction === 'up').map((f) => f.rule), ['deleting-data']);
  });
});

describe('bad input: Knex SQL built at run time', () => {
  it('knex.raw of a template literal with a variable: unknown, located, the variable named', async () => {
    const file = 'migrations/20240101_a.js';
    const text = "exports.up = async (knex) => {\n  const table = process.env.TABLE;\n  await knex.raw(`DELETE FROM ${table}`);\n};\nexports.down = async () => {};\n";
    const v = await classifyFromFiles({ migration: { tool: 'knex', id: 'a', name: 'a', file, order: 0, problems: [] }, fs: memoryFs({ [file]: text, 'knexfile.js': "module.exports = { client: 'pg' };" }), root: '.', parser });
    assert.equal(v.class, 'unknown');
    const [f] = only(v, 'sql-built-at-run-time');
    located(f, file, text, 'knex.raw(');
    assert.match(f.reason, /a template literal that fills in \$\{table\}/);
  });
});

describe('bad input: a Prisma schema with an unknown provider', () => {
  const prisma = (files: Record<string, string>) => {
    const migration: Migration = { tool: 'prisma', id: '20240101_a', name: '20240101_a', file: 'prisma/migrations/20240101_a', order: 0, problems: [] };
    return classifyFromFiles({ migration, fs: memoryFs({ 'prisma/migrations/20240101_a/migration.sql': 'CREATE INDEX "t_a_idx" ON "t"("a");\n', ...files }), root: '.', parser });
  };
  it('a misspelt provider: unknown even for a harmless CREATE INDEX, located at the value', async () => {
    const schema = 'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgress"\n  url      = env("DATABASE_URL")\n}\n';
    const v = await prisma({ 'prisma/schema.prisma': schema });
    assert.equal(v.class, 'unknown');
    const [f] = only(v, 'unknown-dialect');
    assert.match(f.reason, /^prisma\/schema\.prisma:6:14: datasource provider "postgress" is not one Prisma knows/);
    assert.equal(schema.split('\n')[5].slice(13, 24), '"postgress"');
  });
  it('a provider read from the environment: unknown, located, never safe', async () => {
    const v = await prisma({ 'prisma/schema.prisma': 'datasource db {\n  provider = env("DB_PROVIDER")\n  url = env("DATABASE_URL")\n}\n' });
    assert.equal(v.class, 'unknown');
    assert.match(only(v, 'unknown-dialect')[0].reason, /^prisma\/schema\.prisma:2:14: datasource provider env\("DB_PROVIDER"\) is not one Prisma knows/);
  });
  it('no schema.prisma, an unknown provider in migration_lock.toml: unknown, located in the lock file', async () => {
    const v = await prisma({ 'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresq"\n' });
    assert.equal(v.class, 'unknown');
    assert.match(only(v, 'unknown-dialect')[0].reason, /^prisma\/migrations\/migration_lock\.toml:2:12: provider "postgresq" is not one Prisma knows/);
  });
  it('negative: a known provider in the lock file decides the dialect and the index is safe', async () => {
    const v = await prisma({ 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' });
    assert.equal(v.class, 'safe');
  });
});

describe('bad input: a migration file that does not parse or decode is unknown, located, whatever else it holds', () => {
  async function classify(tool: Migration['tool'], file: string, files: Record<string, string | Uint8Array>): Promise<MigrationVerdict> {
    const text = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    const fs = memoryFs(text);
    const readFile = fs.readFile.bind(fs);
    fs.readFile = async (p) => {
      const raw = files[p.replace(/^\.\//, '')];
      return raw instanceof Uint8Array ? raw : readFile(p);
    };
    const folder = tool === 'prisma' ? file.replace(/\/migration\.sql$/, '') : file;
    return classifyFromFiles({ migration: { tool, id: '1', name: '1', file: folder, order: 0, problems: [] }, fs, root: '.', parser });
  }

  it('a Python syntax error after a DELETE: unknown (Alembic cannot import it), not destructive, at file:line:column', async () => {
    const file = 'alembic/versions/a1_x.py';
    const text = "from alembic import op\nrevision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.execute(\"DELETE FROM t\"\n\ndef downgrade():\n    pass\n";
    const v = await classify('alembic', file, { [file]: text });
    assert.equal(v.class, 'unknown');
    const [f] = only(v, 'unparsable-python');
    assert.match(f.reason, new RegExp(`^${file.replace(/[./]/g, '\\$&')}:${f.line}:${f.column}: Python syntax error`));
  });

  it('an unterminated dollar quote in a golang-migrate file: unknown, the file, line and column of the quote, PostgreSQL\'s words', async () => {
    const file = 'db/000002_f.up.sql';
    const text = 'ALTER TABLE a ADD COLUMN b int;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $bod$;\n';
    const v = await classify('golang-migrate', file, { [file]: text });
    assert.equal(v.class, 'unknown');
    const [f] = only(v, 'unparsable-sql');
    located(f, file, text, '$body$');
    assert.match(f.reason, /unterminated dollar-quoted string/);
  });

  it('invalid UTF-8 in a Prisma migration: unknown, located in migration.sql (not the folder)', async () => {
    const file = 'prisma/migrations/1_a/migration.sql';
    const v = await classify('prisma', file, { 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n', [file]: new Uint8Array([0x44, 0x52, 0x4f, 0x50, 0x0a, 0xff, 0x0a]) });
    assert.equal(v.class, 'unknown');
    const [f] = only(v, 'not-utf8');
    assert.match(f.reason, /^prisma\/migrations\/1_a\/migration\.sql:2:1: byte 0xff/);
  });
});
