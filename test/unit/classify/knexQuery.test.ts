// Knex's query builder in a migration: the rows it deletes, updates or inserts are judged as
// the statements it sends (they were once "runs no operations", safe), inside knex.transaction
// too; a read changes nothing; a table named at run time is never assumed safe.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeJsMigration } from '../../../src/core/classify/jsMigrations';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

const parser = new PgSqlParser();

async function up(body: string): Promise<string[]> {
  const text = `exports.up = async (knex) => {\n${body}\n};\nexports.down = async () => {};\n`;
  const f = await analyzeJsMigration(text, { parser, file: 'migrations/1_x.js', tool: 'knex', dialect: 'pg' });
  return f.filter((x) => x.direction === 'up').map((x) => `${x.rule}:${x.class}`);
}

describe('Knex query builder in a migration', () => {
  it('where().del() deletes rows: destructive', async () => {
    assert.deepEqual(await up("  await knex('accounts').where({ id: 3 }).del();"), ['deleting-data:destructive']);
  });
  it('inside knex.transaction, the transaction object is a query builder too', async () => {
    assert.deepEqual(await up("  await knex.transaction(async (trx) => {\n    await trx('accounts').where('id', 3).delete();\n  });"), ['deleting-data:destructive']);
  });
  it('update() of old rows is destructive, insert() of new ones safe', async () => {
    assert.deepEqual(await up("  await knex.table('orders').update({ state: 'x' });\n  await knex('audit_log').insert([{ action: 'a' }]);"), ['updating-data:destructive', 'inserting-data:safe']);
  });
  it('negative: a select changes nothing (the schema change beside it decides)', async () => {
    assert.deepEqual(await up("  const rows = await knex('accounts').select('id');\n  await knex.schema.alterTable('accounts', (t) => t.string('x'));"), ['adding-nullable-field:safe']);
  });
  it('a table named at run time: unknown, never safe', async () => {
    assert.deepEqual(await up("  const t = process.env.T;\n  await knex(t).del();"), ['sql-built-at-run-time:unknown']);
  });
});
