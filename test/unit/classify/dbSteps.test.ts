// The database steps of a plan, run for real: golang-migrate-style down files through the
// configured `sql` command (psql), the applied state read from schema_migrations, and a
// backup restore with pg_dump/pg_restore as the configured commands.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAppliedState } from '../../../src/core/database/appliedState';
import { classifyMigration } from '../../../src/core/classify/classify';
import { planDatabaseSteps } from '../../../src/core/database/dbPlan';
import { compareRowCounts } from '../../../src/core/database/rowCounts';
import type { MigrationsConfig } from '../../../src/core/config/types';
import type { Migration, MigrationVerdict } from '../../../src/core/migrations/types';
import type { CommandRunner, ExecOptions, ExecResult } from '../../../src/core/ports';
import type { PlanStep } from '../../../src/core/plan/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { PsqlClient } from '../../../src/infra/sql/pgClient';
import { PG_BIN, startPostgres, type TestPostgres } from '../../support/postgres';

const shop = join(__dirname, '../../fixtures/sql/shop');
const releaseDir = join(shop, 'release');
const upFiles = readdirSync(releaseDir).filter((f) => f.endsWith('.up.sql')).sort();
const migrations: Migration[] = upFiles.map((f, order) => ({
  tool: 'golang-migrate',
  id: f.split('_')[0],
  name: f,
  file: `release/${f}`,
  downFile: `release/${f.replace('.up.', '.down.')}`,
  order,
  problems: [],
}));
const downSql = Object.fromEntries(migrations.map((m) => [m.id, readFileSync(join(shop, m.downFile!), 'utf8')]));

/** A real local shell runner (bash -c), the shape the engine's runner has. */
class LocalRunner implements CommandRunner {
  readonly where = 'local';
  run(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', command], { cwd: options.cwd });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
      });
      // A command that never reads stdin may exit before we write it.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
  }
  async dispose(): Promise<void> {}
}

const runner = new LocalRunner();

async function runStep(step: PlanStep): Promise<string> {
  let out = '';
  for (const c of step.commands) {
    const r = await runner.run(c.command, { cwd: c.cwd, input: c.input });
    assert.equal(r.code, 0, `${step.id}: ${c.command} failed: ${r.stderr}`);
    out += r.stdout;
  }
  return out;
}

async function verdictsOf(): Promise<MigrationVerdict[]> {
  const parser = new PgSqlParser();
  return Promise.all(
    migrations.map((m) => classifyMigration({ migration: m, upSource: readFileSync(join(shop, m.file)), downSource: downSql[m.id], parser })),
  );
}

