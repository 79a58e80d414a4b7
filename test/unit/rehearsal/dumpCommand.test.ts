// The schema dump is read through the environment's own sql: path; the roles a dump names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { schemaDumpCommand } from '../../../src/core/rehearsal/dumpCommand';
import { rolesNamedIn } from '../../../src/core/rehearsal/roles';
import { rehearsalUnits, previewsNeeded } from '../../../src/core/rehearsal/units';
import type { RollbackPlan } from '../../../src/core/plan/types';

describe('the pg_dump for migrations.sql', () => {
  const cases: Array<[string, string]> = [
    ['docker exec -i db psql -U app -d app', 'docker exec -i db pg_dump --schema-only -U app -d app'],
    ['psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres -d prod', 'pg_dump --schema-only -h 127.0.0.1 -p 5432 -U postgres -d prod'],
    ['PGPASSWORD=s3cret /usr/bin/psql -qAt --host=db.internal "$DATABASE_URL"', 'PGPASSWORD=s3cret /usr/bin/pg_dump --schema-only --host=db.internal "$DATABASE_URL"'],
    ['ssh db-1 psql -1 -f - app', 'ssh db-1 pg_dump --schema-only app'],
    ['psql -Uapp -p5433 -vVERBOSITY=verbose postgresql://app@db/app', 'pg_dump --schema-only -Uapp -p5433 postgresql://app@db/app'],
  ];
  for (const [sql, dump] of cases) {
    test(`${sql} → ${dump}`, () => assert.deepEqual(schemaDumpCommand(sql), { command: dump }));
  }

  test('what cannot be carried over is refused with the way out, never guessed', () => {
    const problem = (sql: string | undefined) => {
      const r = schemaDumpCommand(sql);
      assert.ok('problem' in r, `derived ${JSON.stringify(r)}`);
      assert.match(r.problem, /set migrations\.schemaDump/);
      return r.problem;
    };
    assert.match(problem(undefined), /no migrations\.sql/);
    assert.match(problem('mysql app'), /does not run psql/);
    assert.match(problem("sh -c 'psql -d app'"), /runs psql inside a quoted script/);
    assert.match(problem('psql -d app | tee log'), /more than one simple command/);
    assert.match(problem('psql --frobnicate -d app'), /has the psql option --frobnicate/);
    assert.match(problem('psql -c "select 1"'), /runs a fixed command/);
    assert.match(problem('psql -d'), /ends with -d and no value/);
  });
});

describe('roles a schema names', () => {
  test('owners, grantees, policy and default-privilege roles; not PUBLIC, CURRENT_USER or pg_* roles', () => {
    const dump = `
ALTER TABLE public.orders OWNER TO app;
ALTER SCHEMA reporting OWNER TO "Report Owner";
GRANT SELECT ON TABLE public.orders TO readonly, "app-rw";
REVOKE ALL ON TABLE public.orders FROM PUBLIC;
REVOKE INSERT ON public.audit FROM auditor;
CREATE POLICY own_rows ON public.orders TO app USING (true);
ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA public GRANT SELECT ON TABLES TO pg_read_all_data;
GRANT USAGE ON SCHEMA public TO CURRENT_USER;
CREATE SCHEMA billing AUTHORIZATION billing_owner;`;
    assert.deepEqual(rolesNamedIn(dump), ['Report Owner', 'app', 'app-rw', 'auditor', 'billing_owner', 'migrator', 'readonly']);
  });
});

describe('which steps a rehearsal runs', () => {
  const step = (id: string, extra: object = {}) => ({ id, kind: 'database' as const, title: id, why: '', commands: [], destructive: false, ...extra });
  const plan = {
    id: 'rb-1',
    environment: 'production',
    steps: [
      step('db-summary'),
      step('db-mitigate-2-1', { commands: [{ command: 'psql -d app -1', where: 'local', input: 'ALTER TABLE t ALTER c DROP NOT NULL;\n' }] }),
      step('db-backup-check', { commands: [{ command: 'ls /backups', where: 'local' }] }),
      step('db-preview-d21b', { commands: [{ command: "alembic downgrade d21b:c10a --sql", where: 'local' }] }),
      step('db-down-d21b', { commands: [{ command: 'alembic downgrade c10a', where: 'local' }] }),
      step('db-down-9f3e', { commands: [{ command: 'alembic downgrade d21b', where: 'local' }] }),
      step('db-restore'),
      { ...step('code-revert'), kind: 'code' as const },
    ],
  } as unknown as RollbackPlan;

  test('stdin SQL as is (one transaction under psql -1), a tool down step through what its preview printed, the rest listed with why', () => {
    assert.deepEqual(previewsNeeded(plan, true).map((p) => [p.stepId, p.command.command]), [['db-down-d21b', 'alembic downgrade d21b:c10a --sql']]);
    assert.deepEqual(previewsNeeded(plan, false), [], 'the default preview (cat -- {file}) prints a Python file, not SQL');
    const units = rehearsalUnits(plan, 'psql -d app -1', { 'db-down-d21b': { sql: 'BEGIN;\nALTER TABLE t DROP COLUMN p;\nCOMMIT;\n', command: 'alembic downgrade d21b:c10a --sql' } });
    assert.deepEqual(units.map((u) => [u.stepId, u.sql !== undefined, u.singleTransaction ?? false]), [
      ['db-mitigate-2-1', true, true],
      ['db-backup-check', false, false],
      ['db-down-d21b', true, false],
      ['db-down-9f3e', false, false],
      ['db-restore', false, false],
    ]);
    assert.match(units[2].note, /the SQL its preview printed \(`alembic downgrade d21b:c10a --sql`\); the step itself runs `alembic downgrade c10a`/);
    assert.match(units[3].note, /whose SQL is known only through a migrations\.preview that prints it/);
    assert.match(units[4].note, /done by hand|backup restore/);
  });
});
