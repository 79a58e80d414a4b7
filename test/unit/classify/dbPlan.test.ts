import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import { planDatabaseSteps } from '../../../src/core/classify/dbPlan';
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
    assert.deepEqual(steps.map((s) => s.id), ['db-summary', 'db-backup-check', 'db-down-p1', 'db-stop-writer-api', 'db-restore', 'db-verify-migrations', 'db-verify-rows']);
    assert.equal(steps[2].commands.length, 0);
    assert.match(steps[2].title, /No down step available/);
  });
});
