// What a file creates, recorded before its statements are judged, so a later statement
// about those objects (an index on a table created above, a trigger's function) is judged fairly.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { constraintColumns, constraintFromAlter, funcName, isAlter, isDrop, nodesOf, objectKeysDropped, plainUniqueColumns, viewColumns, type FileContext, type SqlNode } from './common';
import { defaultConstraintName, relationKey, stringList } from '../sqlNames';

/** Records what a statement creates, so later statements in the same file are judged with it. */
export function learn(statement: Record<string, unknown>, ctx: FileContext): void {
  learnNodes(nodesOf(statement, ctx), ctx);
}

/** The same, for a statement already split into the units the rules judge. */
export function learnNodes(nodes: SqlNode[], ctx: FileContext): void {
  for (const n of nodes) {
    if (n.type === 'DropStmt' || n.cmd?.subtype === 'AT_DropConstraint') for (const k of objectKeysDropped(n)) ctx.droppedObjects.add(k);
    if (n.type !== 'TransactionStmt' && n.type !== 'VariableSetStmt' && !['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'SelectStmt'].includes(n.type)) {
      ctx.hasDdl = true;
    }
    if (n.type === 'CreateStmt') {
      const t = relationKey(n.stmt.relation);
      ctx.createdTables.add(t);
      ctx.tableColumns.set(t, (n.stmt.tableElts ?? []).map((e: any) => e.ColumnDef).filter(Boolean));
      for (const el of n.stmt.tableElts ?? []) if (el.ColumnDef) ctx.addedColumns.add(`${t}.${el.ColumnDef.colname}`);
    } else if (isAlter(n, 'AT_AddColumn')) {
      ctx.addedColumns.add(`${relationKey(n.stmt.relation)}.${n.cmd.def?.ColumnDef?.colname}`);
    } else if (n.type === 'CreateTrigStmt') {
      ctx.triggerFunctions.add(funcName(n.stmt.funcname));
      ctx.createdObjects.add(`trigger:${relationKey(n.stmt.relation)}.${n.stmt.trigname}`);
    } else if (n.type === 'ViewStmt') {
      ctx.createdViews.set(relationKey(n.stmt.view), viewColumns(n.stmt));
      ctx.createdViewStmts.set(relationKey(n.stmt.view), n.stmt);
    } else if (isDrop(n, 'OBJECT_VIEW') || isDrop(n, 'OBJECT_MATVIEW')) {
      for (const o of n.stmt.objects ?? []) ctx.droppedViews.add(stringList(o?.List?.items).join('.'));
    } else if (n.type === 'CreatePolicyStmt' && openPolicy(n.stmt)) {
      ctx.createdObjects.add(`open-policy:${relationKey(n.stmt.table)}`);
    } else if (isAlter(n, 'AT_EnableRowSecurity')) {
      ctx.createdObjects.add(`row-security:${relationKey(n.stmt.relation)}`);
    } else if (n.type === 'CreateSeqStmt') {
      ctx.createdObjects.add(`sequence:${relationKey(n.stmt.sequence)}`);
    } else if (n.type === 'CreateFunctionStmt') {
      ctx.createdObjects.add(`function:${funcName(n.stmt.funcname)}`);
    } else if (n.type === 'IndexStmt' && n.stmt.idxname) {
      const key = `${n.stmt.relation?.schemaname ? `${n.stmt.relation.schemaname}.` : ''}${n.stmt.idxname}`;
      ctx.createdObjects.add(`index:${key}`);
      const cols = plainUniqueColumns(n.stmt);
      if (cols) ctx.uniqueKeys.set(n.stmt.idxname, { table: relationKey(n.stmt.relation), columns: cols });
    } else if (isAlter(n, 'AT_AddConstraint')) {
      const c = constraintFromAlter(n);
      if (c) {
        const name = c.conname ?? defaultConstraintName(n.stmt.relation.relname, c.contype, constraintColumns(c));
        ctx.createdObjects.add(`constraint:${relationKey(n.stmt.relation)}.${name}`);
        if ((c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') && constraintColumns(c).length) ctx.uniqueKeys.set(name, { table: relationKey(n.stmt.relation), columns: constraintColumns(c) });
      }
    }
  }
}

const isTrue = (e: any) => e === undefined || e?.A_Const?.boolval?.boolval === true;

/** A permissive policy for every command and every role whose conditions are `true`: row-level security then hides nothing. */
function openPolicy(p: any): boolean {
  const roles: any[] = p.roles ?? [];
  const everyone = roles.length === 0 || roles.every((r) => r?.RoleSpec?.roletype === 'ROLESPEC_PUBLIC');
  return p.permissive !== false && (p.cmd_name ?? 'all') === 'all' && everyone && p.qual !== undefined && isTrue(p.qual) && isTrue(p.with_check);
}
