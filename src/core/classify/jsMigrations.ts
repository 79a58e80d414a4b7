// Reads Knex and node-pg-migrate migrations with @babel/parser (JS or TS) and turns
// their schema-builder calls in up() / down() into operations judged by the SQL rules.

/* eslint-disable @typescript-eslint/no-explicit-any -- Babel AST nodes are walked generically */

import { parseWithBabel as parse } from '../migrations/babelParser';
import type { MigrationFinding } from '../migrations/types';
import { migrationFunctions, walk } from './jsAst';
import { analyzeOps, type MigrationOp } from './opAnalysis';
import { chainOf, isTrue, KNEX_TYPES, knexReferences, objectProps, pgmReferences, str, strs } from './jsValues';
import { knexQuery } from './knexQuery';
import { pgmPolicySql } from './pgmPolicies';
import { quoteIdent } from './sqlNames';
import type { BeforeSchema } from './rules/common';
import type { SqlParser } from './sqlPort';

type Tool = 'knex' | 'node-pg-migrate';

interface Ctx {
  src: string;
  direction: 'up' | 'down';
  ops: MigrationOp[];
}

function literalOrigin(n: any): { line: number; column: number } {
  // Babel columns are 0-based; +1 for 1-based, +1 to step over the opening quote or backtick.
  return { line: n.loc.start.line, column: n.loc.start.column + 2 };
}

function baseOp(ctx: Ctx, n: any): MigrationOp {
  return { direction: ctx.direction, source: ctx.src.slice(n.start, n.end), line: n.loc.start.line, column: n.loc.start.column + 1 };
}

/** How a SQL argument is put together, for the reason ("a template literal that fills in ${table}"). */
function builtFrom(arg: any): string {
  if (!arg) return 'no SQL argument';
  if (arg.type === 'TemplateLiteral') return `a template literal that fills in ${arg.expressions.map((e: any) => `\${${e.type === 'Identifier' ? e.name : '…'}}`).join(', ')}`;
  if (arg.type === 'Identifier') return `the variable ${arg.name}, not a literal`;
  if (arg.type === 'BinaryExpression' && arg.operator === '+') return 'strings joined with +';
  if (arg.type === 'CallExpression') return 'the result of a function call';
  return `a ${arg.type}, not a literal string`;
}

function rawOp(ctx: Ctx, call: any, arg: any): MigrationOp {
  const sql = str(arg);
  if (sql === undefined) {
    return { ...baseOp(ctx, call), rule: 'sql-built-at-run-time', unknownReason: `Runs SQL built at run time (${builtFrom(arg)}): the classifier cannot tell which statement runs. Review by hand; it is never assumed safe.` };
  }
  return { ...baseOp(ctx, call), rawSql: sql, rawOrigin: literalOrigin(arg) };
}

