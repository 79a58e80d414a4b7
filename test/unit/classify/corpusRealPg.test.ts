// The corpus (test/unit/classify/corpus/*.ts) against a real PostgreSQL. For each case the
// classifier reads the migration as a user's repository holds it (through classifyFromFiles:
// the tool's configuration, the earlier migrations of the folder), and the database says
// what happens to the previous release (corpus/world.ts). Agreement:
//   - "safe" exactly when every old statement behaves as before and no row lost a value;
//   - a row that existed before lost a value → the verdict must be "destructive" (no schema
//     fix brings data back, so "mitigate" would mislead);
//   - where every mitigation comes with a fix, the old statements behave as before once the
//     fixes ran;
//   - "unknown" only where the classifier cannot know from the files (`undecidable`), and
//     there any verdict but "safe".
// The figures (agreement per family, class shares, unknown share) are printed at the end.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MigrationClass } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { CORPUS } from './corpus';
import { agrees, pool, truth, verdict, why as whyOf, type Judged } from './corpus/judge';
import { inSchema, ROLES } from './corpus/schema';
import { allStatements, changedStatements, runWorld } from './corpus/world';

const parser = new PgSqlParser();

describe('corpus: the verdict agrees with what a real PostgreSQL does to the previous release', () => {
  let pg: TestPostgres;
  const judged: Judged[] = [];
  before(async () => {
    pg = await startPostgres();
    await pg.psql(ROLES.map((r) => `CREATE ROLE ${r}${r === 'app' ? ' LOGIN' : ''};`).join('\n'));
    for (const [i, c] of CORPUS.entries()) judged.push({ ...(await verdict(inSchema(c, `corpus_${i}`), parser)), world: undefined });
    // One psql session per case, three at a time; each world is a rolled-back transaction in its own schema.
    await pool(judged, 3, async (j, i) => {
      try {
        j.world = await runWorld(pg, j.c, `corpus_${i}`, j.allFixed ? j.fixes : []);
      } catch (e) {
        j.error = (e as Error).message;
      }
    });
  });
  after(async () => {
    const tally = new Map<string, { agree: number; total: number }>();
    const shares = new Map<MigrationClass, number>();
    let fixedOk = 0;
    let fixedTotal = 0;
    for (const j of judged) {
      if (!j.world) continue;
      const t = tally.get(j.c.family) ?? { agree: 0, total: 0 };
      t.total++;
      if (agrees(j)) t.agree++;
      tally.set(j.c.family, t);
      shares.set(j.cls, (shares.get(j.cls) ?? 0) + 1);
      if (j.world.fixed) {
        fixedTotal++;
        if (changedStatements(allStatements(j.c), j.world.before, j.world.fixed).length === 0) fixedOk++;
      }
    }
    for (const [family, t] of [...tally].sort()) console.log(`corpus real-PG agreement, family ${family}: ${t.agree}/${t.total}`);
    const all = [...tally.values()].reduce((a, t) => ({ agree: a.agree + t.agree, total: a.total + t.total }), { agree: 0, total: 0 });
    const undecidable = judged.filter((j) => j.c.undecidable !== undefined);
    console.log(`corpus real-PG agreement, all: ${all.agree}/${all.total} (${undecidable.length} of them the files cannot decide; there only "never safe" is asked: ${undecidable.filter((j) => j.cls !== 'safe').length}/${undecidable.length}); fixes that give the old code back its behaviour: ${fixedOk}/${fixedTotal}`);
    console.log(`corpus unknown share: ${(((shares.get('unknown') ?? 0) / Math.max(1, judged.length)) * 100).toFixed(1)}% (${shares.get('unknown') ?? 0}/${judged.length}); unknown where the files decide: ${judged.filter((j) => j.cls === 'unknown' && j.c.undecidable === undefined).length}`);
    console.log(`corpus class shares: ${['safe', 'mitigate', 'destructive', 'unknown'].map((k) => `${k} ${shares.get(k as MigrationClass) ?? 0}`).join(', ')}`);
    await pg?.stop();
  });

  it(`has at least 200 cases, every family of issue 14 represented`, () => {
    assert.ok(CORPUS.length >= 200, `${CORPUS.length} cases`);
    const families = new Set(CORPUS.map((c) => c.family));
    for (const f of ['1 alembic helpers', '2 dialect', '3 access control', '4 foreign keys', '5 shape-keeping', '6 too strict']) assert.ok(families.has(f as never), f);
  });

  for (const [i, c] of CORPUS.entries()) {
    it(`${c.family}: ${c.name}`, () => {
      const j = judged[i];
      assert.equal(j.error, undefined, j.error);
      assert.deepEqual(j.world!.setupErrors, [], 'the case runs on PostgreSQL as written');
      const t = truth(j);
      const why = whyOf(j);
      if (j.c.undecidable !== undefined) assert.notEqual(j.cls, 'safe', `${j.c.undecidable}: never safe; ${why}`);
      else if (j.cls === 'unknown') assert.fail(`unknown where the files decide: ${why}`);
      else if (t.kind === 'same') assert.equal(j.cls, 'safe', why);
      else if (t.kind === 'loses') assert.equal(j.cls, 'destructive', why);
      else assert.notEqual(j.cls, 'safe', why);
      if (j.world!.fixed) {
        assert.deepEqual(changedStatements(allStatements(j.c), j.world!.before, j.world!.fixed), [], `after the fixes (${j.fixes.join(' ')}) the old code behaves as before; ${why}`);
      }
    });
  }

  it('every rule of the table fires in some case and stays silent in a case meant for it', async () => {
    const { RULES } = await import('../../../src/core/classify/rules');
    const missing: string[] = [];
    // DROP DATABASE cannot run inside the transaction each world is (rules.test.ts has its cases).
    const notInADatabaseWorld = new Set(['ban-drop-database']);
    for (const id of new Set(RULES.map((r) => r.id).filter((r) => !notInADatabaseWorld.has(r)))) {
      const meant = judged.filter((j) => j.c.rules.includes(id));
      const pos = meant.some((j) => j.findings.some((f) => f.rule === id));
      const neg = meant.some((j) => !j.findings.some((f) => f.rule === id));
      if (!pos || !neg) missing.push(`${id}${pos ? '' : ' (no positive)'}${neg ? '' : ' (no negative)'}`);
    }
    assert.deepEqual(missing, []);
  });
});
