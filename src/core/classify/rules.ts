// Table-driven rollback-safety rules over PostgreSQL parse-tree nodes. The question each
// rule answers is not "is this lock-safe?" (squawk's question) but "after the code is
// rolled back and this migration stays applied, does the previous release still work,
// and is any data gone?". Rule ids reuse squawk's / strong_migrations' names where the
// statement they look at is the same.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import type { MigrationClass } from '../migrations/types';
import {
  columnRefs,
  defaultConstraintName,
  quoteIdent,
  relationKey,
  relationName,
  stringList,
  typeNameText,
} from './sqlNames';

/** What a file has created so far, so later statements about those objects are judged fairly. */
export interface FileContext {
  direction: 'up' | 'down';
  /** Tables created in this file (unquoted keys). */
  createdTables: Set<string>;
  /** `table.column` keys of columns this file added. */
  addedColumns: Set<string>;
  /** For the down path: what the up path created (tables, `table.column`), i.e. what the new code writes. */
  upCreatedTables: Set<string>;
  upAddedColumns: Set<string>;
  /** `trigger:table.name`, `function:name`, `index:name`, `constraint:table.name` this file creates. */
  createdObjects: Set<string>;
  upCreatedObjects: Set<string>;
  /** Functions that a CREATE TRIGGER in this file executes. */
  triggerFunctions: Set<string>;
  /** Whether this file also has schema changes (for the DDL + data mix message). */
  hasDdl: boolean;
}