/** One statement inside `alterTable('t', (t) => { ... })`. */
function knexTableCall(ctx: Ctx, table: string, stmt: any): MigrationOp | undefined {
  const { calls } = chainOf(stmt);
  if (!calls.length) return undefined;
  const base = baseOp(ctx, stmt);
  const t = quoteIdent(table);
  const [first, ...mods] = calls;
  const a = first.args;
  const names = (x: any) => strs(x).map(quoteIdent).join(', ');
  switch (first.name) {
    case 'dropColumn':
    case 'dropColumns':
      return { ...base, sql: a.flatMap(strs).map((c: string) => `ALTER TABLE ${t} DROP COLUMN ${quoteIdent(c)}`).join(';\n') };
    case 'renameColumn':
      return { ...base, sql: `ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(str(a[0]) ?? '?')} TO ${quoteIdent(str(a[1]) ?? '?')}` };
    case 'unique':
      return { ...base, sql: `ALTER TABLE ${t} ADD ${typeof str(a[1]) === 'string' ? `CONSTRAINT ${quoteIdent(str(a[1])!)} ` : `CONSTRAINT ${quoteIdent(`${table}_${strs(a[0]).join('_')}_unique`)} `}UNIQUE (${names(a[0])})` };
    case 'primary':
      return { ...base, sql: `ALTER TABLE ${t} ADD PRIMARY KEY (${names(a[0])})` };
    case 'check':
      return { ...base, sql: `ALTER TABLE ${t} ADD CHECK (${str(a[0]) ?? 'true'})` };
    case 'index':
      return { ...base, sql: `CREATE INDEX ON ${t} (${names(a[0])})` };
    case 'dropIndex':
    case 'dropUnique':
    case 'dropForeign':
    case 'dropPrimary': {
      const name = str(a[1]) ?? `${table}_${strs(a[0]).join('_')}_${{ dropIndex: 'index', dropUnique: 'unique', dropForeign: 'foreign', dropPrimary: 'pkey' }[first.name]}`;
      return first.name === 'dropIndex' ? { ...base, sql: `DROP INDEX ${quoteIdent(name)}` } : { ...base, sql: `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)}` };
    }
    case 'foreign': {
      const refs = mods.find((m) => m.name === 'references');
      const inTable = mods.find((m) => m.name === 'inTable');
      const ref = str(refs?.args[0]) ?? 'id';
      const [refTable, refCol] = ref.includes('.') ? ref.split('.') : [str(inTable?.args[0]) ?? '?', ref];
      const onDelete = knexReferences([{ name: 'references', args: [] }, ...mods.filter((m) => m.name === 'onDelete')]).replace(/^.*?\)/, '');
      return { ...base, sql: `ALTER TABLE ${t} ADD FOREIGN KEY (${names(a[0])}) REFERENCES ${quoteIdent(refTable)} (${quoteIdent(refCol)})${onDelete}` };
    }
    case 'dropNullable':
      return { ...base, sql: `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(str(a[0]) ?? '?')} SET NOT NULL` };
    case 'setNullable':
      return { ...base, sql: `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(str(a[0]) ?? '?')} DROP NOT NULL` };
    case 'dropTimestamps':
      return { ...base, sql: `ALTER TABLE ${t} DROP COLUMN created_at;\nALTER TABLE ${t} DROP COLUMN updated_at` };
    case 'timestamps':
      return { ...base, sql: `ALTER TABLE ${t} ADD COLUMN created_at timestamptz${isTrue(a[1]) ? ' NOT NULL DEFAULT now()' : ''}` };
    case 'comment':
    case 'engine':
    case 'charset':
    case 'collate':
      return { ...base, safeReason: `${first.name}() does not change what the old code reads or writes.` };
  }
  const type = KNEX_TYPES[first.name];
  const col = str(a[0]);
  if (!type || !col) return { ...base, rule: 'not-analysable', unknownReason: `${first.name}() is not analysed: review by hand.` };
  const has = (m: string) => mods.some((x) => x.name === m);
  const notNull = has('notNullable') || has('notNull') || has('primary');
  const fills = has('defaultTo') || type.endsWith('serial');
  const c = quoteIdent(col);
  if (has('alter')) {
    // .alter() restates the whole column: type, nullability and default.
    const parts = [`ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${type === 'serial' ? 'integer' : type}`, `ALTER TABLE ${t} ALTER COLUMN ${c} ${notNull ? 'SET' : 'DROP'} NOT NULL`];
    const dflt = mods.find((m) => m.name === 'defaultTo')?.args[0];
    // The new default as written, so an unchanged one is told from a changed one the previous release's INSERTs would get.
    const value = dflt?.type === 'NumericLiteral' ? String(dflt.value) : dflt?.type === 'BooleanLiteral' ? String(dflt.value) : str(dflt) !== undefined ? `'${str(dflt)!.replace(/'/g, "''")}'` : "'x'";
    if (has('defaultTo')) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${value}`);
    else if (!fills) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT`);
    return { ...base, sql: parts.join(';\n') };
  }
  const parts = [`ALTER TABLE ${t} ADD COLUMN ${c} ${type}${notNull ? ' NOT NULL' : ''}${has('defaultTo') ? " DEFAULT 'x'" : ''}${knexReferences(mods)}`];
  if (has('unique')) parts.push(`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(`${table}_${col}_unique`)} UNIQUE (${c})`);
  return { ...base, sql: parts.join(';\n') };
}

/** The columns and keys of `createTable('t', (t) => { ... })`: a key to an existing table matters to the previous release. */
function knexCreateTable(table: string, fn: any): string {
  const defs: string[] = [];
  for (const stmt of callbackStatements(fn)) {
    const { calls } = chainOf(stmt);
    const [first, ...mods] = calls;
    const type = first && KNEX_TYPES[first.name];
    const col = first && str(first.args[0]);
    if (type && col) {
      const notNull = mods.some((m) => /^(notNullable|notNull|primary)$/.test(m.name)) || type.endsWith('serial');
      // Knex names its keys <table>_<column>_foreign (a fix that drops the key must use that name).
      const refs = knexReferences(mods);
      defs.push(`${quoteIdent(col)} ${type}${notNull ? ' NOT NULL' : ''}${mods.some((m) => m.name === 'defaultTo') ? " DEFAULT 'x'" : ''}${refs ? ` CONSTRAINT ${quoteIdent(`${table}_${col}_foreign`.toLowerCase())}${refs}` : ''}`);
    } else if (first?.name === 'foreign') {
      const cols = strs(first.args[0]);
      const named = str(first.args[1]) ?? `${table}_${cols.join('_')}_foreign`.toLowerCase();
      defs.push(`CONSTRAINT ${quoteIdent(named)} FOREIGN KEY (${cols.map(quoteIdent).join(', ')})${knexReferences(mods)}`);
    }
  }
  return `CREATE TABLE ${quoteIdent(table)} (${defs.join(', ')})`;
}

