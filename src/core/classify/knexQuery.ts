// Knex's query builder in a migration, as the statement it sends, for jsMigrations.ts.

/* eslint-disable @typescript-eslint/no-explicit-any -- Babel AST nodes are walked generically */

import { objectProps, str } from './jsValues';
import { quoteIdent } from './sqlNames';

const QUERY_ROOTS = new Set(['table', 'from', 'into', 'queryBuilder']);

/**
 * Knex's query builder (`knex('accounts').where({ id: 3 }).del()`, `trx.table('t').update({…})`):
 * data changed by the migration, as the statement it sends, so the data rules judge it. A chain
 * that only reads changes nothing; one whose table is computed is reviewed by hand.
 */
export function knexQuery(call: any, knexNames: ReadonlySet<string>): { sql?: string; unknownReason?: string } | undefined {
  const calls: Array<{ name: string; args: any[] }> = [];
  let n = call;
  while (n?.type === 'CallExpression' && n.callee.type === 'MemberExpression') {
    calls.unshift({ name: n.callee.property.name ?? str(n.callee.property), args: n.arguments });
    n = n.callee.object;
  }
  let tableArg: any;
  if (n?.type === 'CallExpression' && n.callee.type === 'Identifier' && knexNames.has(n.callee.name)) tableArg = n.arguments[0];
  else if (n?.type === 'Identifier' && knexNames.has(n.name) && calls.length && QUERY_ROOTS.has(calls[0].name)) tableArg = calls.shift()!.args[0];
  else return undefined;
  const write = calls.find((c) => ['del', 'delete', 'update', 'insert', 'truncate', 'increment', 'decrement', 'upsert'].includes(c.name));
  if (!write) return undefined;
  const table = str(tableArg);
  if (!table) return { unknownReason: `A query-builder ${write.name}() on a table named at run time (not a literal string): review by hand; it is never assumed safe.` };
  const t = quoteIdent(table);
  const where = calls.some((c) => /^(where|orWhere|andWhere|whereIn|whereNot|whereNull|whereNotNull|whereRaw|whereBetween)/.test(c.name)) ? ' WHERE true' : '';
  const cols = (arg: any) => [...objectProps(arg?.type === 'ArrayExpression' ? arg.elements[0] : arg).keys()];
  switch (write.name) {
    case 'del':
    case 'delete':
      return { sql: `DELETE FROM ${t}${where}` };
    case 'truncate':
      return { sql: `TRUNCATE ${t}` };
    case 'insert':
    case 'upsert': {
      const c = cols(write.args[0]);
      return { sql: c.length ? `INSERT INTO ${t} (${c.map(quoteIdent).join(', ')}) VALUES (${c.map(() => "'x'").join(', ')})` : `INSERT INTO ${t} DEFAULT VALUES` };
    }
    default: {
      // update({ a: 1 }), update('a', 1), increment('a', 1)
      const c = write.args[0]?.type === 'ObjectExpression' ? cols(write.args[0]) : [str(write.args[0]) ?? 'id'];
      return { sql: `UPDATE ${t} SET ${c.map((x) => `${quoteIdent(x)} = 'x'`).join(', ')}${where}` };
    }
  }
}
