// The rule families of issue 14, each with positive and negative cases: Alembic helper
// functions, dialect detection from the tool's configuration, access control, inline
// foreign keys, shape-keeping behaviour changes, and the false alarms (widening, re-created
// views, new functions). Real parser, real files on disk where files matter.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeAlembic } from '../../../src/core/classify/alembic';
import { beforeFromDown } from '../../../src/core/classify/beforeSchema';
import { earlierSchema } from '../../../src/core/classify/schemaHistory';
import { classifyFromFiles } from '../../../src/core/classify/classify';
import { looksLikeMySql, readKnexClient, readPrismaProvider } from '../../../src/core/classify/dialect';
import { RULES } from '../../../src/core/classify/rules';
import { widens } from '../../../src/core/classify/rules/typeWidening';
import { analyzeSql } from '../../../src/core/classify/sqlAnalysis';
import type { Migration } from '../../../src/core/migrations/types';
import type { FileSystemPort } from '../../../src/core/ports';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { FAMILY_CASES } from './familyCases';

const parser = new PgSqlParser();

async function findingsFor(sql: string, downSql?: string, earlierSql?: string) {
  const down = downSql ? await parser.parse(downSql) : undefined;
  const earlier = earlierSql ? await parser.parse(earlierSql) : undefined;
  const known = earlier?.ok ? earlierSchema([{ path: 'earlier.sql', statements: earlier.statements }]) : undefined;
  const before = down?.ok ? beforeFromDown(down.statements.map((s) => s.node), known, down.statements.map((s) => s.text)) : known;
  return (await analyzeSql(sql, { direction: 'up', parser, before })).findings;
}

describe('issue 14 rule families: a positive and a negative case per rule', () => {
  it('every family rule has at least one case', () => {
    const familyRules = ['revoking-privileges', 'revoking-role', 'revoking-default-privileges', 'granting-default-privileges', 'enabling-row-level-security', 'forcing-row-level-security', 'relaxing-row-level-security', 'adding-restrictive-policy', 'adding-permissive-policy', 'changing-owner', 'adding-foreign-key-from-new-table', 'adding-foreign-key-with-delete-action', 'dropping-unique-index', 'dropping-unique-constraint', 'restarting-sequence', 'capping-sequence', 'altering-sequence', 'changing-column-default', 'changing-column-collation', 'widening-column-type', 'recreating-view', 'recreating-view-without-columns', 'creating-function'];
    for (const id of familyRules) assert.ok(RULES.some((r) => r.id === id), `${id} is in the rule table`);
    const covered = new Set(FAMILY_CASES.map((c) => c.rule));
    assert.deepEqual(familyRules.filter((id) => !covered.has(id)), []);
  });
  for (const c of FAMILY_CASES) {
    it(`${c.rule}: fires on ${c.positive}`, async () => {
      const findings = await findingsFor(c.positive, c.downSql, c.earlierSql);
      const hit = findings.find((f) => f.rule === c.rule);
      assert.ok(hit, `expected ${c.rule}, got ${findings.map((f) => `${f.rule} (${f.reason})`).join('; ')}`);
      const rule = RULES.find((r) => r.id === c.rule)!;
      assert.equal(hit.class, rule.class);
      assert.equal(hit.confidence, 'parsed');
      if (c.fix) assert.equal(hit.fix, c.fix);
      if (c.says) assert.match(hit.reason, c.says);
      // A mitigation comes with a fix and its risk, or says why there is none and what to do instead.
      if (hit.class === 'mitigate') assert.ok(hit.fixRisk && hit.fixRisk.length > 20, `fix risk for ${c.rule}`);
    });
    it(`${c.rule}: stays silent on ${c.negative}`, async () => {
      const findings = await findingsFor(c.negative, c.negativeDownSql ?? c.downSql, c.earlierSql);
      assert.ok(findings.length > 0);
      assert.ok(!findings.some((f) => f.rule === c.rule), findings.map((f) => `${f.rule}: ${f.reason}`).join('\n'));
    });
  }
  it('GRANT stays safe; REVOKE of the same is mitigate with the GRANT as its fix', async () => {
    const [grant] = await findingsFor('GRANT SELECT ON accounts TO app;');
    assert.equal(grant.class, 'safe');
    const [revoke] = await findingsFor('REVOKE SELECT ON accounts FROM app;');
    assert.equal(revoke.class, 'mitigate');
    assert.equal(revoke.fix, 'GRANT SELECT ON TABLE accounts TO app;');
  });
  it('widening: the type lattice', () => {
    assert.ok(widens('int4', 'int8'));
    assert.ok(widens('varchar(20)', 'varchar(64)'));
    assert.ok(widens('varchar(20)', 'text'));
    assert.ok(widens('numeric(10,2)', 'numeric(12,2)'));
    assert.ok(!widens('numeric(10,2)', 'numeric(12,3)'));
    assert.ok(!widens('int8', 'int4'));
    assert.ok(!widens('text', 'varchar(20)'));
    assert.ok(!widens('varchar(64)', 'varchar(20)'));
  });
});

