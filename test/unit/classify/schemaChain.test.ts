// The earlier schema of a folder is folded once along each chain of files and kept at
// checkpoints (history.ts foldChain). A whole pass over a folder, in any order and many at a
// time, must give every migration exactly the schema that folding all its earlier files from
// scratch gives: checked over random folders of 1–60 SQL files with fast-check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { earlierSchemaFor } from '../../../src/core/classify/history';
import type { BeforeSchema } from '../../../src/core/classify/rules/common';
import { earlierSchema } from '../../../src/core/classify/schemaHistory';
import type { SqlStatement } from '../../../src/core/classify/sqlPort';
import type { Migration } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { memoryFs } from './corpus/repository';

const parser = new PgSqlParser();

/** Statements that each change something the history keeps; every file also has an ALTER … TYPE so it asks the earlier schema. */
const statement = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('smallint', 'integer', 'bigint', 'text')).map(([t, ty]) => `CREATE TABLE IF NOT EXISTS t${t} (id serial PRIMARY KEY, n ${ty} DEFAULT 1);`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('integer', 'bigint', 'varchar(20)')).map(([t, ty]) => `ALTER TABLE t${t} ALTER COLUMN n TYPE ${ty};`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 })).map(([t, d]) => `ALTER TABLE t${t} ALTER COLUMN n SET DEFAULT ${d};`),
  fc.integer({ min: 0, max: 3 }).map((t) => `ALTER TABLE t${t} ALTER COLUMN n DROP DEFAULT;`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([t, u]) => `CREATE ${u ? 'UNIQUE ' : ''}INDEX t${t}_n_idx ON t${t} (n);`),
  fc.integer({ min: 0, max: 3 }).map((t) => `DROP INDEX t${t}_n_idx;`),
  fc.integer({ min: 0, max: 9 }).map((v) => `CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT ${v} $$ LANGUAGE sql;`),
  fc.integer({ min: 0, max: 3 }).map((t) => `ALTER TABLE t${t} ENABLE ROW LEVEL SECURITY;`),
);

// size 'max': fast-check's default keeps arrays near 10 long, below the first checkpoint.
const folder = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 60, size: 'max' });

function plain(b: BeforeSchema): unknown {
  const map = (m: Map<string, unknown>) => [...m].map(([k, v]) => [k, v && typeof v === 'object' && 'text' in v ? (v as { text: string; from: string }).from + (v as { text: string }).text : v]).sort();
  return {
    columnTypes: map(b.columnTypes),
    columnDefaults: map(b.columnDefaults),
    constraints: map(b.constraints),
    indexes: map(b.indexes),
    uniqueKeys: map(b.uniqueKeys),
    functionDefs: map(b.functionDefs),
    viewDefs: map(b.viewDefs),
    viewColumns: map(b.viewColumns),
    rowSecurity: [...(b.rowSecurity ?? [])].sort(),
  };
}

describe('the earlier schema along a folder (checkpointed chains)', () => {
  it('equals folding every earlier file from scratch, for each migration of a pass, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(folder, fc.integer({ min: 1, max: 16 }), fc.integer(), async (files, width, seed) => {
        const names = files.map((_, i) => `migrations/${String(i + 1).padStart(4, '0')}_step.sql`);
        // Each file's own index too: a state shared where it should be copied then shows files it should not.
        const texts = files.map((stmts, i) => `${stmts.join('\n')}\nCREATE INDEX m${i}_idx ON t0 (n);\nALTER TABLE t0 ALTER COLUMN n TYPE bigint;\n`);
        const fs = memoryFs(Object.fromEntries(names.map((n, i) => [n, texts[i]])));
        const order = names.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        const got = new Map<number, BeforeSchema | undefined>();
        for (let i = 0; i < order.length; i += width) {
          await Promise.all(
            order.slice(i, i + width).map(async (k) => {
              const m: Migration = { tool: 'sql', id: names[k], name: names[k], file: names[k], order: k, problems: [] };
              got.set(k, await earlierSchemaFor(fs, '.', m, texts[k], parser));
            }),
          );
        }
        for (let k = 0; k < names.length; k++) {
          const earlier: Array<{ path: string; statements: SqlStatement[] }> = [];
          for (let j = 0; j < k; j++) {
            const p = await parser.parse(texts[j]);
            assert.ok(p.ok);
            earlier.push({ path: names[j], statements: p.statements });
          }
          const schema = got.get(k);
          assert.ok(schema, `${names[k]} asks the earlier schema`);
          assert.deepEqual(plain(schema), plain(earlierSchema(earlier)), `${names[k]} of ${names.length}`);
        }
      }),
      { numRuns: 40 },
    );
  });
});
