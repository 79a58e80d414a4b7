// judge() tries only the rules whose `on` lists a node's statement type (the speed-up the
// classify bench needs). This checks that the index never changes a verdict: for every
// statement of the family cases and the corpus, the rule judge() picks is the first rule of
// the whole table that matches, tried in order the slow way.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyContext, judge, learn, nodesOf, RULES } from '../../../src/core/classify/rules';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { CORPUS } from './corpus';
import { FAMILY_CASES } from './familyCases';

const parser = new PgSqlParser();

const EXTRA = [
  'ALTER TABLE t ADD COLUMN a int, DROP COLUMN b, ALTER COLUMN c SET NOT NULL, ALTER COLUMN d TYPE bigint, ALTER COLUMN e SET DEFAULT 1;',
  'ALTER TABLE t VALIDATE CONSTRAINT c; ALTER TABLE t SET (fillfactor = 70); ALTER TABLE t CLUSTER ON t_pkey; ALTER TABLE t OWNER TO x;',
  'CLUSTER users USING users_pkey; REINDEX TABLE users; ANALYZE users; VACUUM users; LOCK TABLE users;',
  'CREATE TABLE t2 AS SELECT 1 AS a; CREATE MATERIALIZED VIEW mv AS SELECT 1; REFRESH MATERIALIZED VIEW mv; DROP MATERIALIZED VIEW mv;',
  "ALTER TYPE mood RENAME VALUE 'a' TO 'b'; ALTER TYPE mood ADD VALUE 'c'; DROP DOMAIN d; CREATE DOMAIN d2 AS int;",
  'ALTER TABLE a RENAME CONSTRAINT x TO y; ALTER INDEX i RENAME TO j; ALTER TABLE a RENAME TO b; ALTER TABLE a RENAME COLUMN x TO y;',
  'TRUNCATE a; DROP DATABASE d; DROP SCHEMA s; DROP SEQUENCE q; DROP TRIGGER tr ON a; DROP FUNCTION f(int);',
];

async function statementsOf(sql: string, direction: 'up' | 'down'): Promise<number> {
  const parsed = await parser.parse(sql);
  if (!parsed.ok) return 0;
  const ctx = emptyContext(direction);
  for (const s of parsed.statements) learn(s.node, ctx);
  let n = 0;
  for (const s of parsed.statements) {
    for (const node of nodesOf(s.node, ctx)) {
      const slow = RULES.find((r) => r.match(node))?.id ?? 'unrecognised-statement';
      assert.equal(judge(node).rule, slow, `${s.text} (${node.type}${node.cmd ? ` ${node.cmd.subtype}` : ''})`);
      n++;
    }
  }
  return n;
}

describe('the rule index picks the same rule as trying the whole table in order', () => {
  it('on every family case, corpus migration and a mixed set of statements, both directions', async () => {
    const texts = [
      ...FAMILY_CASES.flatMap((c) => [c.positive, c.negative, c.downSql ?? '', c.upSql ?? '', c.earlierSql ?? '']),
      ...CORPUS.flatMap((c) => [c.migration, c.down ?? '']),
      ...EXTRA,
    ].filter((t) => t.trim());
    let n = 0;
    for (const t of texts) for (const d of ['up', 'down'] as const) n += await statementsOf(t, d);
    assert.ok(n > 500, `only ${n} nodes checked`);
  });
});
