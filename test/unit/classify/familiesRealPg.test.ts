// The issue-14 families checked against a real PostgreSQL: for each case, the previous
// release's statements run as a NON-superuser role `app` (a superuser ignores REVOKE and
// row-level security) on the schema before the migration, and again after the migration
// (plus what the new release writes). The verdict must agree with the database: "safe"
// exactly when every statement behaves as before (same error or same result), otherwise
// the old code breaks or sees different data; and where a fix is generated, the old code
// behaves as before once it is applied.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeAlembic } from '../../../src/core/classify/alembic';
import { classifyMigration } from '../../../src/core/classify/classify';
import { worstClass } from '../../../src/core/classify/rules';
import type { MigrationClass, MigrationFinding } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { startPostgres, type TestPostgres } from '../../support/postgres';

const parser = new PgSqlParser();

const BASE = `
CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL CONSTRAINT accounts_email_key UNIQUE, name varchar(20),
  status text NOT NULL DEFAULT 'active', credits int NOT NULL DEFAULT 10, n smallint, created_at timestamptz);
CREATE INDEX accounts_name_idx ON accounts (name);
INSERT INTO accounts (email, name) VALUES ('a@x', 'Ann'), ('b@x', 'Bob');
CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';
CREATE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;
`;

/** The previous release: one statement per line, each run in its own rolled-back transaction. */
const OLD_CODE = [
  'SELECT count(*) FROM accounts;',
  // No id in RETURNING: a rolled-back INSERT still advances the sequence, so ids differ between runs.
  "INSERT INTO accounts (email, name) VALUES ('c@x', 'Cy') RETURNING status, credits;",
  "INSERT INTO accounts (email) VALUES ('a@x') ON CONFLICT (email) DO NOTHING RETURNING id;",
  "UPDATE accounts SET name = 'Ann B' WHERE id = 1 RETURNING name;",
  'DELETE FROM accounts WHERE id = 2 RETURNING id;',
  'SELECT id, email FROM active_accounts ORDER BY id;',
  'SELECT price(3);',
  "SELECT count(*) FROM accounts WHERE email = 'A@X';",
];

interface PgCase {
  name: string;
  family: string;
  /** Run as the superuser after BASE and the grants (ownership, RLS set-ups …). */
  setup?: string;
  migration: string;
  down?: string;
  /** Alembic source to classify instead of the SQL (the SQL is what it runs). */
  alembic?: string;
  /** What the new release writes after the migration (as superuser). */
  newWrites?: string;
}

const PRISMA_HEADER = '/*\n  Warnings:\n\n  - Added the required column `role` to the `accounts` table. This is not possible if the table is not empty.\n\n*/\n';
const ALEMBIC = (body: string) => `from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r1'\ndown_revision = None\n\n${body}\n\ndef downgrade():\n    pass\n`;

