import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classifyMigration } from '../../../src/core/classify/classify';
import { judgeBackupList, newestBackupAge } from '../../../src/core/database/backupAge';
import { renderReportMarkdown, summarize } from '../../../src/core/classify/summary';
import type { MigrationTool } from '../../../src/core/config/types';
import type { MigrationVerdict } from '../../../src/core/migrations/types';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

const parser = new PgSqlParser();
const fixtures = join(__dirname, '../../fixtures/sql');

function classify(tool: MigrationTool, file: string, upSource: string | Uint8Array, extra: { downSource?: string; problems?: string[]; dialect?: string } = {}) {
  return classifyMigration({
    migration: { tool, id: file, name: file, file, order: 0, problems: extra.problems ?? [] },
    upSource,
    downSource: extra.downSource,
    parser,
    dialect: extra.dialect,
  });
}

const rulesOf = (v: MigrationVerdict, dir: 'up' | 'down' = 'up') => v.findings.filter((f) => f.direction === dir).map((f) => f.rule);

describe('classifyMigration per tool', () => {
  it('Alembic: operation calls read with a Python parser, op.execute SQL parsed, downgrade() checked for data loss', async () => {
    const file = 'alembic/3f2a_add_email.py';
    const v = await classify('alembic', file, readFileSync(join(fixtures, file)));
    assert.equal(v.class, 'destructive');
    assert.deepEqual(rulesOf(v), [
      'adding-table', 'adding-required-field', 'adding-field-with-default', 'adding-nullable-field', 'renaming-column',
      'adding-not-nullable-field', 'adding-unique-constraint', 'adding-check-constraint', 'adding-trigger', 'ban-drop-column',
    ]);
    const required = v.findings.find((f) => f.rule === 'adding-required-field')!;
    assert.deepEqual([required.line, required.column], [19, 5]);
    assert.equal(required.fix, 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;');
    const trigger = v.findings.find((f) => f.rule === 'adding-trigger')!;
    assert.deepEqual([trigger.line, trigger.column], [26, 17], 'points inside the op.execute string');
    const lost = v.findings.filter((f) => f.direction === 'down' && f.class === 'destructive');
    assert.deepEqual(lost.map((f) => f.statement), ["op.drop_column('users', 'nickname')", "op.drop_column('users', 'tier')", "op.drop_column('users', 'email')", "op.drop_table('audit_log')"]);
    assert.ok(lost.every((f) => /new release has been writing/.test(f.reason)));
  });

  it('Knex: schema builder calls read with Babel', async () => {
    const file = 'knex/20240101_users_email.js';
    const v = await classify('knex', file, readFileSync(join(fixtures, file)));
    assert.deepEqual(rulesOf(v), ['adding-table', 'adding-required-field', 'adding-nullable-field', 'adding-field-with-default', 'renaming-column', 'adding-unique-constraint', 'ban-drop-column', 'adding-trigger']);
    assert.equal(v.findings.find((f) => f.rule === 'adding-unique-constraint')!.fix, 'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_unique;');
    assert.ok(v.findings.some((f) => f.direction === 'down' && f.statement === "t.dropColumn('email')" && f.class === 'destructive'));
  });

  it('node-pg-migrate (TypeScript): pgm calls and pgm.sql', async () => {
    const file = 'pgm/1700000000000_orders-region.ts';
    const v = await classify('node-pg-migrate', file, readFileSync(join(fixtures, file)));
    assert.deepEqual(rulesOf(v), ['adding-table', 'adding-required-field', 'adding-field-with-default', 'renaming-column', 'adding-check-constraint', 'adding-trigger', 'ban-drop-column', 'updating-data']);
    assert.equal(v.findings.find((f) => f.rule === 'adding-trigger')!.fix, 'DROP TRIGGER IF EXISTS orders_require_price ON orders;');
  });

  it('goose: Up and Down sections of one file, positions in the file', async () => {
    const src = '-- +goose Up\n-- +goose StatementBegin\nALTER TABLE users ADD COLUMN email text NOT NULL;\n-- +goose StatementEnd\n\n-- +goose Down\nALTER TABLE users DROP COLUMN email;\n';
    const v = await classify('goose', '20240101_email.sql', src);
    assert.equal(v.class, 'mitigate');
    const up = v.findings.find((f) => f.direction === 'up')!;
    assert.deepEqual([up.rule, up.line, up.column], ['adding-required-field', 3, 1]);
    const down = v.findings.find((f) => f.direction === 'down')!;
    assert.deepEqual([down.rule, down.class, down.line], ['ban-drop-column', 'destructive', 7]);
  });

  it('Prisma with MySQL: analysed as text with lower confidence, never silently safe', async () => {
    const src = 'ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NOT NULL;\nCREATE TABLE `Post` (`id` INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;\nCALL something();\n';
    const v = await classify('prisma', '20240101_email/migration.sql', src);
    assert.ok(v.findings.filter((f) => f.direction === 'up').every((f) => f.confidence === 'text'));
    assert.deepEqual(rulesOf(v), ['adding-required-field', 'adding-table', 'unrecognised-statement']);
    assert.equal(v.class, 'unknown');
    assert.match(v.findings[0].fix!, /MODIFY COLUMN `email` VARCHAR\(191\) NULL/);
    assert.match(rulesOf(v, 'down').join(), /no-down-path/);
  });
});

describe('bad input gets a located message and "unknown", never "safe"', () => {
  it('unparsable SQL: the parser\'s message with line and column', async () => {
    const v = await classify('sql', 'bad.sql', 'CREATE TABLE ok (id int);\nALTER TABLE t ADD COLUM x int;\n');
    assert.equal(v.class, 'unknown');
    const f = v.findings[0];
    assert.equal(f.rule, 'unparsable-sql');
    assert.deepEqual([f.line, f.column], [2, 27]);
    assert.match(f.reason, /syntax error at or near "int"/);
  });

  it('a migration mixing DDL and data updates: the update is destructive, with the reason', async () => {
    const v = await classify('sql', 'mix.sql', "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET price_cents = price_cents * 100;\n");
    assert.equal(v.class, 'destructive');
    const f = v.findings.find((x) => x.rule === 'updating-data')!;
    assert.equal(f.line, 2);
    assert.match(f.reason, /old values are gone unless backed up.*mixes schema changes/);
  });

  it('a DO block is unknown, located', async () => {
    const v = await classify('sql', 'do.sql', "CREATE TABLE a (id int);\n\nDO $$ BEGIN EXECUTE 'DROP TABLE b'; END $$;\n");
    assert.equal(v.class, 'unknown');
    const f = v.findings.find((x) => x.rule === 'do-block')!;
    assert.deepEqual([f.line, f.column], [3, 1]);
  });

  it('a Latin-1 file is refused with the byte position', async () => {
    const bytes = Buffer.concat([Buffer.from("-- caf"), Buffer.from([0xe9]), Buffer.from('\nCREATE TABLE a (id int);\n')]);
    const v = await classify('sql', 'latin1.sql', bytes);
    assert.equal(v.class, 'unknown');
    assert.equal(v.findings[0].rule, 'not-utf8');
    assert.match(v.findings[0].reason, /latin1\.sql:1:7: byte 0xe9 at offset 6 is not valid UTF-8/);
  });

  it('an Alembic chain with a missing parent: the detection problem becomes an unknown finding', async () => {
    const src = "revision = 'b2'\ndown_revision = 'zz'\nfrom alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    op.add_column('t', sa.Column('c', sa.Text()))\n\ndef downgrade():\n    op.drop_column('t', 'c')\n";
    const v = await classify('alembic', 'versions/b2.py', src, { problems: ["down_revision 'zz' is not a known revision (missing parent)"] });
    assert.equal(v.class, 'unknown');
    assert.match(v.findings[0].reason, /versions\/b2\.py: down_revision 'zz' .*missing parent/);
  });

  it('a Python syntax error is located', async () => {
    const v = await classify('alembic', 'versions/c3.py', "def upgrade():\n    op.add_column('t', sa.Column('c'\n\ndef downgrade():\n    pass\n");
    assert.equal(v.class, 'unknown');
    assert.match(v.findings.map((f) => f.reason).join('\n'), /versions\/c3\.py:\d+:\d+: Python syntax error/);
  });

  it('SQL built at run time in a Knex file is unknown', async () => {
    const v = await classify('knex', 'm.js', 'exports.up = (knex) => knex.raw(`DROP TABLE ${name}`);\nexports.down = () => {};\n');
    assert.equal(v.class, 'unknown');
    assert.equal(v.findings[0].rule, 'sql-built-at-run-time');
  });
});

describe('summary and report', () => {
  it('summarizes a release', async () => {
    const safe = await classify('sql', 'a.sql', 'CREATE TABLE a (id int);');
    const safe2 = await classify('sql', 'b.sql', 'ALTER TABLE a ADD COLUMN b int;');
    const mit = await classify('sql', 'c.sql', 'ALTER TABLE a ADD COLUMN c int NOT NULL;');
    assert.equal(summarize([safe, safe2, mit]), '3 migrations: 2 safe to leave, 1 needs mitigation');
    assert.equal(summarize([mit]), '1 migration: 1 needs mitigation');
  });

  it('the Analyze Migration report lists every statement, the fix and its risk, and the down path data loss', async () => {
    const v = await classify('sql', 'c.sql', 'CREATE INDEX i ON a (b);\nALTER TABLE a ADD COLUMN c int NOT NULL;', { downSource: 'ALTER TABLE a DROP COLUMN c;' });
    const md = renderReportMarkdown(v);
    assert.match(md, /\| 1:1 \| `CREATE INDEX i ON a \(b\)` \| safe to leave \| `adding-index` \|/);
    assert.match(md, /\| 2:1 \| `ALTER TABLE a ADD COLUMN c int NOT NULL` \| needs mitigation \| `adding-required-field` \|.*`ALTER TABLE a ALTER COLUMN c DROP NOT NULL;` \| The new release/);
    assert.match(md, /\*\*Data loss:\*\* running the down step loses data the new release wrote/);
  });

  it('reads the newest backup age from backup.list output', () => {
    const age = newestBackupAge('app-20240501-090000.dump\napp-2024-05-01T11:30:00Z.dump\n', new Date('2024-05-01T12:00:00Z'));
    assert.equal(age?.text, '30 minutes old');
    assert.equal(newestBackupAge('nothing here', new Date()), undefined);
  });

  it('judges the newest backup: fresh, too old, dated in the future by this clock', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    assert.deepEqual(judgeBackupList('app-20240501-114500.dump\n', now, 3_600_000), { ok: true, detail: 'newest backup app-20240501-114500.dump, 15 minutes old' });
    assert.equal(judgeBackupList('app-20240428-120000.dump\n', now, 3_600_000).ok, false);
    assert.match(judgeBackupList('app-20240428-120000.dump\n', now, 3_600_000).detail, /is 3 days old, older than migrations\.backup\.maxAge \(60 minutes\)/);
    assert.match(judgeBackupList('app-20240601-120000.dump\n', now, 3_600_000).detail, /in the future by this machine's clock/);
    // Before a restore the advice is not "take a fresh one": that one would hold the damage.
    assert.match(judgeBackupList('app-20240428-120000.dump\n', now, 3_600_000, 'restore').detail, /restoring it loses everything written since then/);
    assert.match(judgeBackupList('x\n', now, 3_600_000, 'restore').detail, /there is nothing to restore from/);
    assert.match(judgeBackupList('app-20240428-120000.dump\n', now, 3_600_000, 'undo').detail, /take a fresh one \(migrations\.backup\.create\)/);
  });
});

describe('reading files', () => {
  it('reads the Prisma provider and classifies through a FileSystemPort (real files)', async () => {
    const { prismaDialect, classifyFromFiles } = await import('../../../src/core/classify/classify');
    const { readFile } = await import('node:fs/promises');
    assert.equal(prismaDialect('generator c { provider = "prisma-client-js" }\ndatasource db {\n  provider = "mysql"\n  url = env("DB")\n}\n'), 'mysql');
    const fs = { readFile: (p: string) => readFile(p), readDir: async () => [], exists: async () => true };
    const v = await classifyFromFiles({
      migration: { tool: 'golang-migrate', id: '000003', name: 'x', file: 'shop/release/000003_require_carrier.up.sql', downFile: 'shop/release/000003_require_carrier.down.sql', order: 0, problems: [] },
      fs,
      root: fixtures,
      parser,
    });
    assert.equal(v.class, 'mitigate');
    assert.ok(v.findings.some((f) => f.direction === 'down' && f.class === 'destructive'));
    const missing = await classifyFromFiles({ migration: { tool: 'sql', id: 'm', name: 'm', file: 'nope.sql', order: 0, problems: [] }, fs, root: fixtures, parser });
    assert.equal(missing.class, 'unknown');
    assert.match(missing.findings[0].reason, /nope\.sql: cannot read the file: ENOENT/);
  });
});