export function emptyContext(direction: 'up' | 'down'): FileContext {
  return {
    direction,
    createdTables: new Set(),
    addedColumns: new Set(),
    upCreatedTables: new Set(),
    upAddedColumns: new Set(),
    createdObjects: new Set(),
    upCreatedObjects: new Set(),
    triggerFunctions: new Set(),
    hasDdl: false,
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

const NOT_NULL_TYPES = new Set(['CONSTR_NOTNULL', 'CONSTR_PRIMARY']);
const SELF_FILLING = new Set(['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED']);
const SERIAL = new Set(['serial', 'serial4', 'serial8', 'bigserial', 'smallserial', 'serial2']);

function constraintsOf(colDef: any): any[] {
  return (colDef?.constraints ?? []).map((c: any) => c.Constraint).filter(Boolean);
}

function isAlter(node: SqlNode, subtype: string): boolean {
  return node.type === 'AlterTableStmt' && node.cmd?.subtype === subtype;
}

function alterTable(node: SqlNode): string {
  return relationName(node.stmt.relation);
}

function onNewTable(node: SqlNode): boolean {
  return node.ctx.direction === 'up' && node.ctx.createdTables.has(relationKey(node.stmt.relation));
}

function addColumnInfo(node: SqlNode) {
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

const DROP_NOT_NULL_RISK =
  'The new release (if rolled forward again) may find NULLs the old code wrote in this column; backfill before setting NOT NULL again.';

function dropConstraintFix(table: string, name: string): string {
  return `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${quoteIdent(name)};`;
}

function constraintFromAlter(node: SqlNode): any {
  return node.cmd?.def?.Constraint;
}

function constraintColumns(c: any): string[] {
  if (c.contype === 'CONSTR_CHECK') return [...columnRefs(c.raw_expr)];
  if (c.contype === 'CONSTR_FOREIGN') return stringList(c.fk_attrs);
  if (c.contype === 'CONSTR_EXCLUSION') {
    return (c.exclusions ?? []).map((e: any) => e?.List?.items?.[0]?.IndexElem?.name).filter((x: unknown) => typeof x === 'string');
  }
  return stringList(c.keys);
}

function addConstraintHit(node: SqlNode, what: string, why: string): RuleHit {
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

function addConstraintRule(id: string, contypes: string[], what: string, why: string): Rule {
  return {
    id,
    class: 'mitigate',
    match: (n) =>
      isAlter(n, 'AT_AddConstraint') && contypes.includes(constraintFromAlter(n)?.contype) && !onNewTable(n)
        ? addConstraintHit(n, what, why)
        : undefined,
  };
}

function dropObjects(node: SqlNode): string[] {
  return (node.stmt.objects ?? []).map((o: any) => {
    if (o?.List) return stringList(o.List.items).map(quoteIdent).join('.');
    if (o?.TypeName) return typeNameText(o.TypeName);
    if (o?.ObjectWithArgs) return stringList(o.ObjectWithArgs.objname).join('.');
    return o?.String?.sval ?? '?';
  });
}

function dropKeys(node: SqlNode): string[] {
  return (node.stmt.objects ?? []).map((o: any) => (o?.List ? stringList(o.List.items).join('.') : ''));
}

function isDrop(node: SqlNode, type: string): boolean {
  return node.type === 'DropStmt' && node.stmt.removeType === type;
}

function objectKeysDropped(n: SqlNode): string[] {
  if (isAlter(n, 'AT_DropConstraint')) return [`constraint:${relationKey(n.stmt.relation)}.${n.cmd.name}`];
  if (n.type !== 'DropStmt') return [];
  const kind = ({ OBJECT_TRIGGER: 'trigger', OBJECT_FUNCTION: 'function', OBJECT_INDEX: 'index' } as Record<string, string>)[n.stmt.removeType];
  if (!kind) return [];
  return (n.stmt.objects ?? []).map((o: any) => {
    if (o?.ObjectWithArgs) return `function:${stringList(o.ObjectWithArgs.objname).join('.')}`;
    return `${kind}:${stringList(o?.List?.items).join('.')}`;
  });
}

function funcName(names: any[] | undefined): string {
  return stringList(names).join('.');
}

/** The rules, in the order they are tried; the first that matches a node decides it. */
export const RULES: Rule[] = [
  // On the down path, removing what the up path added (its trigger, constraint, index) loses no data.
  {
    id: 'undoing-new-object',
    class: 'safe',
    match: (n) => {
      if (n.ctx.direction !== 'down') return undefined;
      const keys = objectKeysDropped(n);
      return keys.length && keys.every((k) => n.ctx.upCreatedObjects.has(k))
        ? { reason: `Removes ${keys.map((k) => k.replace(':', ' ')).join(', ')}, which the up path created: no data is lost.` }
        : undefined;
    },
  },
  // Anything done to a table this same migration created cannot affect the old code.
  {
    id: 'changing-new-table',
    class: 'safe',
    match: (n) =>
      n.type === 'AlterTableStmt' && onNewTable(n) && n.cmd?.subtype !== 'AT_DropColumn'
        ? { reason: `Changes ${alterTable(n)}, which this migration itself creates; the old code never uses it.` }
        : undefined,
  },
  {
    id: 'adding-required-field',
    class: 'mitigate',
    match: (n) => {
      if (!isAlter(n, 'AT_AddColumn')) return undefined;
      const col = addColumnInfo(n);
      if (!col.notNull || col.fillsItself) return undefined;
      const table = alterTable(n);
      return {
        reason: `Adds ${col.column} ${col.type} NOT NULL to ${table} without a default: the old code's INSERTs do not fill it and fail.`,
        fix: `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(col.column)} DROP NOT NULL;`,
        fixRisk: DROP_NOT_NULL_RISK,
      };
    },
  },
  {
    id: 'adding-field-with-default',
    class: 'safe',
    match: (n) => {
      if (!isAlter(n, 'AT_AddColumn')) return undefined;
      const col = addColumnInfo(n);
      if (!col.fillsItself) return undefined;
      return { reason: `Adds ${col.column} to ${alterTable(n)} with a default: the old code's INSERTs get the default.` };
    },
  },
  {
    id: 'adding-nullable-field',
    class: 'safe',
    match: (n) => {
      if (!isAlter(n, 'AT_AddColumn')) return undefined;
      const col = addColumnInfo(n);
      return col.notNull ? undefined : { reason: `Adds nullable ${col.column} to ${alterTable(n)}: the old code ignores it.` };
    },
  },
  {
    id: 'ban-drop-column',
    class: 'destructive',
    match: (n) => {
      if (!isAlter(n, 'AT_DropColumn')) return undefined;
      const table = alterTable(n);
      const key = `${relationKey(n.stmt.relation)}.${n.cmd.name}`;
      if (n.ctx.direction === 'down' && n.ctx.upAddedColumns.has(key)) {
        return {
          reason: `Undoing the migration drops ${table}.${n.cmd.name}, which the new release has been writing: that data is lost.`,
        };
      }
      return { reason: `Drops ${table}.${n.cmd.name}: its data is gone, and the old code that reads it fails. Only a backup brings it back.` };
    },
  },
  {
    id: 'changing-column-type',
    class: 'mitigate',
    match: (n) => {
      if (!isAlter(n, 'AT_AlterColumnType')) return undefined;
      const table = alterTable(n);
      const type = typeNameText(n.cmd.def?.ColumnDef?.typeName);
      return {
        reason: `Changes ${table}.${n.cmd.name} to ${type}: the old code may write or read values of the old type.`,
        fixRisk: `No fix is generated: the old type is not in this file. Changing the type back rewrites the table and fails if new values do not fit the old type.`,
      };
    },
  },
  {
    id: 'adding-not-nullable-field',
    class: 'mitigate',
    match: (n) => {
      if (!isAlter(n, 'AT_SetNotNull')) return undefined;
      const table = alterTable(n);
      return {
        reason: `Makes ${table}.${n.cmd.name} NOT NULL: old code that inserts without it fails.`,
        fix: `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(n.cmd.name)} DROP NOT NULL;`,
        fixRisk: DROP_NOT_NULL_RISK,
      };
    },
  },
  {
    id: 'removing-column-default',
    class: 'mitigate',
    match: (n) =>
      isAlter(n, 'AT_ColumnDefault') && !n.cmd.def
        ? {
            reason: `Drops the default of ${alterTable(n)}.${n.cmd.name}: old code that relied on it inserts NULL or fails.`,
            fixRisk: `No fix is generated: the old default is unknown from this file. Find it in the previous release's schema and run ALTER TABLE ${alterTable(n)} ALTER COLUMN ${quoteIdent(n.cmd.name)} SET DEFAULT <old default>.`,
          }
        : undefined,
  },
  {
    id: 'setting-column-default',
    class: 'safe',
    match: (n) =>
      isAlter(n, 'AT_ColumnDefault') && n.cmd.def
        ? { reason: `Sets a default on ${alterTable(n)}.${n.cmd.name}: the old code's explicit values still win.` }
        : undefined,
  },
  {
    id: 'dropping-not-null',
    class: 'safe',
    match: (n) =>
      isAlter(n, 'AT_DropNotNull')
        ? { reason: `Allows NULL in ${alterTable(n)}.${n.cmd.name}: the old code's writes are still accepted.` }
        : undefined,
  },
  addConstraintRule(
    'adding-unique-constraint',
    ['CONSTR_UNIQUE', 'CONSTR_PRIMARY'],
    'unique constraint',
    'old code that writes duplicates (it never had to avoid them) fails.',
  ),
  addConstraintRule('adding-check-constraint', ['CONSTR_CHECK'], 'check constraint', 'old code writing values outside it fails.'),
  addConstraintRule(
    'adding-foreign-key-constraint',
    ['CONSTR_FOREIGN'],
    'foreign key',
    'old code inserting rows without a matching parent, or deleting parents, fails.',
  ),
  addConstraintRule('adding-exclusion-constraint', ['CONSTR_EXCLUSION'], 'exclusion constraint', 'old code writing overlapping rows fails.'),
  {
    id: 'dropping-constraint',
    class: 'mitigate',
    match: (n) =>
      isAlter(n, 'AT_DropConstraint')
        ? {
            reason: `Drops constraint ${n.cmd.name} on ${alterTable(n)}: old code may rely on it (ON CONFLICT, cascades, integrity).`,
            fixRisk: 'No fix is generated: the constraint definition is not in this file. Re-adding it fails if rows written since violate it.',
          }
        : undefined,
  },
  {
    id: 'harmless-table-change',
    class: 'safe',
    match: (n) =>
      n.type === 'AlterTableStmt' &&
      ['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_SetStorage', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_ReplicaIdentity', 'AT_ChangeOwner', 'AT_EnableRowSecurity', 'AT_AddIndex'].includes(n.cmd?.subtype)
        ? { reason: `${n.cmd.subtype.replace('AT_', '')} on ${alterTable(n)} does not change what the old code reads or writes.` }
        : undefined,
  },
  {
    id: 'adding-table',
    class: 'safe',
    match: (n) =>
      n.type === 'CreateStmt' || n.type === 'CreateTableAsStmt'
        ? { reason: `Creates ${relationName(n.stmt.relation ?? n.stmt.into?.rel)}: the old code ignores it.` }
        : undefined,
  },
  {
    id: 'adding-unique-index',
    class: 'mitigate',
    match: (n) => {
      if (n.type !== 'IndexStmt' || !n.stmt.unique) return undefined;
      if (n.ctx.direction === 'up' && n.ctx.createdTables.has(relationKey(n.stmt.relation))) return undefined;
      const table = relationName(n.stmt.relation);
      const cols = (n.stmt.indexParams ?? []).map((p: any) => p.IndexElem?.name ?? 'expr');
      const name = n.stmt.idxname ?? `${n.stmt.relation.relname}_${cols.join('_')}_idx`;
      const schema = n.stmt.relation.schemaname ? `${quoteIdent(n.stmt.relation.schemaname)}.` : '';
      return {
        reason: `New unique index on ${table}: old code that writes duplicates fails.`,
        fix: `DROP INDEX IF EXISTS ${schema}${quoteIdent(name)};`,
        fixRisk: 'Duplicates written while it is dropped make re-creating it fail; queries relying on it get slower.',
      };
    },
  },
  {
    id: 'adding-index',
    class: 'safe',
    match: (n) => (n.type === 'IndexStmt' ? { reason: `Creates an index on ${relationName(n.stmt.relation)}: the old code is unaffected.` } : undefined),
  },
  {
    id: 'adding-trigger',
    class: 'mitigate',
    match: (n) => {
      if (n.type !== 'CreateTrigStmt') return undefined;
      const table = relationName(n.stmt.relation);
      if (n.ctx.direction === 'up' && n.ctx.createdTables.has(relationKey(n.stmt.relation))) return undefined;
      return {
        reason: `New trigger ${n.stmt.trigname} on ${table} (runs ${funcName(n.stmt.funcname)}()): it may reject or change the old code's writes, which the old code does not expect.`,
        fix: `DROP TRIGGER IF EXISTS ${quoteIdent(n.stmt.trigname)} ON ${table};`,
        fixRisk: n.stmt.replace
          ? 'CREATE OR REPLACE: a previous trigger of that name is dropped too, not restored.'
          : 'Whatever the trigger maintained (audit rows, derived columns) stops being maintained until it is re-created.',
      };
    },
  },
  {
    id: 'adding-trigger-on-new-table',
    class: 'safe',
    match: (n) =>
      n.type === 'CreateTrigStmt' ? { reason: `Trigger ${n.stmt.trigname} on a table this migration creates: the old code never writes there.` } : undefined,
  },
  {
    id: 'ban-drop-table',
    class: 'destructive',
    match: (n) => {
      if (!isDrop(n, 'OBJECT_TABLE')) return undefined;
      const names = dropObjects(n).join(', ');
      const newOnes = dropKeys(n).filter((k) => n.ctx.upCreatedTables.has(k));
      if (n.ctx.direction === 'down' && newOnes.length) {
        return { reason: `Undoing the migration drops ${names}, which the new release has been writing: that data is lost.` };
      }
      return { reason: `Drops table ${names}: its rows are gone, and the old code that uses it fails. Only a backup brings it back.` };
    },
  },
  {
    id: 'ban-drop-database',
    class: 'destructive',
    match: (n) => (n.type === 'DropdbStmt' ? { reason: `Drops database ${n.stmt.dbname}: everything in it is gone.` } : undefined),
  },
  {
    id: 'ban-truncate',
    class: 'destructive',
    match: (n) =>
      n.type === 'TruncateStmt'
        ? { reason: `Truncates ${(n.stmt.relations ?? []).map((r: any) => relationName(r.RangeVar)).join(', ')}: the rows are gone unless backed up.` }
        : undefined,
  },
  {
    id: 'ban-drop-type',
    class: 'destructive',
    match: (n) =>
      isDrop(n, 'OBJECT_TYPE') || isDrop(n, 'OBJECT_DOMAIN')
        ? { reason: `Drops type ${dropObjects(n).join(', ')}: columns of that type (with CASCADE) and the old code using it break.` }
        : undefined,
  },
  {
    id: 'ban-drop-schema',
    class: 'destructive',
    match: (n) => (isDrop(n, 'OBJECT_SCHEMA') || isDrop(n, 'OBJECT_SEQUENCE') ? { reason: `Drops ${dropObjects(n).join(', ')}: its contents or state are gone.` } : undefined),
  },
  {
    id: 'dropping-index',
    class: 'safe',
    match: (n) =>
      isDrop(n, 'OBJECT_INDEX')
        ? { reason: `Drops index ${dropObjects(n).join(', ')}: the old code still works, maybe slower. If it was unique, old ON CONFLICT clauses on it fail.` }
        : undefined,
  },
  {
    id: 'dropping-object-old-code-uses',
    class: 'mitigate',
    match: (n) =>
      n.type === 'DropStmt' && ['OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FUNCTION', 'OBJECT_PROCEDURE', 'OBJECT_TRIGGER'].includes(n.stmt.removeType)
        ? {
            reason: `Drops ${n.stmt.removeType.replace('OBJECT_', '').toLowerCase()} ${dropObjects(n).join(', ')}: the old code or its triggers may use it.`,
            fixRisk: 'No fix is generated: the definition is not in this file. Re-create it from the previous release.',
          }
        : undefined,
  },
  {
    id: 'renaming-column',
    class: 'mitigate',
    match: (n) => {
      if (n.type !== 'RenameStmt' || n.stmt.renameType !== 'OBJECT_COLUMN') return undefined;
      const table = relationName(n.stmt.relation);
      if (n.ctx.direction === 'down') {
        return { reason: `Renames ${table}.${n.stmt.subname} back to ${n.stmt.newname}: the old code needs this; the new code breaks from this moment.` };
      }
      return {
        reason: `Renames ${table}.${n.stmt.subname} to ${n.stmt.newname}: the old code still uses ${n.stmt.subname}.`,
        fix: `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(n.stmt.newname)} TO ${quoteIdent(n.stmt.subname)};`,
        fixRisk: `The new code, which uses ${n.stmt.newname}, breaks as soon as this runs: run it only together with the code switch.`,
      };
    },
  },
  {
    id: 'renaming-table',
    class: 'mitigate',
    match: (n) => {
      if (n.type !== 'RenameStmt' || n.stmt.renameType !== 'OBJECT_TABLE') return undefined;
      const schema = n.stmt.relation.schemaname ? `${quoteIdent(n.stmt.relation.schemaname)}.` : '';
      return {
        reason: `Renames table ${relationName(n.stmt.relation)} to ${n.stmt.newname}: the old code still uses the old name.`,
        fix: `ALTER TABLE ${schema}${quoteIdent(n.stmt.newname)} RENAME TO ${quoteIdent(n.stmt.relation.relname)};`,
        fixRisk: `The new code, which uses ${n.stmt.newname}, breaks as soon as this runs: run it only together with the code switch.`,
      };
    },
  },
  {
    id: 'renaming-object',
    class: 'safe',
    match: (n) =>
      n.type === 'RenameStmt' && ['OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER'].includes(n.stmt.renameType)
        ? { reason: `Renames ${n.stmt.renameType.replace('OBJECT_', '').toLowerCase()} ${n.stmt.subname ?? ''} to ${n.stmt.newname}: the old code does not refer to it by name.` }
        : undefined,
  },
  {
    id: 'backfilling-new-column',
    class: 'safe',
    match: (n) => {
      if (n.type !== 'UpdateStmt') return undefined;
      const table = relationKey(n.stmt.relation);
      const cols: string[] = (n.stmt.targetList ?? []).map((t: any) => t.ResTarget?.name);
      return cols.length && cols.every((c) => n.ctx.addedColumns.has(`${table}.${c}`))
        ? { reason: `Fills ${cols.join(', ')}, which this migration adds to ${relationName(n.stmt.relation)}: no old value is overwritten.` }
        : undefined;
    },
  },
  {
    id: 'updating-data',
    class: 'destructive',
    match: (n) =>
      n.type === 'UpdateStmt'
        ? {
            reason:
              `Data changed in ${relationName(n.stmt.relation)}; the old values are gone unless backed up.` +
              (n.ctx.hasDdl ? ' This migration mixes schema changes with this data change: no schema fix undoes it.' : ''),
          }
        : undefined,
  },
  {
    id: 'deleting-data',
    class: 'destructive',
    match: (n) =>
      n.type === 'DeleteStmt'
        ? {
            reason:
              `Rows deleted from ${relationName(n.stmt.relation)}; the old values are gone unless backed up.` +
              (n.ctx.hasDdl ? ' This migration mixes schema changes with this data change: no schema fix undoes it.' : ''),
          }
        : undefined,
  },
  {
    id: 'inserting-data',
    class: 'safe',
    match: (n) => (n.type === 'InsertStmt' ? { reason: `Adds rows to ${relationName(n.stmt.relation)}: nothing the old code wrote is changed.` } : undefined),
  },
  {
    id: 'do-block',
    class: 'unknown',
    match: (n) =>
      n.type === 'DoStmt' ? { reason: 'A DO block runs procedural code the classifier cannot see into: review by hand.' } : undefined,
  },
  {
    id: 'adding-trigger-function',
    class: 'safe',
    match: (n) => {
      if (n.type !== 'CreateFunctionStmt') return undefined;
      const name = funcName(n.stmt.funcname);
      const returns = typeNameText(n.stmt.returnType);
      if (returns !== 'trigger' || !n.ctx.triggerFunctions.has(name)) return undefined;
      return { reason: `Trigger function ${name}(): it only runs through the trigger created here, which is judged on its own.` };
    },
  },
  {
    id: 'adding-function',
    class: 'safe',
    match: (n) =>
      n.type === 'CreateFunctionStmt' && !n.stmt.replace
        ? { reason: `Creates function ${funcName(n.stmt.funcname)}(): the old code does not call it. Its body was not analysed.` }
        : undefined,
  },
  {
    id: 'replacing-function',
    class: 'unknown',
    match: (n) =>
      n.type === 'CreateFunctionStmt'
        ? { reason: `CREATE OR REPLACE FUNCTION ${funcName(n.stmt.funcname)}(): it may replace a function the old code or its triggers use, and its body is not analysed: review by hand.` }
        : undefined,
  },
  {
    id: 'replacing-view',
    class: 'unknown',
    match: (n) =>
      n.type === 'ViewStmt' && n.stmt.replace
        ? { reason: `CREATE OR REPLACE VIEW ${relationName(n.stmt.view)} may change what the old code reads: review by hand.` }
        : undefined,
  },
  {
    id: 'adding-enum-value',
    class: 'safe',
    match: (n) =>
      n.type === 'AlterEnumStmt' && n.stmt.newVal && !n.stmt.oldVal
        ? { reason: `Adds enum value '${n.stmt.newVal}': the old code's writes are accepted; it may not understand rows the new code wrote with it.` }
        : undefined,
  },
  {
    id: 'no-effect-on-old-code',
    class: 'safe',
    match: (n) =>
      [
        'TransactionStmt', 'VariableSetStmt', 'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'CreateSeqStmt', 'CreateExtensionStmt',
        'CreateSchemaStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateDomainStmt', 'ViewStmt', 'SelectStmt', 'CreatePolicyStmt',
        'AlterSeqStmt', 'CreateRoleStmt', 'AlterOwnerStmt', 'VacuumStmt', 'ExplainStmt', 'RefreshMatViewStmt', 'LockStmt',
      ].includes(n.type)
        ? { reason: `${n.type.replace(/Stmt$/, '')}: does not change what the old code reads or writes.` }
        : undefined,
  },
];

/** Applies the rule table to one node; an unmatched node is "unknown", never silently safe. */
export function judge(node: SqlNode): { rule: string; class: MigrationClass; hit: RuleHit } {
  for (const rule of RULES) {
    const hit = rule.match(node);
    if (hit) return { rule: rule.id, class: rule.class, hit };
  }
  const what = node.cmd?.subtype ? `${node.type} ${node.cmd.subtype}` : node.type;
  return {
    rule: 'unrecognised-statement',
    class: 'unknown',
    hit: { reason: `No rule covers ${what}: review by hand whether the old code still works with it.` },
  };
}

/** Records what a statement creates, so later statements in the same file are judged with it. */
export function learn(statement: Record<string, unknown>, ctx: FileContext): void {
  for (const n of nodesOf(statement, ctx)) {
    if (n.type !== 'TransactionStmt' && n.type !== 'VariableSetStmt' && !['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'SelectStmt'].includes(n.type)) {
      ctx.hasDdl = true;
    }
    if (n.type === 'CreateStmt') {
      const t = relationKey(n.stmt.relation);
      ctx.createdTables.add(t);
      for (const el of n.stmt.tableElts ?? []) if (el.ColumnDef) ctx.addedColumns.add(`${t}.${el.ColumnDef.colname}`);
    } else if (isAlter(n, 'AT_AddColumn')) {
      ctx.addedColumns.add(`${relationKey(n.stmt.relation)}.${n.cmd.def?.ColumnDef?.colname}`);
    } else if (n.type === 'CreateTrigStmt') {
      ctx.triggerFunctions.add(funcName(n.stmt.funcname));
      ctx.createdObjects.add(`trigger:${relationKey(n.stmt.relation)}.${n.stmt.trigname}`);
    } else if (n.type === 'CreateFunctionStmt') {
      ctx.createdObjects.add(`function:${funcName(n.stmt.funcname)}`);
    } else if (n.type === 'IndexStmt' && n.stmt.idxname) {
      ctx.createdObjects.add(`index:${n.stmt.relation?.schemaname ? `${n.stmt.relation.schemaname}.` : ''}${n.stmt.idxname}`);
    } else if (isAlter(n, 'AT_AddConstraint')) {
      const c = constraintFromAlter(n);
      if (c) {
        const name = c.conname ?? defaultConstraintName(n.stmt.relation.relname, c.contype, constraintColumns(c));
        ctx.createdObjects.add(`constraint:${relationKey(n.stmt.relation)}.${name}`);
      }
    }
  }
}

export const CLASS_RANK: Record<MigrationClass, number> = { safe: 0, mitigate: 1, unknown: 2, destructive: 3 };

/** destructive > unknown > mitigate > safe. */
export function worstClass(classes: Iterable<MigrationClass>): MigrationClass {
  let worst: MigrationClass = 'safe';
  for (const c of classes) if (CLASS_RANK[c] > CLASS_RANK[worst]) worst = c;
  return worst;
}
