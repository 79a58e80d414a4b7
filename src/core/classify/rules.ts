// Table-driven rollback-safety rules over PostgreSQL parse-tree nodes. The question each
// rule answers is not "is this lock-safe?" (squawk's question) but "after the code is
// rolled back and this migration stays applied, does the previous release still work,
// and is any data gone?". Rule ids reuse squawk's / strong_migrations' names where the
// statement they look at is the same.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import type { MigrationClass } from '../migrations/types';
import {
  addColumnInfo,
  addConstraintRule,
  alterTable,
  constraintFromAlter,
  DROP_NOT_NULL_RISK,
  funcName,
  isAlter,
  objectKeysDropped,
  onNewTable,
  plainUniqueColumns,
  type Rule,
  type RuleHit,
  type SqlNode,
} from './rules/common';
import { quoteIdent, relationKey, relationName, typeNameText } from './sqlNames';

import { ACCESS_CONTROL_RULES } from './rules/accessControl';
import { FOREIGN_KEY_RULES } from './rules/foreignKeys';
import { SHAPE_KEEPING_RULES } from './rules/shapeKeepingChanges';
import { TYPE_WIDENING_RULES } from './rules/typeWidening';
import { RECREATED_OBJECT_RULES } from './rules/recreatedObjects';
import { DATA_CHANGE_RULES } from './rules/dataChanges';
import { DROP_AND_RENAME_RULES } from './rules/dropsAndRenames';
import { TRANSIENT_OBJECT_RULES } from './rules/transientObjects';

export { emptyContext, nodesOf, type FileContext, type Rule, type RuleHit, type SqlNode } from './rules/common';
export { learn, learnNodes } from './rules/learn';

/** A foreign key from a new table to one the previous release uses (Prisma writes every key this way): judged in rules/foreignKeys.ts. */
function keyToExistingTable(n: SqlNode): boolean {
  const c = isAlter(n, 'AT_AddConstraint') ? constraintFromAlter(n) : undefined;
  return c?.contype === 'CONSTR_FOREIGN' && !n.ctx.createdTables.has(relationKey(c.pktable));
}