function callbackStatements(fn: any): any[] {
  if (!fn || !/Function/.test(fn.type)) return [];
  if (fn.body.type !== 'BlockStatement') return [fn.body];
  return fn.body.body.filter((s: any) => s.type === 'ExpressionStatement').map((s: any) => s.expression);
}

function knexCall(ctx: Ctx, call: any): boolean {
  const callee = call.callee;
  if (callee.type !== 'MemberExpression') return false;
  const name = callee.property.name;
  const a = call.arguments;
  const base = () => baseOp(ctx, call);
  const table = str(a[0]);
  switch (name) {
    case 'createTable':
    case 'createTableIfNotExists':
      ctx.ops.push(table ? { ...base(), sql: knexCreateTable(table, a[1]) } : { ...base(), unknownReason: 'createTable with a computed name' });
      return true;
    case 'alterTable':
    case 'table':
      if (!table) {
        ctx.ops.push({ ...base(), unknownReason: `${name} with a computed table name: review by hand.` });
        return true;
      }
      for (const s of callbackStatements(a[1])) {
        const op = knexTableCall(ctx, table, s);
        if (op) ctx.ops.push(op);
      }
      return true;
    case 'dropTable':
    case 'dropTableIfExists':
      ctx.ops.push({ ...base(), sql: `DROP TABLE ${quoteIdent(table ?? '?')}` });
      return true;
    case 'renameTable':
      ctx.ops.push({ ...base(), sql: `ALTER TABLE ${quoteIdent(table ?? '?')} RENAME TO ${quoteIdent(str(a[1]) ?? '?')}` });
      return true;
    case 'raw':
      ctx.ops.push(rawOp(ctx, call, a[0]));
      return true;
  }
  return false;
}

function pgmColumns(table: string, obj: any): Array<{ name: string; sql: string }> {
  const out: Array<{ name: string; sql: string }> = [];
  for (const [name, def] of objectProps(obj)) {
    const type = str(def);
    if (type) {
      out.push({ name, sql: `${quoteIdent(name)} ${type === 'id' ? 'serial PRIMARY KEY' : 'text'}` });
      continue;
    }
    const p = objectProps(def);
    const notNull = isTrue(p.get('notNull')) || isTrue(p.get('primaryKey'));
    const dflt = p.get('default');
    const hasDefault = dflt !== undefined && dflt.type !== 'NullLiteral';
    const t = str(p.get('type')) ?? 'text';
    const serial = /serial/i.test(t);
    out.push({ name, sql: `${quoteIdent(name)} ${serial ? 'serial' : 'text'}${notNull ? ' NOT NULL' : ''}${hasDefault ? " DEFAULT 'x'" : ''}${isTrue(p.get('unique')) ? ` CONSTRAINT ${quoteIdent(`${table}_${name}_key`)} UNIQUE` : ''}${pgmReferences(p)}` });
  }
  return out;
}

