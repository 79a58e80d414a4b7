// The classifier's verdicts checked against a real PostgreSQL: apply each migration of a
// fixture release on top of the old release's schema, run the old release's statements,
// apply the generated mitigations, run them again.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import type { Migration, MigrationVerdict } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { startPostgres, type TestPostgres } from '../../support/postgres';

const shop = join(__dirname, '../../fixtures/sql/shop');
const releaseDir = join(shop, 'release');
const baseSql = readFileSync(join(shop, 'base/000_schema.sql'), 'utf8');
const oldCode = readFileSync(join(shop, 'old-code.sql'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('--'));
const upFiles = readdirSync(releaseDir).filter((f) => f.endsWith('.up.sql')).sort();

function migrationOf(file: string, order: number): Migration {
  const id = file.split('_')[0];
  return { tool: 'golang-migrate', id, name: file, file: `release/${file}`, downFile: `release/${file.replace('.up.', '.down.')}`, order, problems: [] };
}

async function classify(file: string, order: number): Promise<MigrationVerdict> {
  return classifyMigration({
    migration: migrationOf(file, order),
    upSource: readFileSync(join(releaseDir, file)),
    downSource: readFileSync(join(releaseDir, file.replace('.up.', '.down.'))),
    parser: new PgSqlParser(),
  });
}

function mitigationsOf(v: MigrationVerdict): string[] {
  return v.findings.filter((f) => f.direction === 'up' && f.class === 'mitigate' && f.fix).map((f) => f.fix!);
}

describe('classifier verdicts agree with a real PostgreSQL', () => {
  let pg: TestPostgres;
  let caseCounter = 0;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });

  // One schema per case (CREATE DATABASE costs a checkpoint each time).
  async function freshDb(): Promise<string> {
    const schema = `case_${++caseCounter}`;
    await pg.psql(`CREATE SCHEMA ${schema};\nSET search_path TO ${schema};\n${baseSql}`);
    return schema;
  }

  function run(schema: string, sql: string): Promise<string> {
    return pg.psql(`SET search_path TO ${schema};\n${sql}`);
  }

  /**
   * The old code's statements that fail. Each runs in its own rolled-back transaction, so
   * one statement's rows do not change the next one's outcome; psql carries on after an
   * error and names the failing input line.
   */
  async function oldCodeFailures(schema: string): Promise<string[]> {
    const script = [`SET search_path TO ${schema};`, ...oldCode.map((s) => `BEGIN; ${s} ROLLBACK;`)].join('\n');
    const r = await pg.tryPsql(script, 'postgres', { stopOnError: false });
    const failed: string[] = [];
    for (const m of r.stderr.matchAll(/^psql:<stdin>:(\d+): ERROR:\s+(.*)$/gm)) {
      failed.push(`${oldCode[Number(m[1]) - 2]} -> ${m[2]}`);
    }
    return failed;
  }

  it('the old code works on the old schema (the baseline of every case)', async () => {
    const db = await freshDb();
    assert.deepEqual(await oldCodeFailures(db), []);
  });

  for (const [order, file] of upFiles.entries()) {
    it(`${file}: the verdict matches what the old code experiences`, async () => {
      const verdict = await classify(file, order);
      const db = await freshDb();
      await run(db, readFileSync(join(releaseDir, file), 'utf8'));
      const before = await oldCodeFailures(db);
      const fixes = mitigationsOf(verdict);
      for (const fix of fixes) await run(db, fix);
      const afterFix = await oldCodeFailures(db);
      if (verdict.class === 'safe') {
        assert.deepEqual(before, [], 'a safe-to-leave migration must not break the old code');
      } else if (verdict.class === 'mitigate') {
        assert.ok(before.length > 0, 'a migration that needs mitigation breaks the old code');
        assert.ok(fixes.length > 0, 'and comes with a fix');
        assert.deepEqual(afterFix, [], `the generated fixes (${fixes.join(' ')}) make the old code work again`);
      } else {
        assert.equal(verdict.class, 'destructive');
        assert.ok(before.length > 0, 'a destructive migration breaks the old code');
        assert.ok(afterFix.length > 0, 'and no statement fix repairs it');
      }
    });
  }

  it('the whole release: after all mitigations only the dropped column still breaks the old code', async () => {
    const db = await freshDb();
    const verdicts: MigrationVerdict[] = [];
    for (const [order, file] of upFiles.entries()) {
      await run(db, readFileSync(join(releaseDir, file), 'utf8'));
      verdicts.push(await classify(file, order));
    }
    const before = await oldCodeFailures(db);
    assert.ok(before.length >= 3, `several old statements fail: ${before.join('\n')}`);
    for (const fix of verdicts.flatMap(mitigationsOf)) await run(db, fix);
    const afterFix = await oldCodeFailures(db);
    assert.ok(afterFix.length > 0 && afterFix.every((f) => f.includes('legacy_note')), afterFix.join('\n'));
    assert.deepEqual(
      verdicts.map((v) => `${v.migration.id}:${v.class}`),
      ['000001:safe', '000002:mitigate', '000003:mitigate', '000004:mitigate', '000005:mitigate', '000006:destructive', '000007:safe', '000008:mitigate'],
    );
  });
});
