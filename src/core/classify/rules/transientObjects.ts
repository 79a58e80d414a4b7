// What a migration creates and removes again within itself (a constraint or index for a
// backfill, a staging table, a column it adds and drops) never reaches the previous release:
// judged per statement, the ADD looked like a new constraint and the DROP like data lost.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { constraintColumns, constraintFromAlter, isAlter, isDrop, objectKeysDropped, type Rule, type SqlNode } from './common';
import { defaultConstraintName, relationKey, relationName, stringList } from '../sqlNames';

function addedConstraintKey(n: SqlNode): string | undefined {
  const c = constraintFromAlter(n);
  if (!c) return undefined;
  const name = c.conname ?? defaultConstraintName(n.stmt.relation.relname, c.contype, constraintColumns(c));
  return `constraint:${relationKey(n.stmt.relation)}.${name}`;
}

function transient(n: SqlNode): string | undefined {
  const { ctx } = n;
  if (ctx.direction !== 'up') return undefined;
  if (isAlter(n, 'AT_AddConstraint')) {
    const key = addedConstraintKey(n);
    return key && ctx.droppedObjects.has(key) ? `constraint ${n.cmd.def.Constraint.conname ?? key.split('.').pop()}, which this migration drops again` : undefined;
  }
  if (n.type === 'IndexStmt' && n.stmt.idxname) {
    const key = `index:${n.stmt.relation?.schemaname ? `${n.stmt.relation.schemaname}.` : ''}${n.stmt.idxname}`;
    return ctx.droppedObjects.has(key) ? `index ${n.stmt.idxname}, which this migration drops again` : undefined;
  }
  if (isAlter(n, 'AT_DropConstraint') || isDrop(n, 'OBJECT_INDEX') || isDrop(n, 'OBJECT_TRIGGER')) {
    const keys = objectKeysDropped(n);
    return keys.length && keys.every((k) => ctx.createdObjects.has(k)) ? `${keys.map((k) => k.replace(':', ' ')).join(', ')}, which this migration itself creates` : undefined;
  }
  if (isAlter(n, 'AT_DropColumn')) {
    return ctx.addedColumns.has(`${relationKey(n.stmt.relation)}.${n.cmd.name}`) ? `column ${n.cmd.name}, which this migration itself adds` : undefined;
  }
  if (isDrop(n, 'OBJECT_TABLE')) {
    const keys: string[] = (n.stmt.objects ?? []).map((o: any) => stringList(o?.List?.items).join('.'));
    return keys.length && keys.every((k) => ctx.createdTables.has(k)) ? `table ${keys.join(', ')}, which this migration itself creates` : undefined;
  }
  if (n.type === 'DeleteStmt' || n.type === 'TruncateStmt') {
    const rels: any[] = n.type === 'DeleteStmt' ? [n.stmt.relation] : (n.stmt.relations ?? []).map((r: any) => r.RangeVar);
    return rels.length && rels.every((r) => ctx.createdTables.has(relationKey(r))) ? `rows of ${rels.map(relationName).join(', ')}, a table this migration itself creates` : undefined;
  }
  return undefined;
}

export const TRANSIENT_OBJECT_RULES: Rule[] = [
  {
    id: 'changing-what-this-migration-creates',
    class: 'safe',
    on: ['AT_AddConstraint', 'IndexStmt', 'AT_DropConstraint', 'DropStmt', 'AT_DropColumn', 'DeleteStmt', 'TruncateStmt'],
    match: (n) => {
      const what = transient(n);
      return what ? { reason: `Concerns ${what}: nothing of it exists before or after the migration, so the previous release never meets it.` } : undefined;
    },
  },
];