describe('database steps against a real PostgreSQL', () => {
  let pg: TestPostgres;
  let work: string;
  before(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'rp-dbsteps-'));
  });
  after(async () => {
    await pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function deployRelease(db: string): Promise<void> {
    await pg.createDatabase(db);
    await pg.psql(readFileSync(join(shop, 'base/000_schema.sql'), 'utf8'), db);
    await pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);', db);
    for (const m of migrations) await pg.psql(readFileSync(join(shop, m.file), 'utf8'), db);
    await pg.psql(`INSERT INTO schema_migrations VALUES (${Number(migrations.at(-1)!.id)}, false);`, db);
    // The new release has been running: it wrote nicknames, which a down step would lose.
    await pg.psql("UPDATE customers SET nickname = 'Firsty';", db);
  }

  it('reads the applied state from schema_migrations, warns on dirty, and reports an unreachable database', async () => {
    await deployRelease('state');
    const db = new PsqlClient(runner, pg.psqlCommand('state'));
    const state = await readAppliedState({ tool: 'golang-migrate', migrations, db });
    assert.ok(state.readable);
    assert.deepEqual([...state.marks.values()], migrations.map(() => 'applied'));
    assert.deepEqual(state.drift, []);

    await pg.psql('UPDATE schema_migrations SET version = 6, dirty = true;', 'state');
    const dirty = await readAppliedState({ tool: 'golang-migrate', migrations, db });
    assert.deepEqual([...dirty.marks.values()].slice(5), ['applied', 'pending', 'pending']);
    assert.match(dirty.drift.join('\n'), /dirty at version 6/);

    const nothing = await readAppliedState({ tool: 'alembic', migrations, db });
    assert.equal(nothing.readable, false);
    assert.match(nothing.message!, /no alembic_version table/);

    const closed = new PsqlClient(runner, `psql -h 127.0.0.1 -p 1 -U postgres -d state`);
    const down = await readAppliedState({ tool: 'golang-migrate', migrations, db: closed });
    assert.equal(down.readable, false);
    assert.match(down.message!, /Cannot read schema_migrations: .*(refused|could not connect)/s);
  });

  it('plans mitigations, a backup check, then one confirmed down step per migration newest first; each down runs exactly its shown SQL', async () => {
    await deployRelease('downs');
    const config: MigrationsConfig = { tool: 'golang-migrate', dir: 'release', sql: pg.psqlCommand('downs'), backup: { list: `ls -l --time-style=full-iso ${work}` } };
    const verdicts = await verdictsOf();
    const steps = planDatabaseSteps({ verdicts, migrations: config, where: 'local', cwd: shop, downSql, priorVersion: '0' });
    assert.deepEqual(
      steps.map((s) => s.id),
      ['db-summary', 'db-mitigate-000002-1', 'db-mitigate-000003-1', 'db-mitigate-000004-1', 'db-mitigate-000005-1', 'db-backup-check', 'db-down-000008', 'db-down-000007', 'db-down-000006'],
    );
    assert.match(steps[0].title, /8 migrations: 2 safe to leave, 5 needs mitigation, 1 destructive/);
    const downs = steps.filter((s) => s.id.startsWith('db-down-'));
    assert.ok(downs.every((s) => s.destructive && s.confirmEach));
    const down7 = downs[1];
    assert.match(down7.why, /Data loss on the way down: .*customers\.nickname/);

    // The step's stdin is what the user is shown; it is the .down.sql itself plus the version bookkeeping.
    const down8 = downs[0];
    assert.ok(down8.commands[0].input!.includes(downSql['000008'].trim()));
    assert.match(down8.commands[0].input!, /UPDATE schema_migrations SET version = 7, dirty = false;/);

    for (const s of steps.filter((x) => x.id.startsWith('db-mitigate-'))) await runStep(s);
    // The resume check a down step carries: false before it ran, true after; a resume never runs a down twice.
    const done = async (s: PlanStep) => (await runner.run(s.alreadyDone!.command, { input: s.alreadyDone!.input })).code === 0;
    assert.equal(await done(down8), false, 'before the down step, 000008 is still recorded');
    await runStep(down8);
    assert.equal(await done(down8), true, 'after it, 000008 is gone and 000007 is recorded');
    assert.equal(await done(down7), false, 'the next down step has not run yet');
    assert.equal((await pg.psql('SELECT version, dirty FROM schema_migrations;', 'downs')).trim(), '7\tf');
    assert.equal((await pg.psql("SELECT count(*) FROM pg_constraint WHERE conname = 'orders_quantity_check';", 'downs')).trim(), '0');

    await runStep(down7);
    assert.equal((await pg.psql('SELECT version FROM schema_migrations;', 'downs')).trim(), '6');
    assert.equal((await pg.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'nickname';", 'downs')).trim(), '0');
  });

  it('the resume check reads each tool\'s own table as the tool writes it: alembic_version by revision, knex_migrations by file name', async () => {
    await pg.createDatabase('resume');
    const psql = pg.psqlCommand('resume');
    const check = (tool: 'alembic' | 'knex', id: string, file: string, previous: string) => {
      const v: MigrationVerdict = { migration: { tool, id, file }, class: 'destructive', findings: [] };
      const steps = planDatabaseSteps({ verdicts: [v], migrations: { tool, down: 'true', sql: psql }, where: 'local', cwd: work, previousOf: { [id]: previous }, priorVersion: previous, backupAgeCheck: false });
      return steps.find((s) => s.id === `db-down-${id}`)!.alreadyDone!;
    };
    const done = async (c: { command: string; input?: string }) => (await runner.run(c.command, { input: c.input })).code === 0;

    await pg.psql("CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('c3f1');", 'resume');
    const alembic = check('alembic', 'c3f1', 'alembic/versions/c3f1_drop.py', 'b2e0');
    assert.equal(await done(alembic), false, 'c3f1 is the head: not undone');
    await pg.psql("UPDATE alembic_version SET version_num = 'b2e0';", 'resume');
    assert.equal(await done(alembic), true, 'the head is b2e0: c3f1 was undone');
    await pg.psql('DELETE FROM alembic_version;', 'resume');
    assert.equal(await done(alembic), false, 'neither recorded: something else happened, run the step (after asking) rather than skip it');

    await pg.psql("CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz); INSERT INTO knex_migrations (name, batch) VALUES ('20240101_a.js', 1), ('20240202_b.js', 2);", 'resume');
    const knex = check('knex', '20240202_b', 'migrations/20240202_b.js', '20240101_a');
    assert.equal(await done(knex), false);
    await pg.psql("DELETE FROM knex_migrations WHERE name = '20240202_b.js';", 'resume');
    assert.equal(await done(knex), true);
  });

  it('restores a pg_dump backup: writers stopped first, migration table and row counts verified after', async () => {
    await pg.createDatabase('restore');
    await pg.psql(readFileSync(join(shop, 'base/000_schema.sql'), 'utf8'), 'restore');
    await pg.psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);', 'restore');
    await pg.psql("INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', 'C' FROM generate_series(1, 40) g;", 'restore');
    const countsSql = "SELECT 'customers', count(*) FROM customers UNION ALL SELECT 'orders', count(*) FROM orders UNION ALL SELECT 'shipments', count(*) FROM shipments;";
    const before = await pg.psql(countsSql, 'restore');
    const dump = join(work, 'restore-20240501-120000.dump');
    const conn = `-h 127.0.0.1 -p ${pg.port} -U postgres`;
    const backup = await runner.run(`${PG_BIN}/pg_dump ${conn} -Fc -f ${dump} restore`);
    assert.equal(backup.code, 0, backup.stderr);

    // The bad release runs and destroys data.
    for (const m of migrations) await pg.psql(readFileSync(join(shop, m.file), 'utf8'), 'restore');
    await pg.psql("INSERT INTO schema_migrations VALUES (8, false); DELETE FROM customers WHERE id > 10;", 'restore');

    const stopped = join(work, 'api-stopped');
    const config: MigrationsConfig = {
      tool: 'golang-migrate',
      sql: `${pg.psqlCommand('restore')} -A -t`,
      backup: { list: `ls -1 ${work}`, restore: `test -f ${stopped} && ${PG_BIN}/pg_restore ${conn} --clean --if-exists -d restore ${dump}` },
    };
    const steps = planDatabaseSteps({ verdicts: await verdictsOf(), migrations: config, where: 'local', cwd: work, mode: 'restore', writers: [{ name: 'api', stop: `touch ${stopped}` }] });
    const ids = steps.map((s) => s.id);
    assert.deepEqual(ids, ['db-summary', 'db-backup-check', 'db-stop-writer-api', 'db-count-rows', 'db-restore', 'db-verify-migrations', 'db-verify-rows']);
    assert.ok(steps.find((s) => s.id === 'db-restore')!.destructive);

    const outputs: Record<string, string> = {};
    for (const s of steps) {
      if (s.id === 'db-restore') assert.ok(existsSync(stopped), 'the writers are stopped before the restore starts');
      outputs[s.id] = await runStep(s);
    }
    assert.match(outputs['db-backup-check'], /restore-20240501-120000\.dump/);
    assert.equal(outputs['db-verify-migrations'].trim(), '', 'the restored schema_migrations records none of the bad release');
    // A backup taken after the deploy would bring the bad release's bookkeeping back: the check fails the step.
    await pg.psql('INSERT INTO schema_migrations VALUES (8, false);', 'restore');
    const verify = steps.find((x) => x.id === 'db-verify-migrations')!.commands[0];
    const late = await runner.run(verify.command, { input: verify.input });
    assert.notEqual(late.code, 0);
    assert.match(late.stderr, /schema_migrations still records the bad release's migrations \(000001, .*000008\): this backup was taken after the deploy/);
    await pg.psql('DELETE FROM schema_migrations;', 'restore');
    const norm = (s: string) => s.trim().split('\n').map((l) => l.replace(/[|\t]/g, ' ')).sort();
    assert.deepEqual(norm(outputs['db-verify-rows']), norm(before));
    // What the engine records for the check: the counts of the damaged database against the restored one.
    assert.deepEqual(compareRowCounts(outputs['db-count-rows'], outputs['db-verify-rows']), { ok: true, detail: 'rows before → after the restore: customers 10 → 41, orders 1 → 1, shipments 0 → 0' });
    assert.deepEqual(norm(before), ['customers 41', 'orders 1', 'shipments 0']);
  });
});
