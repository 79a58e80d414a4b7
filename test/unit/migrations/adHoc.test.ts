// Analyze Migration on a file the detector did not list: the tool is read from the file, and
// a file that is no migration (the README next to the migrations) is refused with the reason
// rather than classified as a "knex migration" with a bogus warning.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adHocMigration } from '../../../src/core/migrations/adHoc';

const tool = (rel: string, text: string): string => {
  const r = adHocMigration(rel, text);
  return 'migration' in r ? r.migration.tool : `refused: ${r.notAMigration}`;
};

describe('adHocMigration', () => {
  test('a Markdown file is not a migration, and the refusal says which file and why', () => {
    const r = adHocMigration('docs/migrations/README.md', '# Migrations\n\nRun `knex migrate:latest`.\n');
    assert.ok('notAMigration' in r);
    assert.equal(r.notAMigration, 'docs/migrations/README.md is not a migration file: no migration tool writes .md files. Analyze Migration reads SQL files, Alembic scripts (.py), Knex or node-pg-migrate files (.js/.ts) and goose Go files.');
    assert.match(tool('Makefile', 'all:\n'), /^refused: Makefile is not a migration file: no migration tool writes files without an extension/);
    assert.match(tool('rollback.yml', 'releases: {}\n'), /no migration tool writes \.yml files/);
  });

  test('SQL, Alembic, Knex, node-pg-migrate and goose files are read as their tool', () => {
    assert.equal(tool('db/001_init.sql', 'CREATE TABLE a (id int);'), 'sql');
    assert.equal(tool('db/0002_users.up.sql', 'ALTER TABLE users ADD COLUMN x int;'), 'golang-migrate');
    assert.equal(tool('db/3_x.sql', '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;'), 'goose');
    assert.equal(tool('alembic/versions/b1.py', 'revision = "b1"\ndown_revision = "a0"\ndef upgrade():\n    op.add_column("users", sa.Column("email", sa.String(), nullable=False))\n'), 'alembic');
    assert.equal(tool('migrations/20240101_add.js', 'exports.up = (knex) => knex.schema.alterTable("users", (t) => t.string("email"));\nexports.down = (knex) => knex.schema.alterTable("users", (t) => t.dropColumn("email"));'), 'knex');
    assert.equal(tool('migrations/1700000000000_add.js', 'exports.up = (pgm) => { pgm.addColumn("users", { email: { type: "text" } }); };'), 'node-pg-migrate');
  });

  test('code that is no migration is refused, naming what is missing', () => {
    assert.match(tool('scripts/helper.py', 'def main():\n    print("hi")\n'), /^refused: scripts\/helper\.py is not a migration file: it has no Alembic revision and no upgrade\(\)\/downgrade\(\) function/);
    assert.match(tool('src/index.ts', 'export const x: number = 1;\n'), /it exports no up\(\) that uses knex or pgm/);
    assert.match(tool('src/broken.js', 'exports.up = (knex) => {'), /it does not parse as JavaScript\/TypeScript \(line 1: /);
    assert.match(tool('main.go', 'package main\nfunc main() {}\n'), /it registers no goose migration/);
  });
});
