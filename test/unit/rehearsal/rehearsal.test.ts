// Rollback: Rehearse Database Steps against real PostgreSQL servers: "production" (with a
// change a DBA made by hand that the migration files do not show) and a scratch server of
// its own. The plan is the product's, from real golang-migrate files, the real classifier
// and the real planner; the schema is read with pg_dump through the environment's sql:
// path. A mitigation that fails on the real schema is caught by the rehearsal, the
// production run never starts, and production is exactly as it was.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import type { RollbackConfig } from '../../../src/core/config/types';
import { databasePlanInput, planDatabaseSection } from '../../../src/core/database/section';
import { detectMigrations, migrationsForFiles } from '../../../src/core/migrations';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { RollbackPlan } from '../../../src/core/plan/types';
import { renderRehearsal } from '../../../src/core/rehearsal/report';
import { RollbackRunner } from '../../../src/core/run/runner';
import { confirmPlanWithRehearsal, hasRehearsableSteps, rehearsePlan, runAfterRehearsal, ScratchUnreachableError, type RehearsalFlow } from '../../../src/app/rehearsal';
import type { FlowUi } from '../../../src/app/ui';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { PsqlScratchServer } from '../../../src/infra/sql/psqlScratch';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { commitRelease, git, newRepo } from '../migrationTools/support';

const BASE_SCHEMA = `
CREATE ROLE app NOLOGIN;
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), total int NOT NULL, note text);
ALTER TABLE orders OWNER TO app;
GRANT SELECT ON customers TO app;
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
`;

const RELEASE = {
  'db/migrations/000001_orders.up.sql': 'SELECT 1;\n',
  'db/migrations/000001_orders.down.sql': 'SELECT 1;\n',
};
const BAD = {
  // Requires a note on every order: the old code inserts orders without one, so the plan mitigates (DROP NOT NULL).
  'db/migrations/000002_require_note.up.sql': 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n',
  'db/migrations/000002_require_note.down.sql': 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;\n',
  // Drops customers.email, which the old code reads: undone with its down file.
  'db/migrations/000003_drop_email.up.sql': 'ALTER TABLE customers DROP COLUMN email;\n',
  'db/migrations/000003_drop_email.down.sql': 'ALTER TABLE customers ADD COLUMN email text;\n',
};