// ---------- Alembic helper functions ----------

const ALEMBIC_HEAD = `"""x\n\nRevision ID: abc\nRevises: \n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = 'abc'\ndown_revision = None\n\n`;

async function alembic(body: string) {
  const findings = await analyzeAlembic(ALEMBIC_HEAD + body, { parser, file: 'alembic/versions/abc.py' });
  const up = findings.filter((f) => f.direction === 'up');
  const cls = up.some((f) => f.class === 'destructive') ? 'destructive' : up.some((f) => f.class === 'unknown') ? 'unknown' : up.some((f) => f.class === 'mitigate') ? 'mitigate' : 'safe';
  return { findings: up, cls };
}

describe('Alembic: work done through helper functions', () => {
  it('a helper that DELETEs through op.execute is destructive like the inline form, and says how it was reached', async () => {
    const r = await alembic(`def _purge():\n    op.execute("DELETE FROM sessions WHERE expired")\n\ndef upgrade():\n    _purge()\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.cls, 'destructive');
    const f = r.findings.find((x) => x.rule === 'deleting-data')!;
    assert.match(f.reason, /Reached through upgrade\(\) → _purge\(\)/);
    assert.equal(f.line, 13);
  });
  it('negative: the same helper, defined but not called, is not run', async () => {
    const r = await alembic(`def _purge():\n    op.execute("DELETE FROM sessions")\n\ndef upgrade():\n    op.add_column('t', sa.Column('c', sa.Text()))\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.cls, 'safe');
    assert.ok(!r.findings.some((f) => f.rule === 'deleting-data'));
  });
  it('op.get_bind().execute(sa.text(...)) and a connection passed to a helper', async () => {
    const r = await alembic(`def _fix(conn):\n    conn.execute(sa.text("UPDATE accounts SET plan = 'free' WHERE plan IS NULL"))\n\ndef upgrade():\n    bind = op.get_bind()\n    _fix(bind)\n    op.get_bind().execute(sa.text("DELETE FROM tokens"))\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => f.rule), ['updating-data', 'deleting-data']);
  });
  it('op passed as an argument under another name', async () => {
    const r = await alembic(`def _drop(o, table):\n    o.drop_table(table)\n\ndef upgrade():\n    _drop(op, 'legacy')\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.findings[0].rule, 'ban-drop-table');
    assert.match(r.findings[0].reason, /legacy/);
  });
  it('SQL held in a module constant or a local variable is read', async () => {
    const r = await alembic(`PURGE = "DELETE FROM audit"\n\ndef upgrade():\n    sql = "TRUNCATE events"\n    op.execute(PURGE)\n    op.execute(sql)\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => f.rule), ['deleting-data', 'ban-truncate']);
  });
  it('SQL built at run time (f-string with a variable, concatenation, .format, %) is unknown with the reason, never safe', async () => {
    const r = await alembic(`def _purge(conn, table):\n    conn.execute(sa.text(f"DELETE FROM {table}"))\n    conn.execute(sa.text("DELETE FROM " + table))\n    conn.execute(sa.text("DELETE FROM {}".format(table)))\n    conn.execute(sa.text("DELETE FROM %s" % table))\n\ndef upgrade():\n    for name in expired_tables():\n        _purge(op.get_bind(), name)\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.cls, 'unknown');
    const whys = r.findings.map((f) => f.reason);
    assert.equal(r.findings.length, 4);
    assert.ok(r.findings.every((f) => f.rule === 'sql-built-at-run-time' && f.class === 'unknown'));
    assert.match(whys[0], /an f-string that fills in \{table\}.*probably a DELETE/);
    assert.match(whys[1], /joined with \+, one of them the loop variable name/);
    assert.match(whys[2], /\.format\(\)/);
    assert.match(whys[3], /%-formatting/);
  });
  it('negative: concatenation with a parameter bound to a literal is read as that SQL', async () => {
    const r = await alembic(`def _purge(conn, table):\n    conn.execute(sa.text("DELETE FROM " + table))\n\ndef upgrade():\n    _purge(op.get_bind(), 'sessions')\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.findings[0].rule, 'deleting-data');
    assert.match(r.findings[0].reason, /sessions/);
  });
  it('a loop over a literal list runs its body once per item, the f-string filled in', async () => {
    const r = await alembic(`def upgrade():\n    for t in ['sessions', 'tokens']:\n        op.execute(f"DELETE FROM {t} WHERE expired")\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => `${f.rule}:${f.statement}`), ['deleting-data:DELETE FROM sessions WHERE expired', 'deleting-data:DELETE FROM tokens WHERE expired']);
  });
  it('negative: an f-string without fields is a literal', async () => {
    const r = await alembic(`def upgrade():\n    op.execute(f"CREATE INDEX i ON t (a)")\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.findings[0].rule, 'adding-index');
  });
  it('recursion is detected and reported at the call', async () => {
    const r = await alembic(`def _a(n):\n    op.execute("DELETE FROM q")\n    _a(n)\n\ndef upgrade():\n    _a(3)\n\ndef downgrade():\n    pass\n`);
    const rec = r.findings.find((f) => f.rule === 'recursive-helper')!;
    assert.equal(rec.class, 'unknown');
    assert.match(rec.reason, /_a\(\) is called again from inside itself \(upgrade\(\) → _a\(\) → _a\(\)\)/);
    assert.equal(rec.line, 14);
  });
  it('helpers are followed to a bounded depth, and the limit is reported', async () => {
    const defs = Array.from({ length: 10 }, (_, i) => `def h${i}():\n    ${i < 9 ? `h${i + 1}()` : 'op.execute("DELETE FROM deep")'}\n`).join('\n');
    const r = await alembic(`${defs}\ndef upgrade():\n    h0()\n\ndef downgrade():\n    pass\n`);
    const deep = r.findings.find((f) => f.rule === 'helper-too-deep')!;
    assert.ok(deep, r.findings.map((f) => f.rule).join(','));
    assert.match(deep.reason, /followed 8 deep at most/);
  });
  it('a call into another module is unknown with the module named', async () => {
    const r = await alembic(`from myapp.data import backfill_plans\nimport myapp.cleanup as cleanup\n\ndef upgrade():\n    backfill_plans(op.get_bind())\n    cleanup.run()\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => f.rule), ['helper-in-other-module', 'helper-in-other-module']);
    assert.match(r.findings[0].reason, /backfill_plans\(\) is defined in module myapp\.data/);
    assert.match(r.findings[1].reason, /module myapp\.cleanup/);
  });
  it('negative: calls into sqlalchemy, logging and classes are not foreign database work', async () => {
    const r = await alembic(`import logging\nfrom sqlalchemy.dialects import postgresql\nlog = logging.getLogger(__name__)\n\ndef upgrade():\n    log.info('start')\n    op.add_column('t', sa.Column('c', postgresql.JSONB()))\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => f.rule), ['adding-nullable-field']);
  });
  it('SQLAlchemy statements: table.update().values(...), sa.delete(t), session.query(M).delete()', async () => {
    const r = await alembic(`accounts = sa.table('accounts', sa.column('plan'))\n\ndef upgrade():\n    op.execute(accounts.update().values(plan='free'))\n    conn = op.get_bind()\n    conn.execute(sa.delete(accounts))\n    session = sa.orm.Session(bind=conn)\n    session.query(Account).filter(Account.id > 3).delete()\n\ndef downgrade():\n    pass\n`);
    assert.deepEqual(r.findings.map((f) => f.rule), ['updating-data', 'deleting-data', 'deleting-data']);
    assert.match(r.findings[0].reason, /accounts/);
  });
  it('a backfill of a column the migration adds, through a helper, stays safe', async () => {
    const r = await alembic(`def _fill(conn):\n    conn.execute(sa.text("UPDATE accounts SET region = 'eu'"))\n\ndef upgrade():\n    op.add_column('accounts', sa.Column('region', sa.Text()))\n    _fill(op.get_bind())\n\ndef downgrade():\n    pass\n`);
    assert.equal(r.cls, 'safe');
    assert.deepEqual(r.findings.map((f) => f.rule), ['adding-nullable-field', 'backfilling-new-column']);
  });
  it("Alembic's multidb template: globals()['upgrade_%s' % name]() follows every upgrade_* function", async () => {
    const r = await alembic(`def upgrade(engine_name):\n    globals()["upgrade_%s" % engine_name]()\n\ndef upgrade_main():\n    op.drop_table('old')\n\ndef downgrade(engine_name):\n    pass\n`);
    assert.equal(r.findings[0].rule, 'ban-drop-table');
  });
  it('existing_type= tells a widening from a narrowing', async () => {
    const wide = await alembic(`def upgrade():\n    op.alter_column('accounts', 'name', type_=sa.Text(), existing_type=sa.String(20))\n\ndef downgrade():\n    pass\n`);
    assert.equal(wide.findings[0].rule, 'widening-column-type');
    const narrow = await alembic(`def upgrade():\n    op.alter_column('accounts', 'name', type_=sa.String(20), existing_type=sa.Text())\n\ndef downgrade():\n    pass\n`);
    assert.equal(narrow.findings[0].rule, 'changing-column-type');
  });
  it('sa.ForeignKey in a new table is the inline foreign key family', async () => {
    const r = await alembic(`def upgrade():\n    op.create_table('invoices', sa.Column('id', sa.Integer, primary_key=True), sa.Column('account_id', sa.Integer, sa.ForeignKey('accounts.id'), nullable=False))\n\ndef downgrade():\n    op.drop_table('invoices')\n`);
    assert.equal(r.findings[0].rule, 'adding-foreign-key-from-new-table');
    assert.equal(r.findings[0].fix, 'ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_account_id_fkey;');
  });
});

// ---------- Dialect detection ----------

const PRISMA_WARNING = `/*
  Warnings:

  - Added the required column \`role\` to the \`User\` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL;
`;

class DiskFs implements FileSystemPort {
  constructor(private readonly root: string) {}
  readFile(p: string) {
    return readFile(join(this.root, p));
  }
  async readDir(p: string) {
    const names = await readdir(join(this.root, p));
    return Promise.all(names.map(async (name) => ({ name, isDirectory: (await stat(join(this.root, p, name))).isDirectory() })));
  }
  async exists(p: string) {
    return stat(join(this.root, p)).then(
      () => true,
      () => false,
    );
  }
}

const dirs: string[] = [];
function repo(files: Record<string, string>): DiskFs {
  const root = mkdtempSync(join(tmpdir(), 'rp-fam-'));
  dirs.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return new DiskFs(root);
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const prismaMigration = (name: string): Migration => ({ tool: 'prisma', id: name, name, file: `prisma/migrations/${name}`, order: 0, problems: [] });

describe('dialect: from the tool configuration first, then from code without comments', () => {
  it("a backtick in Prisma's Warnings comment no longer means MySQL: the NOT NULL column is parsed and needs mitigation", async () => {
    assert.equal(looksLikeMySql(PRISMA_WARNING), false);
    const [f] = (await analyzeSql(PRISMA_WARNING, { direction: 'up', parser })).findings;
    assert.equal(f.rule, 'adding-required-field');
    assert.equal(f.confidence, 'parsed');
    assert.equal(f.fix, 'ALTER TABLE "User" ALTER COLUMN role DROP NOT NULL;');
  });
  it('negative: backticks in the code itself still mean MySQL', () => {
    assert.equal(looksLikeMySql('ALTER TABLE `User` ADD COLUMN `role` TEXT NOT NULL;'), true);
    assert.equal(looksLikeMySql("INSERT INTO t VALUES ('a `quoted` word'); -- `x`\n/* `y` /* nested `z` */ */"), false);
    assert.equal(looksLikeMySql('CREATE TABLE t (id int) ENGINE=InnoDB;'), true);
  });
  it('schema.prisma next to the migrations folder decides: postgresql parses, mysql goes to text', async () => {
    const files = { 'prisma/migrations/20240101_a/migration.sql': PRISMA_WARNING };
    const pg = repo({ ...files, 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n' });
    const v = await classifyFromFiles({ migration: prismaMigration('20240101_a'), fs: pg, root: '.', parser });
    assert.equal(v.class, 'mitigate');
    assert.equal(v.findings.find((f) => f.direction === 'up')!.confidence, 'parsed');
    const my = repo({ ...files, 'prisma/schema.prisma': '// provider = "postgresql"\ndatasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n' });
    const m = await classifyFromFiles({ migration: prismaMigration('20240101_a'), fs: my, root: '.', parser });
    const f = m.findings.find((x) => x.direction === 'up')!;
    assert.equal(f.confidence, 'text');
    assert.match(f.reason, /the database is mysql, from prisma\/schema\.prisma/);
  });
  it("without a schema.prisma next to the folder, Prisma's migration_lock.toml names the provider", async () => {
    const fs = repo({ 'prisma/migrations/20240101_a/migration.sql': 'ALTER TABLE `User` ADD COLUMN `role` TEXT NOT NULL;', 'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "mysql"\n' });
    const v = await classifyFromFiles({ migration: prismaMigration('20240101_a'), fs, root: '.', parser });
    assert.match(v.findings.find((x) => x.direction === 'up')!.reason, /the database is mysql, from prisma\/migrations\/migration_lock\.toml/);
  });
  it('an unknown Prisma provider gets a located message and never a silent safe', async () => {
    const fs = repo({ 'prisma/migrations/20240101_a/migration.sql': 'CREATE INDEX i ON t (a);', 'prisma/schema.prisma': 'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgress"\n}\n' });
    const v = await classifyFromFiles({ migration: prismaMigration('20240101_a'), fs, root: '.', parser });
    assert.equal(v.class, 'unknown');
    assert.match(v.findings[0].reason, /^prisma\/schema\.prisma:6:14: datasource provider "postgress" is not one Prisma knows/);
    assert.equal(readPrismaProvider('datasource db {\n provider = "sqlite"\n}', 's.prisma').dialect, 'sqlite');
  });
  it("the knexfile's client decides for Knex raw SQL (production first)", () => {
    assert.equal(readKnexClient("module.exports = { development: { client: 'sqlite3' }, production: { client: 'pg', connection: {} } };", 'knexfile.js').dialect, 'postgresql');
    assert.equal(readKnexClient("module.exports = { client: 'mysql2' };", 'knexfile.js').dialect, 'mysql');
    assert.equal(readKnexClient("// client: 'pg'\nmodule.exports = { connection: process.env.DB };", 'knexfile.js').dialect, undefined);
  });
  it('a Knex project with a pg knexfile parses raw SQL whose comment has a backtick', async () => {
    const fs = repo({
      'knexfile.js': "module.exports = { client: 'pg' };",
      'migrations/001_a.js': "exports.up = (knex) => knex.raw('/* `role` is new */ ALTER TABLE users ADD COLUMN role text NOT NULL');\nexports.down = (knex) => knex.raw('ALTER TABLE users DROP COLUMN role');\n",
    });
    const v = await classifyFromFiles({ migration: { tool: 'knex', id: '001_a', name: '001_a', file: 'migrations/001_a.js', order: 0, problems: [] }, fs, root: '.', parser });
    const f = v.findings.find((x) => x.direction === 'up')!;
    assert.equal(f.rule, 'adding-required-field');
    assert.equal(f.confidence, 'parsed');
  });
});

describe('CREATE OR REPLACE FUNCTION against the earlier migrations of the folder', () => {
  const fn = (body: string) => `CREATE OR REPLACE FUNCTION price(int) RETURNS int LANGUAGE sql AS $$ SELECT ${body} $$;`;
  const gm = (file: string): Migration => ({ tool: 'golang-migrate', id: file.split('_')[0], name: file, file: `db/${file}`, order: 0, problems: [] });
  it('no earlier migration defines it: safe, naming the folder', async () => {
    const fs = repo({ 'db/000001_a.up.sql': 'CREATE TABLE t (id int);', 'db/000002_b.up.sql': fn('1'), 'db/000010_c.up.sql': fn('3') });
    const v = await classifyFromFiles({ migration: gm('000002_b.up.sql'), fs, root: '.', parser });
    const f = v.findings.find((x) => x.direction === 'up')!;
    assert.equal(f.rule, 'creating-function');
    assert.match(f.reason, /no earlier migration in db defines it/);
  });
  // The earlier definition is read now (not only its name): a changed body is a mitigation whose fix restores it.
  it('an earlier migration defines it (numeric order: 9 before 10): mitigate, naming that file, the earlier definition as the fix', async () => {
    const fs = repo({ 'db/000009_a.up.sql': fn('1'), 'db/000010_b.up.sql': fn('2') });
    const v = await classifyFromFiles({ migration: gm('000010_b.up.sql'), fs, root: '.', parser });
    const f = v.findings.find((x) => x.direction === 'up')!;
    assert.equal(f.rule, 'changing-function-body');
    assert.equal(f.class, 'mitigate');
    assert.match(f.reason, /exists before this migration \(db\/000009_a\.up\.sql\)/);
    assert.equal(f.fix, fn('1'));
  });
  it('an earlier migration defines it with the same body: safe', async () => {
    const fs = repo({ 'db/000009_a.up.sql': fn('1'), 'db/000010_b.up.sql': fn('1') });
    const v = await classifyFromFiles({ migration: gm('000010_b.up.sql'), fs, root: '.', parser });
    assert.equal(v.findings.find((x) => x.direction === 'up')!.rule, 'replacing-function-unchanged');
  });
});
