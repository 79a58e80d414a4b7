// What every rule sees (the node, the file's context) and the helpers the rule families share.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import type { MigrationClass } from '../../migrations/types';
import {
  columnRefs,
  defaultConstraintName,
  quoteIdent,
  relationKey,
  relationName,
  stringList,
  typeNameText,
} from '../sqlNames';

/** What a file has created so far, so later statements about those objects are judged fairly. */
export interface FileContext {
  direction: 'up' | 'down';
  /** Tables created in this file (unquoted keys). */
  createdTables: Set<string>;
  /** Their column definitions (parse-tree ColumnDefs), for keys added to them by a later ALTER TABLE. */
  tableColumns: Map<string, any[]>;
  /** `table.column` keys of columns this file added. */
  addedColumns: Set<string>;
  /** For the down path: what the up path created (tables, `table.column`), i.e. what the new code writes. */
  upCreatedTables: Set<string>;
  upAddedColumns: Set<string>;
  /** `trigger:table.name`, `function:name`, `index:name`, `constraint:table.name` this file creates. */
  createdObjects: Set<string>;
  upCreatedObjects: Set<string>;
  /** The same kind of keys for what this file drops (constraint, index, trigger, function). */
  droppedObjects: Set<string>;
  /** Functions that a CREATE TRIGGER in this file executes. */
  triggerFunctions: Set<string>;
  /** Whether this file also has schema changes (for the DDL + data mix message). */
  hasDdl: boolean;
  /** Views this file creates: name → output columns (`*` when it selects a star), and their definitions. */
  createdViews: Map<string, string[]>;
  createdViewStmts: Map<string, any>;
  /** Views this file drops. */
  droppedViews: Set<string>;
  /** Unique keys this file creates on existing tables (index or constraint name → table and plain columns). */
  uniqueKeys: Map<string, UniqueKey>;
  /** What the schema held before this migration, as far as its down path or its tool says. */
  before: BeforeSchema;
}

/** The previous schema where it is visible: the down path restores it, Alembic names existing types, earlier migrations define functions. */
export interface BeforeSchema {
  /** `table.column` → its type before this migration. */
  columnTypes: Map<string, string>;
  /** View → its columns before this migration. */
  viewColumns: Map<string, string[]>;
  /** Functions the down path drops (so the up path created them) or re-creates (so they existed). */
  functionsDroppedByDown: Set<string>;
  functionsRecreatedByDown: Set<string>;
  /** Earlier migrations of the folder, when the classifier could read them. */
  history?: { folder: string; functions: Map<string, string> };
  /** `table.column` → its default before (as a shape, see nodeShape); absent when unknown or none. */
  columnDefaults: Map<string, string>;
  /** `table.name` → the constraint's kind (CONSTR_UNIQUE, CONSTR_CHECK …), and index name → unique, from earlier migrations. */
  constraints: Map<string, string>;
  indexes: Map<string, boolean>;
  /** Unique keys (index or constraint name → table and plain columns; partial and expression indexes left out), from earlier migrations. */
  uniqueKeys: Map<string, UniqueKey>;
  /** Tables whose row-level security earlier migrations turned on (and left on). */
  rowSecurity?: Set<string>;
  /** Function and view definitions before this migration, with where they are written (a fix restores them). */
  functionDefs: Map<string, Definition>;
  viewDefs: Map<string, Definition>;
}

export interface UniqueKey {
  table: string;
  columns: string[];
}

export interface Definition {
  /** Where the definition is written: `the down path`, or an earlier migration's file. */
  from: string;
  /** The statement as written. */
  text: string;
  stmt: any;
}

export function emptyBefore(): BeforeSchema {
  return {
    columnTypes: new Map(),
    viewColumns: new Map(),
    functionsDroppedByDown: new Set(),
    functionsRecreatedByDown: new Set(),
    columnDefaults: new Map(),
    constraints: new Map(),
    indexes: new Map(),
    uniqueKeys: new Map(),
    functionDefs: new Map(),
    viewDefs: new Map(),
  };
}

/** What a file's rules see when nothing about the schema before is known: shared, never written (callers that learn something make their own). */
export const NOTHING_KNOWN: BeforeSchema = Object.freeze(emptyBefore());

/** A node as JSON without its positions: two definitions written alike compare equal. */
export function nodeShape(node: unknown): string {
  return JSON.stringify(node, (k, v) => (k === 'location' || k === 'stmt_location' || k === 'stmt_len' ? undefined : v));
}

