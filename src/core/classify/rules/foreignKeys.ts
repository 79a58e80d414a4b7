// Foreign keys written inline, from a new table (or a new column) to a table the previous
// release already uses. On the day of the migration nothing refers to the parent, so
// nothing fails; once the new release has written child rows, the previous release's
// `DELETE FROM accounts` of a referenced row fails with "violates foreign key constraint"
// (NO ACTION / RESTRICT, the default). The key added by a separate ALTER TABLE … ADD
// CONSTRAINT is judged by `adding-foreign-key-constraint` in rules.ts.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { alterTable, constraintsOf, isAlter, type Rule, type RuleHit, type SqlNode } from './common';
import { defaultConstraintName, quoteIdent, relationKey, relationName, stringList } from '../sqlNames';

interface InlineKey {
  name: string;
  named: boolean;
  columns: string[];
  parent: string;
  action: string;
  /** Whether every referencing column is NOT NULL (SET NULL then fails). */
  notNull: boolean;
  hasDefault: boolean;
}

/** The keys of a CREATE TABLE (column and table constraints) or of one added column, to tables not created in this file. */
function inlineKeys(n: SqlNode, table: any, columns: any[], tableConstraints: any[]): InlineKey[] {
  const out: InlineKey[] = [];
  const colInfo = new Map<string, { notNull: boolean; hasDefault: boolean }>();
  for (const col of columns) {
    const cons = constraintsOf(col);
    colInfo.set(col.colname, {
      notNull: cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
      hasDefault: cons.some((c) => c.contype === 'CONSTR_DEFAULT'),
    });
  }
  const add = (c: any, cols: string[]) => {
    const parentKey = relationKey(c.pktable);
    // A key to a table this migration creates (itself included) cannot hurt the previous release.
    if (n.ctx.direction === 'up' && n.ctx.createdTables.has(parentKey)) return;
    const named = typeof c.conname === 'string';
    const info = cols.map((k) => colInfo.get(k));
    out.push({
      name: named ? c.conname : defaultConstraintName(table.relname, 'CONSTR_FOREIGN', cols),
      named,
      columns: cols,
      parent: relationName(c.pktable),
      action: c.fk_del_action ?? 'a',
      notNull: info.length > 0 && info.every((i) => i?.notNull),
      hasDefault: info.some((i) => i?.hasDefault),
    });
  };
  for (const col of columns) for (const c of constraintsOf(col)) if (c.contype === 'CONSTR_FOREIGN') add(c, [col.colname]);
  for (const c of tableConstraints) if (c.contype === 'CONSTR_FOREIGN') add(c, stringList(c.fk_attrs));
  return out;
}

/** What the previous release's DELETE of a referenced parent row does once child rows exist. */
function onDelete(k: InlineKey, child: string): { breaks: boolean; what: string } {
  const cols = k.columns.join(', ');
  switch (k.action) {
    case 'c':
      return { breaks: false, what: `ON DELETE CASCADE: the previous release's DELETE FROM ${k.parent} succeeds and also deletes the ${child} rows that point at it (rows the new release wrote)` };
    case 'n':
      return k.notNull
        ? { breaks: true, what: `ON DELETE SET NULL on NOT NULL ${cols}: the previous release's DELETE FROM ${k.parent} of a referenced row fails ("null value violates not-null constraint")` }
        : { breaks: false, what: `ON DELETE SET NULL: the previous release's DELETE FROM ${k.parent} succeeds and clears ${child}.${cols} in the rows that pointed at it` };
    case 'd':
      // No default on a nullable column: SET DEFAULT sets NULL, like SET NULL.
      if (!k.hasDefault && !k.notNull) return { breaks: false, what: `ON DELETE SET DEFAULT without a default on nullable ${cols}: the previous release's DELETE FROM ${k.parent} succeeds and clears ${child}.${cols} in the rows that pointed at it` };
      return { breaks: true, what: `ON DELETE SET DEFAULT: the previous release's DELETE FROM ${k.parent} fails unless ${child}.${cols}'s default${k.hasDefault ? '' : ' (NULL)'} is ${k.hasDefault ? 'itself a row of ' + k.parent : 'allowed'}` };
    default:
      return { breaks: true, what: `the previous release's DELETE FROM ${k.parent} of a row the new release's ${child} rows refer to fails ("violates foreign key constraint ${k.name}")` };
  }
}

function keysHit(child: string, keys: InlineKey[], where: string): RuleHit | undefined {
  if (!keys.length) return undefined;
  const judged = keys.map((k) => ({ k, ...onDelete(k, child) }));
  const breaking = judged.filter((j) => j.breaks);
  if (!breaking.length) {
    return { reason: `${where}: ${judged.map((j) => j.what).join('; ')}. Nothing the previous release does fails.` };
  }
  return {
    reason: `${where}: safe until the new release writes rows there; then ${breaking.map((j) => j.what).join('; ')}.`,
    fix: `ALTER TABLE ${child} ${breaking.map((j) => `DROP CONSTRAINT IF EXISTS ${quoteIdent(j.k.name)}`).join(', ')};`,
    fixRisk:
      `${child} rows may then point at ${[...new Set(breaking.map((j) => j.k.parent))].join(', ')} rows that no longer exist; re-adding the key later fails until those rows are removed or fixed.` +
      (breaking.some((j) => !j.k.named) ? ` ${breaking.filter((j) => !j.k.named).map((j) => j.k.name).join(', ')} is the name PostgreSQL gives an unnamed key; check it with \\d ${child}.` : ''),
  };
}