function pgmCall(ctx: Ctx, call: any, pgmName: string): boolean {
  const callee = call.callee;
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier' || callee.object.name !== pgmName) return false;
  const name = callee.property.name;
  const a = call.arguments;
  const base = baseOp(ctx, call);
  const tableName = str(a[0]) ?? str(objectProps(a[0]).get('name'));
  const t = quoteIdent(tableName ?? '?');
  const push = (op: MigrationOp) => ctx.ops.push(op);
  switch (name) {
    case 'createTable':
      push({ ...base, sql: `CREATE TABLE ${t} (${pgmColumns(tableName ?? '?', a[1]).map((c) => c.sql).join(', ')})` });
      return true;
    case 'dropTable':
      push({ ...base, sql: `DROP TABLE ${t}` });
      return true;
    case 'renameTable':
      push({ ...base, sql: `ALTER TABLE ${t} RENAME TO ${quoteIdent(str(a[1]) ?? '?')}` });
      return true;
    case 'addColumns':
    case 'addColumn':
      push({ ...base, sql: pgmColumns(tableName ?? '?', a[1]).map((c) => `ALTER TABLE ${t} ADD COLUMN ${c.sql}`).join(';\n') });
      return true;
    case 'dropColumns':
    case 'dropColumn': {
      const cols = a[1]?.type === 'ObjectExpression' ? [...objectProps(a[1]).keys()] : strs(a[1]);
      push({ ...base, sql: cols.map((c) => `ALTER TABLE ${t} DROP COLUMN ${quoteIdent(c)}`).join(';\n') });
      return true;
    }
    case 'renameColumn':
      push({ ...base, sql: `ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(str(a[1]) ?? '?')} TO ${quoteIdent(str(a[2]) ?? '?')}` });
      return true;
    case 'alterColumn': {
      const c = quoteIdent(str(a[1]) ?? '?');
      const p = objectProps(a[2]);
      const parts: string[] = [];
      if (p.has('notNull')) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${c} ${isTrue(p.get('notNull')) ? 'SET' : 'DROP'} NOT NULL`);
      if (p.has('type')) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${str(p.get('type')) ?? 'text'}`);
      if (p.has('default')) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${c} ${p.get('default')?.type === 'NullLiteral' ? 'DROP DEFAULT' : "SET DEFAULT 'x'"}`);
      push(parts.length ? { ...base, sql: parts.join(';\n') } : { ...base, safeReason: 'alterColumn changes nothing the database enforces.' });
      return true;
    }
    case 'addConstraint': {
      const cname = str(a[1]);
      const named = cname ? `CONSTRAINT ${quoteIdent(cname)} ` : '';
      const exprText = str(a[2]);
      if (exprText) {
        push({ ...base, sql: `ALTER TABLE ${t} ADD ${named}${exprText}` });
        return true;
      }
      const p = objectProps(a[2]);
      if (p.has('unique')) push({ ...base, sql: `ALTER TABLE ${t} ADD ${named}UNIQUE (${strs(p.get('unique')).map(quoteIdent).join(', ')})` });
      else if (p.has('check')) push({ ...base, sql: `ALTER TABLE ${t} ADD ${named}CHECK (${str(p.get('check')) ?? 'true'})` });
      else if (p.has('primaryKey')) push({ ...base, sql: `ALTER TABLE ${t} ADD ${named}PRIMARY KEY (${strs(p.get('primaryKey')).map(quoteIdent).join(', ')})` });
      else if (p.has('foreignKeys')) {
        const fk = objectProps(p.get('foreignKeys'));
        push({ ...base, sql: `ALTER TABLE ${t} ADD ${named}FOREIGN KEY (${strs(fk.get('columns')).map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(str(fk.get('references')) ?? '?')}` });
      } else push({ ...base, rule: 'not-analysable', unknownReason: 'addConstraint with options the reader does not know: review by hand.' });
      return true;
    }
    case 'dropConstraint':
      push({ ...base, sql: `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(str(a[1]) ?? '?')}` });
      return true;
    case 'createIndex': {
      const unique = isTrue(objectProps(a[2]).get('unique'));
      const cols = strs(a[1]);
      const iname = str(objectProps(a[2]).get('name')) ?? `${tableName}_${cols.join('_')}_index`;
      push({ ...base, sql: `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(iname)} ON ${t} (${cols.map(quoteIdent).join(', ') || 'id'})` });
      return true;
    }
    case 'dropIndex': {
      const cols = strs(a[1]);
      push({ ...base, sql: `DROP INDEX ${quoteIdent(str(objectProps(a[2]).get('name')) ?? `${tableName}_${cols.join('_')}_index`)}` });
      return true;
    }
    case 'createTrigger': {
      const trig = str(a[1]) ?? '?';
      const fn = str(objectProps(a[2]).get('function')) ?? trig;
      push({ ...base, sql: `CREATE TRIGGER ${quoteIdent(trig)} BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION ${quoteIdent(fn)}()` });
      return true;
    }
    case 'dropTrigger':
      push({ ...base, sql: `DROP TRIGGER ${quoteIdent(str(a[1]) ?? '?')} ON ${t}` });
      return true;
    case 'createFunction':
      push({ ...base, rule: 'function-body', unknownReason: `createFunction ${tableName ?? ''}: a function body is not analysed; it may replace one the old code uses. Review by hand.` });
      return true;
    case 'sql':
      push(rawOp(ctx, call, a[0]));
      return true;
    case 'noTransaction':
    case 'func':
      return true;
    case 'createType':
    case 'createExtension':
    case 'createSchema':
    case 'createSequence':
    case 'addTypeValue':
      push({ ...base, safeReason: `${name} does not change what the old code reads or writes.` });
      return true;
    case 'dropType':
      push({ ...base, sql: `DROP TYPE ${t}` });
      return true;
    default: {
      const policy = pgmPolicySql(name, a, t);
      if (policy) push('sql' in policy ? { ...base, sql: policy.sql } : { ...base, rule: 'not-analysable', unknownReason: policy.unknown });
      else push({ ...base, rule: 'not-analysable', unknownReason: `pgm.${name} is not analysed: review by hand.` });
      return true;
    }
  }
}

/** The operations a Knex or node-pg-migrate file's up() and down() run, or the findings that say why it cannot be read. */
export function jsMigrationOps(text: string, options: { file: string; tool: Tool }): { ops: MigrationOp[] } | { failure: MigrationFinding[] } {
  let ast: any;
  try {
    ast = parse(text, { sourceType: 'unambiguous', plugins: ['typescript'], errorRecovery: false });
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    const line = err.loc?.line ?? 1;
    const column = (err.loc?.column ?? 0) + 1;
    return { failure: [{ class: 'unknown', rule: 'unparsable-script', statement: text.split('\n')[line - 1]?.trim() ?? '', line, column, reason: `${options.file}:${line}:${column}: ${err.message.replace(/\s*\(\d+:\d+\)$/, '')}. Review by hand.`, direction: 'up', confidence: 'text' }] };
  }
  const fns = migrationFunctions(ast);
  if (!fns.has('up')) {
    return { failure: [{ class: 'unknown', rule: 'no-up-function', statement: '', line: 1, column: 1, reason: `${options.file}: no exported up() found: review by hand.`, direction: 'up', confidence: 'text' }] };
  }
  const ops: MigrationOp[] = [];
  for (const direction of ['up', 'down'] as const) {
    const fn = fns.get(direction);
    if (!fn) continue;
    const ctx: Ctx = { src: text, direction, ops };
    const param = fn.params?.[0]?.type === 'Identifier' ? fn.params[0].name : options.tool === 'knex' ? 'knex' : 'pgm';
    // Knex chains schema calls (knex.schema.alterTable(…).dropTable(…)): the inner call runs first.
    // knex.transaction(async (trx) => …): trx builds queries as knex does.
    const knexNames = new Set([param]);
    const visitKnex = (n: any): boolean => {
      if (n.type !== 'CallExpression') return false;
      const cb = n.arguments?.[0];
      if (n.callee.type === 'MemberExpression' && n.callee.property.name === 'transaction' && knexNames.has(n.callee.object.name) && cb?.params?.[0]?.type === 'Identifier') knexNames.add(cb.params[0].name);
      const query = knexQuery(n, knexNames);
      if (query) {
        ctx.ops.push(query.sql ? { ...baseOp(ctx, n), sql: query.sql } : { ...baseOp(ctx, n), rule: 'sql-built-at-run-time', unknownReason: query.unknownReason });
        return true;
      }
      if (n.callee.type === 'MemberExpression') walk(n.callee.object, visitKnex);
      if (knexCall(ctx, n)) return true;
      for (const a of n.arguments) walk(a, visitKnex);
      return true;
    };
    walk(fn.body, options.tool === 'knex' ? visitKnex : (n) => n.type === 'CallExpression' && pgmCall(ctx, n, param));
  }
  return { ops };
}

export async function analyzeJsMigration(
  text: string,
  options: { parser: SqlParser; file: string; tool: Tool; dialect?: string; history?: BeforeSchema['history']; earlier?: BeforeSchema },
): Promise<MigrationFinding[]> {
  const read = jsMigrationOps(text, options);
  if ('failure' in read) return read.failure;
  const { ops } = read;
  const findings: MigrationFinding[] = [];
  const mysql = options.dialect ? /mysql|maria/i.test(options.dialect) : false;
  findings.push(...(await analyzeOps(ops, options.parser, { mysql, dialectKnown: options.dialect !== undefined, history: options.history, earlier: options.earlier, file: options.file })));
  if (!ops.some((o) => o.direction === 'up')) {
    findings.push({ class: 'safe', rule: 'empty-migration', statement: '', line: 1, column: 1, reason: 'up() runs no schema operations.', direction: 'up', confidence: 'parsed' });
  }
  if (!ops.some((o) => o.direction === 'down')) {
    findings.push({ class: 'unknown', rule: 'no-down-path', statement: '', line: 1, column: 1, reason: 'down() is missing or empty: undoing this needs the mitigations or a backup restore.', direction: 'down', confidence: 'parsed' });
  }
  return findings;
}