const HARMLESS_TABLE_CHANGES = ['AT_ValidateConstraint', 'AT_SetStatistics', 'AT_SetStorage', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_ReplicaIdentity', 'AT_AddIndex'];

const NO_EFFECT_STATEMENTS = [
  'TransactionStmt', 'VariableSetStmt', 'CommentStmt', 'GrantStmt', 'GrantRoleStmt', 'CreateSeqStmt', 'CreateExtensionStmt',
  'CreateSchemaStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateDomainStmt', 'ViewStmt', 'SelectStmt', 'CreatePolicyStmt',
  'AlterSeqStmt', 'CreateRoleStmt', 'AlterOwnerStmt', 'VacuumStmt', 'ExplainStmt', 'RefreshMatViewStmt', 'LockStmt',
];

/** A unique index over a superset of an earlier unique key's columns: every set of rows the old key allowed, it allows too. */
function coveredByEarlierKey(n: SqlNode): boolean {
  const cols = plainUniqueColumns(n.stmt);
  const table = relationKey(n.stmt.relation);
  return !!cols && [...n.ctx.before.uniqueKeys.values()].some((k) => k.table === table && k.columns.every((c) => cols.includes(c)));
}

/** The rules, in the order they are tried; the first that matches a node decides it. */
export const RULES: Rule[] = [
  // On the down path, removing what the up path added (its trigger, constraint, index) loses no data.
  {
    id: 'undoing-new-object',
    class: 'safe',
    on: ['AT_DropConstraint', 'DropStmt'],
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
    on: ['AlterTableStmt'],
    match: (n) =>
      n.type === 'AlterTableStmt' && onNewTable(n) && n.cmd?.subtype !== 'AT_DropColumn' && !keyToExistingTable(n)
        ? { reason: `Changes ${alterTable(n)}, which this migration itself creates; the old code never uses it.` }
        : undefined,
  },
  ...TRANSIENT_OBJECT_RULES,
  // The families of issue 14, each in its own file; they come before the general rules they refine.
  ...ACCESS_CONTROL_RULES,
  ...FOREIGN_KEY_RULES,
  ...SHAPE_KEEPING_RULES,
  ...TYPE_WIDENING_RULES,
  ...RECREATED_OBJECT_RULES,
  {
    id: 'adding-required-field',
    class: 'mitigate',
    on: ['AT_AddColumn'],
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
    on: ['AT_AddColumn'],
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
    on: ['AT_AddColumn'],
    match: (n) => {
      if (!isAlter(n, 'AT_AddColumn')) return undefined;
      const col = addColumnInfo(n);
      return col.notNull ? undefined : { reason: `Adds nullable ${col.column} to ${alterTable(n)}: the old code ignores it.` };
    },
  },
  {
    id: 'ban-drop-column',
    class: 'destructive',
    on: ['AT_DropColumn'],
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
    on: ['AT_AlterColumnType'],
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
    on: ['AT_SetNotNull'],
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
    on: ['AT_ColumnDefault'],
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
    on: ['AT_ColumnDefault'],
    match: (n) =>
      isAlter(n, 'AT_ColumnDefault') && n.cmd.def
        ? { reason: `Sets a default on ${alterTable(n)}.${n.cmd.name}: the old code's explicit values still win.` }
        : undefined,
  },
  {
    id: 'dropping-not-null',
    class: 'safe',
    on: ['AT_DropNotNull'],
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
    on: ['AT_DropConstraint'],
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
    on: HARMLESS_TABLE_CHANGES,
    match: (n) =>
      n.type === 'AlterTableStmt' && HARMLESS_TABLE_CHANGES.includes(n.cmd?.subtype)
        ? { reason: `${n.cmd.subtype.replace('AT_', '')} on ${alterTable(n)} does not change what the old code reads or writes.` }
        : undefined,
  },
  {
    id: 'adding-table',
    class: 'safe',
    on: ['CreateStmt', 'CreateTableAsStmt'],
    match: (n) =>
      n.type === 'CreateStmt' || n.type === 'CreateTableAsStmt'
        ? { reason: `Creates ${relationName(n.stmt.relation ?? n.stmt.into?.rel)}: the old code ignores it.` }
        : undefined,
  },
  {
    id: 'adding-unique-index',
    class: 'mitigate',
    on: ['IndexStmt'],
    match: (n) => {
      if (n.type !== 'IndexStmt' || !n.stmt.unique) return undefined;
      if (n.ctx.direction === 'up' && n.ctx.createdTables.has(relationKey(n.stmt.relation))) return undefined;
      if (coveredByEarlierKey(n)) return undefined;
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
    on: ['IndexStmt'],
    match: (n) => (n.type === 'IndexStmt' ? { reason: `Creates an index on ${relationName(n.stmt.relation)}: the old code is unaffected.` } : undefined),
  },
  {
    id: 'adding-trigger',
    class: 'mitigate',
    on: ['CreateTrigStmt'],
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
    on: ['CreateTrigStmt'],
    match: (n) =>
      n.type === 'CreateTrigStmt' ? { reason: `Trigger ${n.stmt.trigname} on a table this migration creates: the old code never writes there.` } : undefined,
  },
  ...DROP_AND_RENAME_RULES,
  ...DATA_CHANGE_RULES,
  {
    id: 'adding-trigger-function',
    class: 'safe',
    on: ['CreateFunctionStmt'],
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
    on: ['CreateFunctionStmt'],
    match: (n) =>
      n.type === 'CreateFunctionStmt' && !n.stmt.replace
        ? { reason: `Creates function ${funcName(n.stmt.funcname)}(): the old code does not call it. Its body was not analysed.` }
        : undefined,
  },
  {
    id: 'replacing-function',
    class: 'unknown',
    on: ['CreateFunctionStmt'],
    match: (n) =>
      n.type === 'CreateFunctionStmt'
        ? {
            reason:
              `CREATE OR REPLACE FUNCTION ${funcName(n.stmt.funcname)}(): it may replace a function the old code or its triggers use, and its body is not analysed: review by hand.` +
              (n.ctx.before.history?.functions.get(funcName(n.stmt.funcname)) ? ` An earlier migration defines it: ${n.ctx.before.history.functions.get(funcName(n.stmt.funcname))}.` : ''),
          }
        : undefined,
  },
  {
    id: 'replacing-view',
    class: 'unknown',
    on: ['ViewStmt'],
    match: (n) =>
      n.type === 'ViewStmt' && n.stmt.replace
        ? { reason: `CREATE OR REPLACE VIEW ${relationName(n.stmt.view)} may change what the old code reads: review by hand.` }
        : undefined,
  },
  {
    id: 'adding-enum-value',
    class: 'safe',
    on: ['AlterEnumStmt'],
    match: (n) =>
      n.type === 'AlterEnumStmt' && n.stmt.newVal && !n.stmt.oldVal
        ? { reason: `Adds enum value '${n.stmt.newVal}': the old code's writes are accepted; it may not understand rows the new code wrote with it.` }
        : undefined,
  },
  {
    id: 'no-effect-on-old-code',
    class: 'safe',
    on: NO_EFFECT_STATEMENTS,
    match: (n) =>
      NO_EFFECT_STATEMENTS.includes(n.type)
        ? { reason: `${n.type.replace(/Stmt$/, '')}: does not change what the old code reads or writes.` }
        : undefined,
  },
];

// Per statement type (or ALTER TABLE sub-command), the rules that can match it, in table order:
// a statement is tried against a handful of rules instead of all of them.
const RULES_BY_KIND = new Map<string, Rule[]>();

function rulesFor(node: SqlNode): Rule[] {
  const sub: string | undefined = node.type === 'AlterTableStmt' ? node.cmd?.subtype : undefined;
  const key = sub ?? node.type;
  let list = RULES_BY_KIND.get(key);
  if (!list) {
    list = RULES.filter((r) => !r.on || r.on.includes(key) || (sub !== undefined && r.on.includes(node.type)));
    RULES_BY_KIND.set(key, list);
  }
  return list;
}

/** Applies the rule table to one node; an unmatched node is "unknown", never silently safe. */
export function judge(node: SqlNode): { rule: string; class: MigrationClass; hit: RuleHit } {
  for (const rule of rulesFor(node)) {
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

export const CLASS_RANK: Record<MigrationClass, number> = { safe: 0, mitigate: 1, unknown: 2, destructive: 3 };

/** destructive > unknown > mitigate > safe. */
export function worstClass(classes: Iterable<MigrationClass>): MigrationClass {
  let worst: MigrationClass = 'safe';
  for (const c of classes) if (CLASS_RANK[c] > CLASS_RANK[worst]) worst = c;
  return worst;
}
