// What a file creates, recorded before its statements are judged, so a later statement
// about those objects (an index on a table created above, a trigger's function) is judged fairly.

import { constraintColumns, constraintFromAlter, funcName, isAlter, isDrop, nodesOf, viewColumns, type FileContext } from './common';
import { defaultConstraintName, relationKey, stringList } from '../sqlNames';

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
    } else if (n.type === 'ViewStmt') {
      ctx.createdViews.set(relationKey(n.stmt.view), viewColumns(n.stmt));
    } else if (isDrop(n, 'OBJECT_VIEW') || isDrop(n, 'OBJECT_MATVIEW')) {
      for (const o of n.stmt.objects ?? []) ctx.droppedViews.add(stringList(o?.List?.items).join('.'));
    } else if (n.type === 'CreateSeqStmt') {
      ctx.createdObjects.add(`sequence:${relationKey(n.stmt.sequence)}`);
    } else if (n.type === 'CreateFunctionStmt') {
      ctx.createdObjects.add(`function:${funcName(n.stmt.funcname)}`);
    } else if (n.type === 'IndexStmt' && n.stmt.idxname) {
      const key = `${n.stmt.relation?.schemaname ? `${n.stmt.relation.schemaname}.` : ''}${n.stmt.idxname}`;
      ctx.createdObjects.add(`index:${key}`);
    } else if (isAlter(n, 'AT_AddConstraint')) {
      const c = constraintFromAlter(n);
      if (c) {
        const name = c.conname ?? defaultConstraintName(n.stmt.relation.relname, c.contype, constraintColumns(c));
        ctx.createdObjects.add(`constraint:${relationKey(n.stmt.relation)}.${name}`);
      }
    }
  }
}
