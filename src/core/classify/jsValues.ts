// Reading values out of Babel AST nodes (string literals, object literals, call chains) and
// Knex's column builder as a PostgreSQL column definition, for jsMigrations.ts.

/* eslint-disable @typescript-eslint/no-explicit-any -- Babel AST nodes are walked generically */

import { quoteIdent } from './sqlNames';

export function str(n: any): string | undefined {
  if (!n) return undefined;
  if (n.type === 'StringLiteral') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis.map((q: any) => q.value.cooked).join('');
  if (n.type === 'TSAsExpression') return str(n.expression);
  return undefined;
}

export function strs(n: any): string[] {
  if (!n) return [];
  if (n.type === 'ArrayExpression') return n.elements.map(str).filter((s: unknown): s is string => typeof s === 'string');
  const one = str(n);
  return one ? [one] : [];
}

export function objectProps(n: any): Map<string, any> {
  const m = new Map<string, any>();
  if (n?.type !== 'ObjectExpression') return m;
  for (const p of n.properties) {
    if (p.type !== 'ObjectProperty') continue;
    const key = p.key.type === 'Identifier' ? p.key.name : str(p.key);
    if (key) m.set(key, p.value);
  }
  return m;
}

export function isTrue(n: any): boolean {
  return n?.type === 'BooleanLiteral' && n.value === true;
}

/** A call chain `t.string('c').notNullable().alter()` flattened root-first. */
export function chainOf(expr: any): { root?: string; calls: Array<{ name: string; args: any[] }> } {
  const calls: Array<{ name: string; args: any[] }> = [];
  let n = expr;
  while (n?.type === 'CallExpression' && n.callee.type === 'MemberExpression') {
    const name = n.callee.property.name ?? str(n.callee.property);
    calls.unshift({ name, args: n.arguments });
    n = n.callee.object;
  }
  return { root: n?.type === 'Identifier' ? n.name : undefined, calls };
}

export const KNEX_TYPES: Record<string, string> = {
  increments: 'serial', bigIncrements: 'bigserial', integer: 'integer', bigInteger: 'bigint', bigint: 'bigint', smallint: 'smallint',
  tinyint: 'smallint', text: 'text', string: 'varchar', float: 'real', double: 'double precision', decimal: 'numeric',
  boolean: 'boolean', date: 'date', datetime: 'timestamp', timestamp: 'timestamptz', time: 'time', json: 'json', jsonb: 'jsonb',
  uuid: 'uuid', binary: 'bytea', enu: 'text', enum: 'text', specificType: 'text',
};


const ON_DELETE = /^(cascade|restrict|set null|set default|no action)$/i;

/** `.references('id').inTable('accounts').onDelete('CASCADE')` (or `.references('accounts.id')`) as a REFERENCES clause. */
export function knexReferences(mods: Array<{ name: string; args: any[] }>): string {
  const refs = mods.find((m) => m.name === 'references');
  if (!refs) return '';
  const ref = str(refs.args[0]) ?? 'id';
  const inTable = str(mods.find((m) => m.name === 'inTable')?.args[0]);
  const [table, column] = ref.includes('.') ? ref.split('.') : [inTable ?? '?', ref];
  const onDelete = str(mods.find((m) => m.name === 'onDelete')?.args[0]);
  return ` REFERENCES ${quoteIdent(table)} (${quoteIdent(column)})${onDelete && ON_DELETE.test(onDelete) ? ` ON DELETE ${onDelete.toUpperCase()}` : ''}`;
}

/** node-pg-migrate's `references: 'accounts'` / `'accounts(id)'` with `onDelete`. */
export function pgmReferences(p: Map<string, any>): string {
  const ref = str(p.get('references'));
  if (!ref) return '';
  const m = /^\s*("?[\w.]+"?)\s*(?:\(([^)]*)\))?\s*$/.exec(ref);
  const target = m ? `${m[1].startsWith('"') ? m[1] : quoteIdent(m[1])}${m[2] ? ` (${m[2]})` : ''}` : quoteIdent(ref);
  const onDelete = str(p.get('onDelete'));
  return ` REFERENCES ${target}${onDelete && ON_DELETE.test(onDelete) ? ` ON DELETE ${onDelete.toUpperCase()}` : ''}`;
}
