import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import { backupCheckStep, planDatabaseSteps, undoChoice } from '../../../src/core/database/dbPlan';
import type { MigrationTool } from '../../../src/core/config/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

const parser = new PgSqlParser();
const verdict = (tool: MigrationTool, id: string, upSource: string) =>
  classifyMigration({ migration: { tool, id, name: id, file: `versions/${id}.py`, order: 0, problems: [] }, upSource, parser });
const py = (body: string) => `from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    ${body}\n\ndef downgrade():\n    pass\n`;

describe('planDatabaseSteps (pure)', () => {
  it('Alembic: each down step is preceded by the tool\'s own preview and runs the configured one-step down', async () => {
    const vs = [
      await verdict('alembic', 'a1', py("op.add_column('t', sa.Column('c', sa.Text()))")),
      await verdict('alembic', 'b2', py("op.drop_column('t', 'legacy')")),
      await verdict('alembic', 'c3', py("op.create_index('ix', 't', ['c'])")),
    ];
    const steps = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'alembic', down: 'alembic downgrade -1', preview: 'alembic downgrade -1 --sql', sql: 'psql -d app' }, where: 'deploy@prod', cwd: '/opt/app' });
    assert.deepEqual(steps.map((s) => s.id), ['db-summary', 'db-backup-check', 'db-preview-c3', 'db-down-c3', 'db-preview-b2', 'db-down-b2']);
    assert.equal(steps[2].commands[0].command, 'alembic downgrade -1 --sql');
    assert.equal(steps[3].commands[0].command, 'alembic downgrade -1');
    assert.ok(steps[3].confirmEach && steps[3].destructive && steps[5].confirmEach && steps[5].destructive);
    assert.match(steps[5].why, /Chained down step/);
    assert.equal(steps[3].commands[0].where, 'deploy@prod');
    assert.match(steps[0].title, /3 migrations: 2 safe to leave, 1 destructive/);
    assert.match(steps[0].why, /versions\/a1\.py, versions\/c3\.py/);
  });

  it('mitigations go to the sql command on stdin, with ON_ERROR_STOP added so a failed fix is not "ok"', async () => {
    const vs = [await verdict('alembic', 'a1', py("op.alter_column('orders', 'region', nullable=False)"))];
    const steps = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'alembic', sql: 'docker exec db psql -U app -d app' }, where: 'local', cwd: '.' });
    const m = steps.find((s) => s.id === 'db-mitigate-a1-1')!;
    assert.equal(m.commands[0].command, 'docker exec db psql -U app -d app -v ON_ERROR_STOP=1');
    assert.equal(m.commands[0].input, 'ALTER TABLE orders ALTER COLUMN region DROP NOT NULL;\n');
    assert.equal(m.destructive, false);
    assert.ok(!steps.some((s) => s.id === 'db-backup-check'), 'no backup check when nothing destructive is planned');
  });

  it('without a down command or down SQL, the plan falls back to the backup restore path', async () => {
    const vs = [await verdict('prisma', 'p1', 'ALTER TABLE t DROP COLUMN c;')];
    const steps = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'prisma', sql: 'psql', backup: { list: 'ls backups', restore: 'pg_restore -d app latest.dump' } }, where: 'local', cwd: '.', writers: [{ name: 'api', stop: 'docker compose stop api' }] });
    assert.deepEqual(steps.map((s) => s.id), ['db-summary', 'db-backup-check', 'db-down-p1', 'db-stop-writer-api', 'db-count-rows', 'db-restore', 'db-verify-migrations', 'db-verify-rows']);
    assert.equal(steps[2].commands.length, 0);
    assert.match(steps[2].title, /No down step available/);
  });

  it('fills {id}, {previous} and {file} per down step; Alembic lands on the down_revision, not the apply-order neighbour', async () => {
    const vs = [
      await verdict('alembic', 'a1', py("op.drop_column('t', 'x')")),
      await verdict('alembic', 'b2', py("op.drop_column('t', 'y')")),
    ];
    const steps = planDatabaseSteps({
      verdicts: vs,
      migrations: { tool: 'alembic', down: 'alembic downgrade {previous}', preview: 'alembic downgrade {id}:{previous} --sql', sql: 'psql -d app' },
      where: 'local', cwd: '.',
      // b2 sits on another branch than a1: its parent is p0.
      previousOf: { a1: 'base', b2: 'p0' },
    });
    const command = (id: string) => steps.find((s) => s.id === id)!.commands[0].command;
    assert.equal(command('db-preview-b2'), 'alembic downgrade b2:p0 --sql');
    assert.equal(command('db-down-b2'), 'alembic downgrade p0');
    assert.equal(command('db-preview-a1'), 'alembic downgrade a1:base --sql');
    assert.equal(command('db-down-a1'), 'alembic downgrade base');
  });

  it('a merge revision has no single {previous}: no down command is guessed, the restore path is offered', async () => {
    const vs = [await verdict('alembic', 'm1', py("op.drop_column('t', 'x')"))];
    const steps = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'alembic', down: 'alembic downgrade {previous}', sql: 'psql -d app' }, where: 'local', cwd: '.', previousOf: { m1: null } });
    const down = steps.find((s) => s.id === 'db-down-m1')!;
    assert.equal(down.commands.length, 0);
    assert.match(down.why, /the revision that m1 returns to is not known .*\{previous\} in `alembic downgrade \{previous\}` cannot be filled in/);
    assert.ok(steps.some((s) => s.id === 'db-restore'));
  });

  it('a down step carries a resume check through psql: "gone, and the one before it recorded"; none for a client that may hide errors', async () => {
    const vs = [await verdict('alembic', 'a1', py("op.drop_column('t', 'x')"))];
    const withPsql = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'alembic', down: 'alembic downgrade {previous}', sql: 'psql -d app' }, where: 'local', cwd: '.', previousOf: { a1: 'p0' } });
    const check = withPsql.find((s) => s.id === 'db-down-a1')!.alreadyDone!;
    assert.equal(check.command, 'psql -d app -v ON_ERROR_STOP=1');
    assert.match(check.input!, /IF EXISTS \(SELECT 1 FROM alembic_version WHERE version_num::text IN \('a1'\)\) THEN RAISE EXCEPTION/);
    assert.match(check.input!, /IF NOT EXISTS \(SELECT 1 FROM alembic_version WHERE version_num::text IN \('p0'\)\) THEN RAISE EXCEPTION/);
    const other = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'alembic', down: 'alembic downgrade {previous}', sql: 'mysql app' }, where: 'local', cwd: '.', previousOf: { a1: 'p0' } });
    assert.equal(other.find((s) => s.id === 'db-down-a1')!.alreadyDone, undefined);
  });

  it('the backup check states the configured maximum age', () => {
    const steps = planDatabaseSteps({ verdicts: [], migrations: {}, where: 'local', cwd: '.' });
    assert.deepEqual(steps, []);
    const check = backupCheckStep({ verdicts: [], migrations: { backup: { list: 'ls /backups', maxAgeMs: 6 * 3_600_000 } }, where: 'local', cwd: '.' });
    assert.equal(check.title, 'Check that a database backup at most 6 hours old exists');
    assert.deepEqual(check.backupAge, { maxAgeMs: 6 * 3_600_000, purpose: 'undo' });
    assert.equal(backupCheckStep({ verdicts: [], migrations: { backup: { list: 'ls' } }, where: 'local', cwd: '.', mode: 'restore' }).backupAge?.purpose, 'restore');
    const unlisted = backupCheckStep({ verdicts: [], migrations: {}, where: 'local', cwd: '.' });
    assert.equal(unlisted.backupAge, undefined);
    assert.ok(unlisted.manual);
  });

  it('asks down-or-backup only when both exist, and says what the down path loses', async () => {
    const sql = (id: string, up: string) => classifyMigration({ migration: { tool: 'golang-migrate', id, name: id, file: `db/${id}.up.sql`, order: 0, problems: [] }, upSource: up, downSource: id === '2' ? 'ALTER TABLE t DROP COLUMN n;' : 'SELECT 1;', parser });
    const vs = [await sql('1', 'CREATE INDEX i ON t (a);'), await sql('2', 'ALTER TABLE t ADD COLUMN n text; ALTER TABLE t DROP COLUMN legacy;')];
    const base = { verdicts: vs, where: 'local', cwd: '.', downSql: { '1': 'SELECT 1;', '2': 'ALTER TABLE t DROP COLUMN n;' }, writers: [{ name: 'api', stop: 'stop api' }] };
    const both = undoChoice({ ...base, migrations: { sql: 'psql', backup: { restore: 'pg_restore -d app b.dump' } } });
    assert.deepEqual(both?.downs, ['db/2.up.sql']);
    assert.deepEqual(both?.writers, ['api']);
    assert.match(both!.downLoses.join(' '), /^db\/2\.up\.sql:1: .*\bn\b/);
    assert.equal(undoChoice({ ...base, migrations: { sql: 'psql' } }), undefined, 'no backup.restore: only the down path');
    assert.equal(undoChoice({ ...base, downSql: {}, migrations: { sql: 'psql', backup: { restore: 'r' } } }), undefined, 'no down path: the plan restores anyway');
    assert.equal(undoChoice({ ...base, verdicts: [vs[0]], migrations: { sql: 'psql', backup: { restore: 'r' } } }), undefined, 'nothing to undo');
    const restore = planDatabaseSteps({ ...base, migrations: { sql: 'psql', backup: { restore: 'pg_restore -d app b.dump' } }, mode: 'restore' });
    assert.deepEqual(restore.map((st) => st.id), ['db-summary', 'db-backup-check', 'db-stop-writer-api', 'db-count-rows', 'db-restore', 'db-verify-migrations', 'db-verify-rows']);
  });

  it('without a service that can be stopped, stopping the writers is work done by hand, never silently left out', async () => {
    const vs = [await verdict('prisma', 'p1', 'ALTER TABLE t DROP COLUMN c;')];
    const steps = planDatabaseSteps({ verdicts: vs, migrations: { tool: 'prisma', sql: 'psql', backup: { restore: 'pg_restore -d app b.dump' } }, where: 'local', cwd: '.', mode: 'restore' });
    const stop = steps.find((s) => s.id === 'db-stop-writers')!;
    assert.ok(stop.manual);
    assert.ok(steps.indexOf(stop) < steps.findIndex((s) => s.id === 'db-restore'));
    const verify = steps.find((s) => s.id === 'db-verify-rows')!;
    assert.equal(verify.rowCountsBefore, 'db-count-rows');
    assert.equal(verify.commands[0].input, steps.find((s) => s.id === 'db-count-rows')!.commands[0].input, 'the same counts before and after');
  });
});