const CASES: PgCase[] = [
  // 1. Alembic helpers
  { family: '1 alembic helpers', name: 'helper deletes through the connection', migration: "DELETE FROM accounts WHERE status = 'active' AND id = 2;", alembic: ALEMBIC("def _purge(conn):\n    conn.execute(sa.text(\"DELETE FROM accounts WHERE status = 'active' AND id = 2\"))\n\ndef upgrade():\n    _purge(op.get_bind())") },
  { family: '1 alembic helpers', name: 'helper defined but not called; upgrade adds a nullable column', migration: 'ALTER TABLE accounts ADD COLUMN nick text;', alembic: ALEMBIC("def _purge(conn):\n    conn.execute(sa.text('DELETE FROM accounts'))\n\ndef upgrade():\n    op.add_column('accounts', sa.Column('nick', sa.Text()))") },
  // 2. Dialect: a backtick in Prisma's comment
  { family: '2 dialect', name: 'Prisma warning comment, required column (default dropped)', migration: `${PRISMA_HEADER}ALTER TABLE "accounts" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'user';\nALTER TABLE "accounts" ALTER COLUMN "role" DROP DEFAULT;` },
  { family: '2 dialect', name: 'Prisma warning comment, nullable column', migration: `${PRISMA_HEADER}ALTER TABLE "accounts" ADD COLUMN "role" TEXT;` },
  // 3. Access control
  { family: '3 access control', name: 'REVOKE INSERT on the table', migration: 'REVOKE INSERT ON accounts FROM app;' },
  { family: '3 access control', name: 'REVOKE USAGE on the id sequence', migration: 'REVOKE USAGE ON SEQUENCE accounts_id_seq FROM app;' },
  { family: '3 access control', name: 'GRANT stays safe', migration: 'GRANT TRUNCATE ON accounts TO app;' },
  { family: '3 access control', name: 'ENABLE ROW LEVEL SECURITY', migration: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;' },
  { family: '3 access control', name: 'permissive policy on a table without RLS', migration: "CREATE POLICY mine ON accounts USING (status = 'active');" },
  { family: '3 access control', name: 'restrictive policy', setup: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY; CREATE POLICY all_rows ON accounts USING (true) WITH CHECK (true);', migration: "CREATE POLICY no_c ON accounts AS RESTRICTIVE USING (email <> 'c@x') WITH CHECK (email <> 'c@x');" },
  { family: '3 access control', name: 'owner change away from the app role', setup: 'REVOKE ALL ON accounts FROM app; ALTER TABLE accounts OWNER TO app;', migration: 'ALTER TABLE accounts OWNER TO postgres;' },
  // 4. Foreign keys from a new table / new column
  { family: '4 foreign keys', name: 'new table REFERENCES accounts (NO ACTION)', migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id));', newWrites: 'INSERT INTO invoices (account_id) VALUES (2);' },
  { family: '4 foreign keys', name: 'new table REFERENCES accounts ON DELETE CASCADE', migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id) ON DELETE CASCADE);', newWrites: 'INSERT INTO invoices (account_id) VALUES (2);' },
  { family: '4 foreign keys', name: 'new table ON DELETE SET NULL on a NOT NULL column', migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id) ON DELETE SET NULL);', newWrites: 'INSERT INTO invoices (account_id) VALUES (2);' },
  { family: '4 foreign keys', name: 'new column REFERENCES accounts', migration: 'ALTER TABLE accounts ADD COLUMN referrer_id int REFERENCES accounts;', newWrites: 'UPDATE accounts SET referrer_id = 2 WHERE id = 1;' },
  { family: '4 foreign keys', name: 'new table without a key', migration: 'CREATE TABLE invoices (id serial PRIMARY KEY, account_id int NOT NULL);', newWrites: 'INSERT INTO invoices (account_id) VALUES (2);' },
  // 5. Shape-keeping behaviour changes
  { family: '5 shape-keeping', name: 'drop the unique constraint ON CONFLICT needs', migration: 'ALTER TABLE accounts DROP CONSTRAINT accounts_email_key;' },
  { family: '5 shape-keeping', name: 'drop a plain index', migration: 'DROP INDEX accounts_name_idx;' },
  { family: '5 shape-keeping', name: 'restart the id sequence', migration: 'ALTER SEQUENCE accounts_id_seq RESTART;' },
  { family: '5 shape-keeping', name: 'cap the id sequence', migration: 'ALTER SEQUENCE accounts_id_seq MAXVALUE 2;' },
  { family: '5 shape-keeping', name: 'change the sequence cache', migration: 'ALTER SEQUENCE accounts_id_seq CACHE 5;' },
  { family: '5 shape-keeping', name: 'change a constant default', migration: "ALTER TABLE accounts ALTER COLUMN status SET DEFAULT 'pending';" },
  { family: '5 shape-keeping', name: 'generated default where there was none', migration: 'ALTER TABLE accounts ALTER COLUMN created_at SET DEFAULT now();' },
  { family: '5 shape-keeping', name: 'case-insensitive collation', setup: "DROP VIEW active_accounts; CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);", migration: 'ALTER TABLE accounts ALTER COLUMN email TYPE text COLLATE ci;' },
  // 6. Too strict before
  { family: '6 too strict', name: 'smallint → bigint', migration: 'ALTER TABLE accounts ALTER COLUMN n TYPE bigint;' },
  { family: '6 too strict', name: 'varchar(20) → varchar(64), previous type from the down file', migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(64);', down: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20);' },
  { family: '6 too strict', name: 'varchar(20) → varchar(3) (narrowing)', migration: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(3);', down: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20);' },
  { family: '6 too strict', name: 'view re-created with a superset', migration: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email, name FROM accounts WHERE status = 'active'; GRANT SELECT ON active_accounts TO app;", down: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';" },
  { family: '6 too strict', name: 'view re-created without a column', migration: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id FROM accounts WHERE status = 'active'; GRANT SELECT ON active_accounts TO app;", down: "DROP VIEW active_accounts; CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';" },
  { family: '6 too strict', name: 'CREATE OR REPLACE of a new function', migration: 'CREATE OR REPLACE FUNCTION discount(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 / 2 $$;', down: 'DROP FUNCTION discount(int);' },
  { family: '6 too strict', name: 'CREATE OR REPLACE of a function the old code calls', migration: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 3 $$;', down: 'CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;' },
];

async function verdictOf(c: PgCase): Promise<{ cls: MigrationClass; findings: MigrationFinding[] }> {
  if (c.alembic) {
    const findings = (await analyzeAlembic(c.alembic, { parser, file: 'alembic/versions/r1.py' })).filter((f) => f.direction === 'up');
    return { cls: worstClass(findings.map((f) => f.class)), findings };
  }
  const v = await classifyMigration({
    migration: { tool: 'golang-migrate', id: '1', name: c.name, file: 'db/000001_x.up.sql', downFile: 'db/000001_x.down.sql', order: 0, problems: [] },
    upSource: c.migration,
    downSource: c.down ?? '',
    parser,
  });
  return { cls: v.class, findings: v.findings.filter((f) => f.direction === 'up') };
}

describe('issue-14 families: verdicts agree with a real PostgreSQL, old code run as a non-superuser', () => {
  let pg: TestPostgres;
  let n = 0;
  const tally = new Map<string, { agree: number; total: number }>();
  before(async () => {
    pg = await startPostgres();
    await pg.psql('CREATE ROLE app LOGIN;');
  });
  after(async () => {
    for (const [family, t] of [...tally].sort()) console.log(`real-PG agreement, family ${family}: ${t.agree}/${t.total}`);
    const all = [...tally.values()].reduce((a, t) => ({ agree: a.agree + t.agree, total: a.total + t.total }), { agree: 0, total: 0 });
    console.log(`real-PG agreement, all families: ${all.agree}/${all.total}`);
    await pg?.stop();
  });

  async function freshSchema(setup?: string): Promise<string> {
    const s = `fam_${++n}`;
    await pg.psql(
      `CREATE SCHEMA ${s}; SET search_path TO ${s};\n${BASE}\nGRANT USAGE ON SCHEMA ${s} TO app;\nGRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO app;\nGRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO app;\nGRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO app;\n${setup ?? ''}`,
    );
    return s;
  }

  const asSuperuser = (schema: string, sql: string) => pg.psql(`SET search_path TO ${schema};\n${sql}`);

  /** Each old statement's outcome as the app role: its result rows, or its error. */
  async function oldCodeOutcomes(schema: string): Promise<string[]> {
    const lines = [`SET search_path TO ${schema};`, 'SET ROLE app;'];
    OLD_CODE.forEach((s, i) => lines.push(`\\echo @@${i}`, `BEGIN; ${s} ROLLBACK;`));
    const r = await pg.tryPsql(lines.join('\n'), 'postgres', { stopOnError: false });
    const out = OLD_CODE.map(() => '');
    let current = -1;
    for (const l of r.stdout.split('\n')) {
      const m = /^@@(\d+)$/.exec(l);
      if (m) current = Number(m[1]);
      else if (current >= 0 && l.trim()) out[current] += `${l}\n`;
    }
    for (const m of r.stderr.matchAll(/^psql:<stdin>:(\d+): ERROR:\s+(.*)$/gm)) {
      const index = (Number(m[1]) - 4) / 2;
      out[index] = `ERROR: ${m[2]}`;
    }
    return out;
  }

  function changed(beforeOut: string[], afterOut: string[]): string[] {
    return OLD_CODE.flatMap((s, i) => (beforeOut[i] === afterOut[i] ? [] : [`${s} -> ${afterOut[i].trim()} (was ${beforeOut[i].trim()})`]));
  }

  for (const c of CASES) {
    it(`${c.family}: ${c.name}`, async () => {
      const { cls, findings } = await verdictOf(c);
      const baseline = await oldCodeOutcomes(await freshSchema(c.setup));
      const schema = await freshSchema(c.setup);
      await asSuperuser(schema, c.migration);
      if (c.newWrites) await asSuperuser(schema, c.newWrites);
      const diff = changed(baseline, await oldCodeOutcomes(schema));
      const t = tally.get(c.family) ?? { agree: 0, total: 0 };
      t.total++;
      tally.set(c.family, t);
      const why = `verdict ${cls} (${findings.map((f) => f.rule).join(', ')}); old code changes: ${diff.join(' | ') || 'none'}`;
      if (cls === 'safe') assert.deepEqual(diff, [], why);
      else assert.ok(diff.length > 0, `a ${cls} verdict means the old code breaks or sees different data: ${why}`);
      if (cls === 'mitigate') {
        const fixes = findings.filter((f) => f.class === 'mitigate' && f.fix).map((f) => f.fix!);
        if (fixes.length) {
          for (const f of fixes) await asSuperuser(schema, f);
          assert.deepEqual(changed(baseline, await oldCodeOutcomes(schema)), [], `after the fixes (${fixes.join(' ')}) the old code behaves as before`);
        }
      }
      t.agree++;
    });
  }
});