describe('rehearsing the database steps on a scratch copy of the real schema (real PostgreSQL x2, pg_dump, psql)', () => {
  let prod: TestPostgres;
  let scratch: TestPostgres;
  const tmp = tempDir('rehearsal');
  let n = 0;
  before(async () => {
    [prod, scratch] = await Promise.all([startPostgres(), startPostgres()]);
  });
  after(async () => {
    await Promise.all([prod?.stop(), scratch?.stop()]);
    tmp.cleanup();
  });

  /** Production at the bad release, with the DBA's hand-made change when `drift` is set; the plan the product makes for it. */
  async function shop(opts: { drift: boolean; scratchUrl?: string; schemaDump?: string }): Promise<{ plan: RollbackPlan; config: RollbackConfig; db: string; repo: string }> {
    const db = `prod${++n}`;
    await prod.createDatabase(db);
    await prod.psql(n === 1 ? BASE_SCHEMA : BASE_SCHEMA.replace('CREATE ROLE app NOLOGIN;', ''), db);
    await prod.psql("INSERT INTO customers (email) VALUES ('a@example.com'); INSERT INTO orders (customer_id, total, note) VALUES (1, 10, 'first');", db);
    await prod.psql('ALTER TABLE orders ALTER COLUMN note SET NOT NULL; ALTER TABLE customers DROP COLUMN email; INSERT INTO schema_migrations VALUES (3, false);', db);
    // By hand on production, not in any migration: note became part of the primary key, so DROP NOT NULL cannot work there.
    if (opts.drift) await prod.psql('ALTER TABLE orders DROP CONSTRAINT orders_pkey; ALTER TABLE orders ADD PRIMARY KEY (id, note);', db);

    const repo = join(tmp.dir, `repo${n}`);
    newRepo(repo);
    commitRelease(repo, 'v1.3.0', RELEASE);
    commitRelease(repo, 'v1.4.0', BAD);
    const config: RollbackConfig = {
      releases: { tags: 'v*' },
      environments: [{ name: 'production', host: 'local', path: repo, branch: 'main', strategy: 'checkout', push: false, configFiles: [], commandTimeoutMs: 120_000 }],
      services: [],
      migrations: {
        tool: 'golang-migrate',
        dir: 'db/migrations',
        sql: prod.psqlCommand(db),
        scratch: { url: opts.scratchUrl ?? scratch.connString('postgres'), readyMs: 10_000 },
        ...(opts.schemaDump ? { schemaDump: opts.schemaDump } : {}),
      },
      notify: { webhook: false, escalateAtMinutes: [] },
      isDefault: false,
    };
    const fs = new NodeFileSystem(repo);
    const groups = await detectMigrations(fs, { tool: 'golang-migrate', dir: 'db/migrations' });
    const changed = git(repo, 'diff', '--name-only', 'v1.3.0', 'v1.4.0').split('\n');
    const added = migrationsForFiles(groups, changed);
    const parser = new PgSqlParser();
    const downSql: Record<string, string> = {};
    const verdicts = [];
    for (const m of added) {
      downSql[m.id] = new TextDecoder().decode(await fs.readFile(m.downFile!));
      verdicts.push(await classifyMigration({ migration: m, upSource: await fs.readFile(m.file), downSource: downSql[m.id], parser }));
    }
    const env = config.environments[0];
    const facts = { added, verdicts, groups, changed, migrations: config.migrations, env, cwd: repo, downSql, services: [] };
    const section = planDatabaseSection(facts, databasePlanInput(facts));
    const plan = await buildPlan({
      config, environment: 'production', git: gitQueriesVia(new LocalCommandRunner(), repo), from: 'v1.4.0', to: 'v1.3.0', targetSource: 'previous-tag',
      reason: 'orders cannot be placed', createdBy: 'dana@laptop', databaseSteps: section.steps, keepMigrationFiles: section.keep, verifySteps: section.verify,
    });
    return { plan, config, db, repo };
  }

  const deps = (repo: string) => ({
    runnerFor: () => new LocalCommandRunner(),
    parser: new PgSqlParser(),
    workspaceRoot: repo,
    scratchServer: (url: string) => new PsqlScratchServer(url),
  });

  const scratchDatabases = async () => (await scratch.psql("SELECT datname FROM pg_database WHERE datname LIKE 'rp_rehearsal_%'")).trim();

  test('a mitigation that fails on the real schema is caught: the report names the statement and PostgreSQL\'s error, and the production run never starts', { timeout: 120_000 }, async () => {
    const s = await shop({ drift: true });
    assert.ok(hasRehearsableSteps(s.plan));
    assert.deepEqual(s.plan.steps.filter((x) => x.id.startsWith('db-mitigate') || x.id.startsWith('db-down')).map((x) => x.id), ['db-mitigate-2-1', 'db-down-3']);
    const before = await prod.psql("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'", s.db);

    const journals = join(tmp.dir, `journals${n}`);
    let runStarted = false;
    const engine = new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: new FileJournalStore(journals), prompter: new ScriptedPrompter([], 'production'), http: new NodeHttp(), operator: 'dana@laptop' });
    const outcome = await runAfterRehearsal(() => rehearsePlan(s.plan, s.config, deps(s.repo)), async () => {
      runStarted = true;
      return engine.run(s.plan);
    });

    const { report } = outcome;
    assert.equal(report.ok, false);
    const mitigation = report.units.find((u) => u.stepId === 'db-mitigate-2-1')!;
    assert.equal(mitigation.outcome, 'failed');
    assert.equal(mitigation.statements[0].outcome, 'failed');
    assert.match(mitigation.statements[0].error!, /column "note" is in a primary key \(SQLSTATE 42P16\)/);
    assert.match(outcome.refusal!, /^Nothing ran on production: the rehearsal of "Mitigate db\/migrations\/000002_require_note\.up\.sql:1: ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;?" failed on a copy of its schema at line 1 .*column "note" is in a primary key/);
    assert.equal(runStarted, false, 'the production run was started');
    assert.ok(!existsSync(journals) || readdirSync(journals).length === 0, 'a journal was written: the run began');
    assert.equal(await prod.psql("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'", s.db), before);

    // The down step was rehearsed too, in its own transaction as production runs it, with the locks it took.
    const down = report.units.find((u) => u.stepId === 'db-down-3')!;
    assert.equal(down.outcome, 'ok');
    assert.match(down.note, /rehearsed after .* failed, where the production run would have stopped first/);
    const add = down.statements.find((st) => /ADD COLUMN email/.test(st.text))!;
    assert.equal(add.outcome, 'ok');
    assert.deepEqual(add.locks?.map((l) => `${l.mode} on ${l.on}`), ['AccessExclusiveLock on public.customers']);
    assert.ok(down.statements.some((st) => /UPDATE schema_migrations SET version = 2/.test(st.text) && st.outcome === 'ok'));
    // The roles the schema names were there for the load; nothing is left on the scratch server.
    assert.deepEqual(report.rolesCreated, ['app']);
    assert.deepEqual(report.loadErrors, []);
    assert.deepEqual(report.cleanup, []);
    assert.equal(await scratchDatabases(), '');
    assert.equal((await scratch.psql("SELECT count(*) FROM pg_roles WHERE rolname = 'app'")).trim(), '0');

    const text = renderRehearsal(report);
    // REHEARSAL_REPORT=<file> keeps the report a user would read, to look at it.
    if (process.env.REHEARSAL_REPORT) writeFileSync(process.env.REHEARSAL_REPORT, text);
    assert.match(text, /✗ FAILED, \d+ ms — line 1: `ALTER TABLE orders ALTER COLUMN note DROP NOT NULL`/);
    assert.match(text, /locks: AccessExclusiveLock on public\.customers/);
    assert.match(text, /How this was measured[\s\S]*pg_locks/);
  });

  test('without the drift every step passes, and the run is let through', { timeout: 120_000 }, async () => {
    const s = await shop({ drift: false });
    let ran = false;
    const outcome = await runAfterRehearsal(() => rehearsePlan(s.plan, s.config, deps(s.repo)), async () => {
      ran = true;
      return 'ran';
    });
    assert.equal(outcome.report.ok, true, renderRehearsal(outcome.report));
    assert.equal(outcome.refusal, undefined);
    assert.equal(ran, true);
    const mitigation = outcome.report.units.find((u) => u.stepId === 'db-mitigate-2-1')!;
    assert.deepEqual(mitigation.statements.map((st) => [st.outcome, st.locks?.map((l) => `${l.mode} on ${l.on}`)]), [['ok', ['AccessExclusiveLock on public.orders']]]);
    // Production untouched by the rehearsal itself.
    assert.equal((await prod.psql("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'", s.db)).trim(), 'NO');
    assert.equal(await scratchDatabases(), '');
  });

  /** The questions and messages of the flow, answered as an operator who picks "Rehearse first" and would then run. */
  function scriptedUi(): { ui: FlowUi; asked: string[]; said: string[]; shown: string[] } {
    const asked: string[] = [];
    const said: string[] = [];
    const shown: string[] = [];
    const prompter = {
      confirmPlanOrRehearse: () => (asked.push('run or rehearse?'), Promise.resolve('rehearse' as const)),
      confirmPlan: () => (asked.push('run?'), Promise.resolve(true)),
    };
    const presenter = { info: (m: string) => void said.push(`info: ${m}`), error: (m: string) => (said.push(`error: ${m}`), Promise.resolve(undefined)) };
    return { ui: { prompter, presenter } as unknown as FlowUi, asked, said, shown };
  }
  const flow = (repo: string, config: RollbackConfig, shown: string[]): RehearsalFlow => ({
    rehearse: (plan) => rehearsePlan(plan, config, deps(repo)),
    show: (markdown) => (shown.push(markdown), Promise.resolve()),
    redact: (t) => t,
    available: () => Promise.resolve(!!config.migrations.scratch?.url),
  });

  test('without migrations.scratch "Rehearse first" is not offered: the plain question is asked', { timeout: 120_000 }, async () => {
    const s = await shop({ drift: false });
    const { ui, asked, shown } = scriptedUi();
    const noScratch = { ...s.config, migrations: { ...s.config.migrations, scratch: undefined } };
    assert.equal(await confirmPlanWithRehearsal(s.plan, ui, flow(s.repo, noScratch, shown)), 'run');
    assert.deepEqual(asked, ['run?']);
    assert.equal(shown.length, 0);
  });

  test('"Rehearse first" with the preview: a failed rehearsal ends the flow, the report is shown and the plan is never offered to run', { timeout: 120_000 }, async () => {
    const s = await shop({ drift: true });
    const { ui, asked, said, shown } = scriptedUi();
    assert.equal(await confirmPlanWithRehearsal(s.plan, ui, flow(s.repo, s.config, shown)), 'rehearsal-failed');
    assert.deepEqual(asked, ['run or rehearse?']);
    assert.match(shown[0], /^# Rehearsal of the database steps: production/);
    assert.match(said.at(-1)!, /^error: Nothing ran on production: the rehearsal of "Mitigate .*" failed on a copy of its schema .*column "note" is in a primary key/);
  });

  test('"Rehearse first" that passes asks again, now to run', { timeout: 120_000 }, async () => {
    const s = await shop({ drift: false });
    const { ui, asked, said, shown } = scriptedUi();
    assert.equal(await confirmPlanWithRehearsal(s.plan, ui, flow(s.repo, s.config, shown)), 'run');
    assert.deepEqual(asked, ['run or rehearse?', 'run?']);
    assert.equal(shown.length, 1);
    assert.match(said.at(-1)!, /^info: The rehearsal passed: 2 database step\(s\) ran on a copy of production's schema without an error/);
  });

  test('a scratch server that cannot be reached is named with the client\'s own message, before production is read', { timeout: 60_000 }, async () => {
    const marker = join(tmp.dir, 'dump-ran');
    const s = await shop({ drift: false, scratchUrl: 'postgresql://postgres:s3cret@127.0.0.1:1/postgres', schemaDump: `touch ${marker} && pg_dump --schema-only` });
    await assert.rejects(rehearsePlan(s.plan, s.config, deps(s.repo)), (e: Error) => {
      assert.ok(e instanceof ScratchUnreachableError, e.stack);
      assert.match(e.message, /^The scratch database postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres \(migrations\.scratch in rollback\.yml\) cannot be reached: .*(refused|could not connect)/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
    assert.ok(!existsSync(marker), 'production was read although the scratch server was down');
  });
});
