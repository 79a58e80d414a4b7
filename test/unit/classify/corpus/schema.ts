// The corpus's shared world: the schema every case starts from (as the earlier migrations
// left it), the roles, and the previous release's statements. Each case adds its own
// schema details, migration, extra old statements and what the new release writes.
//
// The previous release's statements are what an ORM-backed app runs: a read of every column
// it maps (so a dropped or changed column shows), inserts that rely on defaults, an ON
// CONFLICT, updates, deletes of parents, the view and function it calls, the sequence it
// draws from. Each is one line and runs in its own rolled-back savepoint; none prints an id
// a sequence handed out during the test, since a rolled-back nextval is not given back.

export type Family =
  | '1 alembic helpers'
  | '2 dialect'
  | '3 access control'
  | '4 foreign keys'
  | '5 shape-keeping'
  | '6 too strict'
  | 'general';

export interface CorpusCase {
  family: Family;
  name: string;
  /** The rules this case is meant to exercise (as a positive or a negative), for the coverage table. */
  rules: string[];
  /** More of the schema before the migration (superuser, after BASE and the grants). `__S__` is the case's schema, everywhere. */
  setup?: string;
  /** The setup was made outside the migration folder (by hand, or Alembic's `metadata.create_all`): the repository's earlier migrations do not hold it. */
  setupOutsideMigrations?: boolean;
  /** What PostgreSQL runs: the migration's up SQL, or the SQL the tool sends for `source`. */
  migration: string;
  /** The migration's down path (golang-migrate's .down.sql), for the classifier; run only by `judgeDown` cases. */
  down?: string;
  /** The file the classifier reads when it is not plain SQL, with the repository around it. */
  source?: { tool: 'alembic' | 'knex' | 'node-pg-migrate' | 'prisma' | 'goose'; file: string; files: Record<string, string> };
  /** More of the previous release's statements (one per line), run after OLD_CODE. */
  old?: string[];
  /** What the new release writes once the migration ran (superuser). Touches only what the migration adds. */
  newWrites?: string;
  /** What runs later whatever the release (a nightly job): in both worlds, after the migration. */
  later?: string;
  /** Judge the down path: PostgreSQL runs the migration, newWrites, `newReads`, then `down`; nothing the new release wrote may be lost. */
  judgeDown?: boolean;
  /** What the new release wrote, read back (superuser) before and after the down path. */
  newReads?: string[];
  /** The classifier cannot know from the files (SQL built at run time): `unknown` is the right verdict. */
  undecidable?: string;
}

/** The case's own schema name, in every text of the case (REVOKE USAGE ON SCHEMA __S__ …). */
export const SCHEMA_TOKEN = /__S__/g;

export function inSchema(c: CorpusCase, schema: string): CorpusCase {
  const sub = (s: string) => s.replace(SCHEMA_TOKEN, schema);
  const opt = (s?: string) => (s === undefined ? undefined : sub(s));
  return {
    ...c,
    setup: opt(c.setup),
    migration: sub(c.migration),
    down: opt(c.down),
    later: opt(c.later),
    newWrites: opt(c.newWrites),
    old: c.old?.map(sub),
    newReads: c.newReads?.map(sub),
    source: c.source && { ...c.source, files: Object.fromEntries(Object.entries(c.source.files).map(([k, v]) => [k, sub(v)])) },
  };
}

export const ROLES = ['app', 'writer', 'admin', 'reporting', 'owner_role'];

export const BASE = `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE accounts (
  id serial PRIMARY KEY,
  email text NOT NULL CONSTRAINT accounts_email_key UNIQUE,
  name varchar(20),
  status text NOT NULL DEFAULT 'active',
  credits int NOT NULL DEFAULT 10,
  n smallint,
  price numeric(10,2),
  tenant int NOT NULL DEFAULT 1,
  mood mood,
  note text,
  created_at timestamptz
);
CREATE INDEX accounts_name_idx ON accounts (name);
CREATE TABLE orders (
  id serial PRIMARY KEY,
  account_id int NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  total int NOT NULL DEFAULT 0 CONSTRAINT orders_total_check CHECK (total >= 0),
  state text NOT NULL DEFAULT 'new',
  code varchar(10)
);
CREATE TABLE audit_log (id serial PRIMARY KEY, account_id int, action text NOT NULL);
CREATE FUNCTION log_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit_log (account_id, action) VALUES (NEW.id, TG_OP); RETURN NEW; END $$;
CREATE TRIGGER accounts_audit AFTER INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION log_account();
CREATE VIEW active_accounts AS SELECT id, email FROM accounts WHERE status = 'active';
CREATE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$;
CREATE SEQUENCE ticket_seq;
CREATE TABLE tickets (no int PRIMARY KEY DEFAULT nextval('ticket_seq'), label text);
INSERT INTO tickets (label) VALUES ('t1'), ('t2');
INSERT INTO accounts (email, name, n, price, note, mood) VALUES ('a@x', 'Ann', 1, 9.50, 'first', 'happy'), ('b@x', 'Bob', 2, 20.00, NULL, 'sad'), ('d@x', 'Dee', 3, 1.25, 'third', NULL);
INSERT INTO orders (account_id, total, code) VALUES (1, 100, 'A1'), (2, 5, 'B1');
`;

/** The previous release's access: what its role `app` was granted (schema `$S`), and gets on what is created later. */
export const GRANTS = `
ALTER DEFAULT PRIVILEGES IN SCHEMA $S GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app;
ALTER DEFAULT PRIVILEGES IN SCHEMA $S GRANT USAGE, SELECT ON SEQUENCES TO app;
GRANT USAGE ON SCHEMA $S TO app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA $S TO app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA $S TO app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA $S TO app;
`;

