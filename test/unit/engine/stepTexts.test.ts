// Step texts read as sentences: the parts written elsewhere (a rule's reason and fix risk, the
// reason the operator typed, a command template) each put in once. Real plans: the fixture
// repository through the planner, and the shop's migrations classified by the real PostgreSQL
// parser through the database planner.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import { planDatabaseSteps } from '../../../src/core/database/dbPlan';
import type { MigrationVerdict } from '../../../src/core/migrations/types';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import { clause, codeSpan, sentence } from '../../../src/core/plan/sentence';
import type { PlanStep } from '../../../src/core/plan/types';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { tempDir } from './helpers';

/** A doubled full stop at a sentence's end (not an ellipsis, not a range like v1.2.0..v1.4.0), or a doubled quote. */
const DOUBLED = /(?<!\.)\.\.(?=\s|$|["')])|""|''/;
const texts = (steps: PlanStep[]): string[] => steps.flatMap((s) => [s.title, s.why]);

describe('step texts', () => {
  const tmp = tempDir('step-texts');
  let repo: AppRepo;
  let verdicts: MigrationVerdict[];
  const shop = join(__dirname, '../../fixtures/sql/shop');
  const ups = readdirSync(join(shop, 'release')).filter((f) => f.endsWith('.up.sql')).sort();
  const migrations = ups.map((f, order) => ({ tool: 'golang-migrate' as const, id: f.split('_')[0], name: f, file: `release/${f}`, downFile: `release/${f.replace('.up.', '.down.')}`, order, problems: [] }));
  const downSql = Object.fromEntries(migrations.map((m) => [m.id, readFileSync(join(shop, m.downFile), 'utf8')]));

  before(async () => {
    repo = await makeAppRepo(tmp.dir, { apiPort: 3101, workerPort: 3102 });
    const parser = new PgSqlParser();
    verdicts = await Promise.all(migrations.map((m) => classifyMigration({ migration: m, upSource: readFileSync(join(shop, m.file)), downSource: downSql[m.id], parser })));
  });
  after(() => tmp.cleanup());

  test('the reason typed in quotes and with a full stop is quoted once, its full stop said once', async () => {
    for (const reason of ['"checkout returns 500."', 'checkout returns 500.', '“checkout returns 500”']) {
      const plan = await buildPlan({ config: appRepoConfig({ apiPort: 3101, workerPort: 3102 }), environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason, createdBy: 'dana@laptop', workspaceRoot: repo.dir, runId: 'rb-texts' });
      assert.equal(plan.steps[0].why, '"Rolling back local from v1.4.0 to v1.3.0 because checkout returns 500." Hold deploys and destructive actions until the all-clear.', reason);
      assert.equal(plan.reason, reason, 'the plan keeps the reason as typed');
      for (const t of texts(plan.steps)) assert.doesNotMatch(t, DOUBLED, t);
    }
  });

  test('mitigations, down steps and backup checks of real migrations: one full stop per sentence', () => {
    const configs = [
      { tool: 'golang-migrate' as const, dir: 'release', sql: 'psql -d app', backup: { list: 'ls /backups' } },
      { tool: 'golang-migrate' as const, dir: 'release' },
      { tool: 'golang-migrate' as const, dir: 'release', down: 'migrate -path release down "{previous}"', sql: 'psql -d app' },
    ];
    let mitigations = 0;
    for (const migrationsConfig of configs) {
      for (const mode of [undefined, 'restore' as const]) {
        const steps = planDatabaseSteps({ verdicts, migrations: migrationsConfig, where: 'local', cwd: shop, downSql, priorVersion: '0', mode, writers: [{ name: 'api' }] });
        mitigations += steps.filter((s) => s.id.startsWith('db-mitigate-')).length;
        for (const t of texts(steps)) assert.doesNotMatch(t, DOUBLED, t);
      }
    }
    assert.ok(mitigations >= 4, `the fixture has mitigations with a fix risk (${mitigations})`);
  });

  test('a quoted template is named as code, its own quotes intact', () => {
    const steps = planDatabaseSteps({ verdicts, migrations: { tool: 'golang-migrate', dir: 'release', down: 'migrate -path release down "{previous}"', sql: 'psql -d app' }, where: 'local', cwd: shop, downSql, priorVersion: '0' });
    const down = steps.find((s) => s.id.startsWith('db-down-'))!;
    assert.match(down.why, /No down command: `migrate -path release down "\{previous\}"` cannot be filled in safely: \{previous\} is inside double quotes/);
  });

  test('sentence, clause, codeSpan', () => {
    assert.equal(sentence('backfill first'), 'backfill first.');
    assert.equal(sentence('backfill first.'), 'backfill first.');
    assert.equal(sentence('is it down?'), 'is it down?');
    assert.equal(sentence('(see the log.)'), '(see the log.)');
    assert.equal(clause(' "api is down." '), 'api is down');
    assert.equal(clause("'api is down'"), 'api is down');
    assert.equal(clause('api is down...'), 'api is down...');
    assert.equal(clause('"a" and "b"'), '"a" and "b"', 'not one quoted phrase: left alone');
    assert.equal(codeSpan('echo `date`'), '`` echo `date` ``');
    assert.equal(codeSpan('alembic downgrade "{previous}"'), '`alembic downgrade "{previous}"`');
  });
});
