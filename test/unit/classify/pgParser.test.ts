import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

const parser = new PgSqlParser();

describe('PgSqlParser (libpg-query, the real PostgreSQL parser)', () => {
  it('splits statements and points at each, skipping comments before it', async () => {
    const sql = '-- header\nCREATE TABLE a (id int);\n\n/* note */ ALTER TABLE a\n  ADD COLUMN b int;\nSELECT 1';
    const r = await parser.parse(sql);
    assert.ok(r.ok);
    assert.deepEqual(
      r.statements.map((s) => [s.text, s.line, s.column]),
      [
        ['CREATE TABLE a (id int)', 2, 1],
        ['ALTER TABLE a\n  ADD COLUMN b int', 4, 12],
        ['SELECT 1', 6, 1],
      ],
    );
    assert.deepEqual(Object.keys(r.statements[1].node), ['AlterTableStmt']);
  });

  it('converts byte offsets to characters after non-ASCII text', async () => {
    const sql = "-- café ☕ 🚀\nINSERT INTO t VALUES ('é');\nDROP TABLE t;";
    const r = await parser.parse(sql);
    assert.ok(r.ok);
    assert.equal(r.statements[0].text, "INSERT INTO t VALUES ('é')");
    assert.equal(r.statements[1].text, 'DROP TABLE t');
    assert.deepEqual([r.statements[1].line, r.statements[1].column], [3, 1]);
  });

  it('reports a parse error with its line and column', async () => {
    const r = await parser.parse("SELECT 'é';\nALTER TABLE x ADDD COLUMN y int;");
    assert.ok(!r.ok);
    assert.match(r.error.message, /syntax error at or near "ADDD"/);
    assert.deepEqual([r.error.line, r.error.column], [2, 15]);
  });

  it('locates a parse error after an astral character (cursor counts code points)', async () => {
    const r = await parser.parse("SELECT '🚀';\nALTER TABLE x ADDD COLUMN y int;");
    assert.ok(!r.ok);
    assert.deepEqual([r.error.line, r.error.column], [2, 15]);
  });

  it('an empty or comment-only file has no statements', async () => {
    const r = await parser.parse('-- nothing here\n');
    assert.ok(r.ok);
    assert.equal(r.statements.length, 0);
  });
});