export function emptyContext(direction: 'up' | 'down'): FileContext {
  return {
    direction,
    createdTables: new Set(),
    tableColumns: new Map(),
    addedColumns: new Set(),
    upCreatedTables: new Set(),
    upAddedColumns: new Set(),
    createdObjects: new Set(),
    upCreatedObjects: new Set(),
    droppedObjects: new Set(),
    triggerFunctions: new Set(),
    hasDdl: false,
    createdViews: new Map(),
    createdViewStmts: new Map(),
    droppedViews: new Set(),
    uniqueKeys: new Map(),
    before: NOTHING_KNOWN,
  };
}

/** One unit a rule looks at: a statement, or one sub-command of an ALTER TABLE. */
export interface SqlNode {
  /** Statement node type (AlterTableStmt, CreateTrigStmt …). */
  type: string;
  stmt: any;
  /** For ALTER TABLE: the AlterTableCmd being judged. */
  cmd?: any;
  ctx: FileContext;
}

export interface RuleHit {
  reason: string;
  fix?: string;
  fixRisk?: string;
}

export interface Rule {
  id: string;
  class: MigrationClass;
  /**
   * The statement types (`CreateStmt`) or ALTER TABLE sub-commands (`AT_AddColumn`) the rule
   * can match; `AlterTableStmt` means every sub-command. Without it the rule is tried on every
   * node. judge() tries only the rules listed for a node, in table order.
   */
  on?: readonly string[];
  match(node: SqlNode): RuleHit | undefined;
}

/** Splits one statement into the units the rules judge. */
export function nodesOf(statement: Record<string, unknown>, ctx: FileContext): SqlNode[] {
  const [type] = Object.keys(statement);
  const stmt = statement[type] as any;
  if (type === 'AlterTableStmt' && Array.isArray(stmt?.cmds)) {
    return stmt.cmds.map((c: any) => ({ type, stmt, cmd: c.AlterTableCmd, ctx }));
  }
  return [{ type, stmt, ctx }];
}

export const NOT_NULL_TYPES = new Set(['CONSTR_NOTNULL', 'CONSTR_PRIMARY']);
export const SELF_FILLING = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);
export const SERIAL = new Set(['serial', 'serial4', 'serial8', 'bigserial', 'smallserial', 'serial2']);

export function constraintsOf(colDef: any): any[] {
  return (colDef?.constraints ?? []).map((c: any) => c.Constraint).filter(Boolean);
}

export function isAlter(node: SqlNode, subtype: string): boolean {
  return node.type === 'AlterTableStmt' && node.cmd?.subtype === subtype;
}

export function alterTable(node: SqlNode): string {
  return relationName(node.stmt.relation);
}

export function onNewTable(node: SqlNode): boolean {
  return node.ctx.direction === 'up' && node.ctx.createdTables.has(relationKey(node.stmt.relation));
}

type ColumnInfo = { column: string; notNull: boolean; fillsItself: boolean; type: string };
// Three rules read the same added column: work it out once per sub-command.
const columnInfos = new WeakMap<object, ColumnInfo>();

export function addColumnInfo(node: SqlNode): ColumnInfo {
  const key = node.cmd ?? node.stmt;
  let info = columnInfos.get(key);
  if (!info) columnInfos.set(key, (info = columnInfoOnce(node)));
  return info;
}

function columnInfoOnce(node: SqlNode): ColumnInfo {
  const def = node.cmd?.def?.ColumnDef;
  const cons = constraintsOf(def);
  const typeNames = stringList(def?.typeName?.names);
  const serial = typeNames.length === 1 && SERIAL.has(typeNames[0]);
  return {
    column: def?.colname as string,
    notNull: cons.some((c) => NOT_NULL_TYPES.has(c.contype)),
    fillsItself: serial || cons.some((c) => SELF_FILLING.has(c.contype)),
    type: typeNameText(def?.typeName),
  };
}

export const DROP_NOT_NULL_RISK =
  'The new release (if rolled forward again) may find NULLs the old code wrote in this column; backfill before setting NOT NULL again.';

export function dropConstraintFix(table: string, name: string): string {
  return `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)};`;
}

export function constraintFromAlter(node: SqlNode): any {
  return node.cmd?.def?.Constraint;
}

export function constraintColumns(c: any): string[] {
  if (c.contype === 'CONSTR_CHECK') return [...columnRefs(c.raw_expr)];
  if (c.contype === 'CONSTR_FOREIGN') return stringList(c.fk_attrs);
  if (c.contype === 'CONSTR_EXCLUSION') {
    return (c.exclusions ?? []).map((e: any) => e?.List?.items?.[0]?.IndexElem?.name).filter((x: unknown) => typeof x === 'string');
  }
  return stringList(c.keys);
}