/** Only the keys that break get the mitigation; a key that cannot break (CASCADE) is told, not flagged. */
function classed(hit: RuleHit | undefined, wantBreaking: boolean): RuleHit | undefined {
  if (!hit) return undefined;
  return (hit.fix !== undefined) === wantBreaking ? hit : undefined;
}

// Two rules ask about the same key (one for the keys that break, one for those that cannot): work it out once per node.
const judgedTables = new WeakMap<object, { ctx: object; hit: RuleHit | undefined }>();

/** Keys of a new table: in its CREATE TABLE, or added to it by a later ALTER TABLE of the same file (Prisma's way). */
function newTableKeys(n: SqlNode): RuleHit | undefined {
  const alter = isAlter(n, 'AT_AddConstraint') && n.ctx.direction === 'up' && n.ctx.createdTables.has(relationKey(n.stmt.relation)) && n.cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN';
  if (n.type !== 'CreateStmt' && !alter) return undefined;
  const at = n.cmd ?? n.stmt;
  const seen = judgedTables.get(at);
  if (seen && seen.ctx === n.ctx) return seen.hit;
  const hit = alter ? alterTableKeys(n) : createTableKeys(n);
  judgedTables.set(at, { ctx: n.ctx, hit });
  return hit;
}

function alterTableKeys(n: SqlNode): RuleHit | undefined {
  const child = alterTable(n);
  const keys = inlineKeys(n, n.stmt.relation, n.ctx.tableColumns.get(relationKey(n.stmt.relation)) ?? [], [n.cmd.def.Constraint]);
  return keysHit(child, keys, `New table ${child} refers to ${[...new Set(keys.map((k) => k.parent))].join(', ')}`);
}

const isKey = (c: any) => c?.contype === 'CONSTR_FOREIGN';

function createTableKeys(n: SqlNode): RuleHit | undefined {
  // Most new tables refer to nothing: say so before reading every column.
  const elts: any[] = n.stmt.tableElts ?? [];
  if (!elts.some((e) => isKey(e.Constraint) || (e.ColumnDef?.constraints ?? []).some((c: any) => isKey(c.Constraint)))) return undefined;
  return createTableKeysOnce(n);
}

function createTableKeysOnce(n: SqlNode): RuleHit | undefined {
  const elts: any[] = n.stmt.tableElts ?? [];
  const cols = elts.map((e) => e.ColumnDef).filter(Boolean);
  const cons = elts.map((e) => e.Constraint).filter(Boolean);
  const child = relationName(n.stmt.relation);
  const keys = inlineKeys(n, n.stmt.relation, cols, cons);
  return keysHit(child, keys, `New table ${child} refers to ${[...new Set(keys.map((k) => k.parent))].join(', ')}`);
}

function addColumnKeys(n: SqlNode): RuleHit | undefined {
  if (!isAlter(n, 'AT_AddColumn')) return undefined;
  const def = n.cmd.def?.ColumnDef;
  if (!def || !(def.constraints ?? []).some((c: any) => isKey(c.Constraint))) return undefined;
  const child = alterTable(n);
  const keys = inlineKeys(n, n.stmt.relation, [def], []);
  return keysHit(child, keys, `New column ${child}.${quoteIdent(def.colname)} refers to ${keys.map((k) => k.parent).join(', ')}`);
}

/** A key from columns this migration adds to a table it creates (Prisma's optional relation to a new model): the previous release writes neither side. */
function keyBetweenNewThings(n: SqlNode): RuleHit | undefined {
  if (!isAlter(n, 'AT_AddConstraint') || n.ctx.direction !== 'up') return undefined;
  const c = n.cmd.def?.Constraint;
  if (c?.contype !== 'CONSTR_FOREIGN' || !n.ctx.createdTables.has(relationKey(c.pktable))) return undefined;
  const t = relationKey(n.stmt.relation);
  const cols = stringList(c.fk_attrs);
  if (!cols.length || !cols.every((k) => n.ctx.addedColumns.has(`${t}.${k}`))) return undefined;
  return { reason: `Key from ${alterTable(n)}.${cols.map(quoteIdent).join(', ')} (added by this migration) to ${relationName(c.pktable)} (created by it): the previous release neither writes those columns (its rows get NULL, which every key accepts) nor deletes from ${relationName(c.pktable)}.` };
}

export const FOREIGN_KEY_RULES: Rule[] = [
  {
    id: 'adding-foreign-key-from-new-table',
    class: 'mitigate',
    on: ['CreateStmt', 'AT_AddConstraint'],
    match: (n) => classed(newTableKeys(n), true),
  },
  {
    id: 'adding-foreign-key-with-delete-action',
    class: 'safe',
    on: ['CreateStmt', 'AT_AddConstraint'],
    match: (n) => classed(newTableKeys(n), false) ?? keyBetweenNewThings(n),
  },
  {
    // squawk's id: the same statement, ADD COLUMN … REFERENCES (squawk for its validation lock).
    id: 'adding-foreign-key-constraint',
    class: 'mitigate',
    on: ['AT_AddColumn'],
    match: (n) => {
      // A required column without a default breaks the previous release's INSERTs first; adding-required-field says so.
      const required = constraintsOf(n.cmd?.def?.ColumnDef).some((c) => c.contype === 'CONSTR_NOTNULL') && !constraintsOf(n.cmd?.def?.ColumnDef).some((c) => c.contype === 'CONSTR_DEFAULT');
      return required ? undefined : classed(addColumnKeys(n), true);
    },
  },
];