export const OLD_CODE = [
  // What the driver hands the ORM, types included (a number is not a string): JSON per row.
  'SELECT to_jsonb(a) FROM (SELECT id, email, name, status, credits, n, price, tenant, mood, note, created_at FROM accounts ORDER BY id) a;',
  'SELECT to_jsonb(o) FROM (SELECT id, account_id, total, state, code FROM orders ORDER BY id) o;',
  "INSERT INTO accounts (email, name) VALUES ('c@x', 'Cy') RETURNING email, name, status, credits, n, tenant, mood, note;",
  "INSERT INTO accounts (email, name, n, price, note) VALUES ('e@x', 'Ann', 32000, 12345678.99, 'Ann again') RETURNING name, n, price;",
  "INSERT INTO accounts (email) VALUES ('a@x') ON CONFLICT (email) DO NOTHING RETURNING email;",
  "INSERT INTO accounts (email, name) VALUES ('A@X', 'Upper') RETURNING email;",
  "UPDATE accounts SET name = 'Ann B', note = NULL WHERE id = 1 RETURNING name, note;",
  'DELETE FROM accounts WHERE id = 2 RETURNING id; SELECT count(*) FROM orders;',
  'DELETE FROM accounts WHERE id = 3 RETURNING id;',
  'DELETE FROM orders WHERE id = 2 RETURNING id;',
  'INSERT INTO orders (account_id, total) VALUES (3, 7) RETURNING account_id, total, state, code;',
  "INSERT INTO orders (account_id, total, code) VALUES (1, 3, 'LONGCODE10') RETURNING code;",
  "UPDATE orders SET state = 'paid', total = total + 1 WHERE id = 1 RETURNING state, total;",
  'SELECT id, email FROM active_accounts ORDER BY id;',
  'SELECT price(3);',
  "SELECT count(*) FROM accounts WHERE email = 'A@X';",
  'SELECT name FROM accounts ORDER BY name;',
  // The audit trigger still records the old release's writes (entries the migration itself logged are not the old code's business).
  "INSERT INTO accounts (email, name) VALUES ('f@x', 'Fay'); SELECT action FROM audit_log WHERE account_id = (SELECT id FROM accounts WHERE email = 'f@x');",
  "SELECT count(*) FROM accounts WHERE mood = 'sad';",
  "INSERT INTO accounts (email, name, mood) VALUES ('g@x', 'Gus', 'sad') RETURNING mood;",
  "INSERT INTO tickets (label) VALUES ('new') RETURNING label;",
  'UPDATE accounts SET credits = credits - 1 WHERE id = 3 RETURNING credits;',
  'SELECT a.email, o.total FROM accounts a JOIN orders o ON o.account_id = a.id ORDER BY o.id;',
  "INSERT INTO accounts (email, tenant) VALUES ('t2@x', 2) RETURNING tenant;",
  'SELECT count(*) FROM accounts WHERE tenant = 1;',
];

export const PRISMA_HEADER = (column: string, table: string) =>
  `/*\n  Warnings:\n\n  - Added the required column \`${column}\` to the \`${table}\` table without a default value. This is not possible if the table is not empty.\n\n*/\n`;

/** An Alembic revision with the given body (upgrade/downgrade and helpers). */
export function alembicFile(body: string, imports = ''): string {
  return `"""corpus case\n\nRevision ID: c1\nRevises: c0\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n${imports}\nrevision = 'c1'\ndown_revision = 'c0'\n\n\n${body.trim()}\n`;
}

/** The revision before every case's: it made the schema BASE describes. */
const ALEMBIC_INIT = `"""init\n\nRevision ID: c0\n"""\nfrom alembic import op\n\nrevision = 'c0'\ndown_revision = None\n\n\ndef upgrade():\n    op.execute('''${BASE}''')\n\n\ndef downgrade():\n    pass\n`;

export function alembicCase(body: string, imports = ''): NonNullable<CorpusCase['source']> {
  return { tool: 'alembic', file: 'alembic/versions/c1_case.py', files: { 'alembic/versions/c0_init.py': ALEMBIC_INIT, 'alembic/versions/c1_case.py': alembicFile(body, imports) } };
}

export function knexCase(up: string, down: string, knexfile = "module.exports = { client: 'pg' };\n"): NonNullable<CorpusCase['source']> {
  const file = 'migrations/20240101000000_case.js';
  return { tool: 'knex', file, files: { 'knexfile.js': knexfile, [file]: `exports.up = async (knex) => {\n${up}\n};\n\nexports.down = async (knex) => {\n${down}\n};\n` } };
}

export function pgmCase(up: string, down: string): NonNullable<CorpusCase['source']> {
  const file = 'migrations/1700000000000_case.js';
  return { tool: 'node-pg-migrate', file, files: { [file]: `exports.up = (pgm) => {\n${up}\n};\n\nexports.down = (pgm) => {\n${down}\n};\n` } };
}

export function prismaCase(sql: string, provider = 'postgresql'): NonNullable<CorpusCase['source']> {
  const file = 'prisma/migrations/20240101000000_case/migration.sql';
  return {
    tool: 'prisma',
    file,
    files: {
      'prisma/schema.prisma': `generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n`,
      'prisma/migrations/migration_lock.toml': `provider = "${provider}"\n`,
      // The earlier migration that made the schema every case starts from.
      'prisma/migrations/20230101000000_init/migration.sql': BASE,
      [file]: sql,
    },
  };
}