export function addConstraintHit(node: SqlNode, what: string, why: string): RuleHit {
  const c = constraintFromAlter(node);
  const table = alterTable(node);
  const named = typeof c.conname === 'string';
  const name = named ? c.conname : defaultConstraintName(node.stmt.relation.relname, c.contype, constraintColumns(c));
  return {
    reason: `New ${what} on ${table}${named ? ` (${name})` : ''}: ${why}`,
    fix: dropConstraintFix(table, name),
    fixRisk:
      `Rows written while it is dropped are not checked; re-adding it later may fail on them.` +
      (named ? '' : ` The name ${name} is PostgreSQL's default for an unnamed constraint; check it with \\d ${table}.`),
  };
}

export function addConstraintRule(id: string, contypes: string[], what: string, why: string): Rule {
  return {
    id,
    class: 'mitigate',
    on: ['AT_AddConstraint'],
    match: (n) =>
      isAlter(n, 'AT_AddConstraint') && contypes.includes(constraintFromAlter(n)?.contype) && !onNewTable(n)
        ? addConstraintHit(n, what, why)
        : undefined,
  };
}

export function dropObjects(node: SqlNode): string[] {
  return (node.stmt.objects ?? []).map((o: any) => {
    if (o?.List) return stringList(o.List.items).map(quoteIdent).join('.');
    if (o?.TypeName) return typeNameText(o.TypeName);
    if (o?.ObjectWithArgs) return stringList(o.ObjectWithArgs.objname).join('.');
    return o?.String?.sval ?? '?';
  });
}

export function dropKeys(node: SqlNode): string[] {
  return (node.stmt.objects ?? []).map((o: any) => (o?.List ? stringList(o.List.items).join('.') : ''));
}

export function isDrop(node: SqlNode, type: string): boolean {
  return node.type === 'DropStmt' && node.stmt.removeType === type;
}

export function objectKeysDropped(n: SqlNode): string[] {
  if (isAlter(n, 'AT_DropConstraint')) return [`constraint:${relationKey(n.stmt.relation)}.${n.cmd.name}`];
  if (n.type !== 'DropStmt') return [];
  const kind = ({ OBJECT_TRIGGER: 'trigger', OBJECT_FUNCTION: 'function', OBJECT_INDEX: 'index' } as Record<string, string>)[n.stmt.removeType];
  if (!kind) return [];
  return (n.stmt.objects ?? []).map((o: any) => {
    if (o?.ObjectWithArgs) return `function:${stringList(o.ObjectWithArgs.objname).join('.')}`;
    return `${kind}:${stringList(o?.List?.items).join('.')}`;
  });
}

/** A view's output column names; `*` for a star (every column of what it selects from). */
export function viewColumns(viewStmt: any): string[] {
  const select = viewStmt?.query?.SelectStmt;
  const aliases = stringList((viewStmt?.aliases ?? []) as any[]);
  if (aliases.length) return aliases;
  return (select?.targetList ?? []).map((t: any) => {
    const r = t.ResTarget;
    if (r?.name) return r.name;
    const fields = r?.val?.ColumnRef?.fields ?? [];
    const last = fields[fields.length - 1];
    if (last?.A_Star) return '*';
    if (last?.String) return last.String.sval;
    if (r?.val?.FuncCall) return stringList(r.val.FuncCall.funcname).pop() ?? '?column?';
    return '?column?';
  });
}

export function funcName(names: any[] | undefined): string {
  return stringList(names).join('.');
}


/** A unique index's columns when it is a plain key (no expression, no WHERE): what ON CONFLICT (cols) can infer. */
export function plainUniqueColumns(indexStmt: any): string[] | undefined {
  if (!indexStmt?.unique || indexStmt.whereClause) return undefined;
  const cols = (indexStmt.indexParams ?? []).map((p: any) => p.IndexElem?.name);
  return cols.length && cols.every((c: unknown) => typeof c === 'string') ? cols : undefined;
}

/** The unique keys of a table once this migration ran: the earlier ones it does not drop, and its own. */
export function uniqueKeysAfter(ctx: FileContext, table: string): Array<[string, UniqueKey]> {
  const kept = [...ctx.before.uniqueKeys].filter(([name, k]) => k.table === table && !ctx.droppedObjects.has(`constraint:${table}.${name}`) && !ctx.droppedObjects.has(`index:${name}`));
  return [...kept, ...[...ctx.uniqueKeys].filter(([, k]) => k.table === table)];
}

export function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

/** Whether earlier migrations created this table, so what they say about it (row-level security off, say) can be trusted. */
export function tableKnown(before: BeforeSchema, table: string): boolean {
  for (const k of before.columnTypes.keys()) if (k.startsWith(`${table}.`)) return true;
  return false;
}
