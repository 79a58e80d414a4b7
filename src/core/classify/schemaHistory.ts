// What the earlier migrations of a folder left in the schema, read statement by statement in
// apply order: column types and defaults, which constraints and indexes are unique, the
// functions and views as last defined. A migration's rules then know that `n` was smallint
// (so INTEGER widens it), that orders_code_idx was created UNIQUE, that price() had another
// body (and the statement that restores it). Where the history does not say, the rules fall
// back to what the file itself shows, as before.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { constraintColumns, constraintsOf, emptyBefore, funcName, nodeShape, plainUniqueColumns, viewColumns, type BeforeSchema } from './rules/common';
import { defaultConstraintName, relationKey, stringList, typeNameText } from './sqlNames';
import type { SqlStatement } from './sqlPort';

/** Does this migration have something the earlier schema decides (a type change, a dropped index or constraint, a default, a replaced function or view)? */
export function needsEarlierSchema(upText: string): boolean {
  return /\b(TYPE|DROP\s+(INDEX|CONSTRAINT|VIEW|DEFAULT)|SET\s+DEFAULT|OR\s+REPLACE|UNIQUE\s+INDEX|ROW\s+LEVEL\s+SECURITY|POLICY)\b/i.test(upText);
}

function addConstraint(table: any, c: any, into: BeforeSchema, column?: string): void {
  const t = relationKey(table);
  if (!['CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_CHECK', 'CONSTR_FOREIGN', 'CONSTR_EXCLUSION'].includes(c.contype)) return;
  const cols = column ? [column] : constraintColumns(c);
  const name = c.conname ?? defaultConstraintName(table.relname, c.contype, cols);
  into.constraints.set(`${t}.${name}`, c.contype);
  // A unique or primary key constraint is backed by an index of the same name.
  if (c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY') {
    into.indexes.set(name, true);
    if (cols.length) into.uniqueKeys.set(name, { table: t, columns: cols });
  }
}

function addColumn(table: any, def: any, into: BeforeSchema): void {
  const key = `${relationKey(table)}.${def.colname}`;
  into.columnTypes.set(key, typeNameText(def.typeName));
  into.columnDefaults.delete(key);
  // serial is integer with a nextval() default: dropping that default is a change, not a no-op.
  if (/^(small|big)?serial[248]?$/i.test(typeNameText(def.typeName))) into.columnDefaults.set(key, 'nextval()');
  for (const c of constraintsOf(def)) {
    if (c.contype === 'CONSTR_DEFAULT') into.columnDefaults.set(key, nodeShape(c.raw_expr));
    else addConstraint(table, c, into, def.colname);
  }
}

/** Applies one earlier migration's statements (in order) to what the schema held. */
export function foldStatements(statements: SqlStatement[], file: string, into: BeforeSchema): void {
  for (const s of statements) {
    const [type] = Object.keys(s.node);
    const stmt = s.node[type] as any;
    if (type === 'CreateStmt') {
      for (const el of stmt.tableElts ?? []) {
        if (el.ColumnDef) addColumn(stmt.relation, el.ColumnDef, into);
        else if (el.Constraint) addConstraint(stmt.relation, el.Constraint, into);
      }
    } else if (type === 'AlterTableStmt') {
      for (const c of stmt.cmds ?? []) {
        const cmd = c.AlterTableCmd ?? {};
        const key = `${relationKey(stmt.relation)}.${cmd.name}`;
        if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) addColumn(stmt.relation, cmd.def.ColumnDef, into);
        else if (cmd.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef) into.columnTypes.set(key, typeNameText(cmd.def.ColumnDef.typeName));
        else if (cmd.subtype === 'AT_ColumnDefault') {
          if (cmd.def) into.columnDefaults.set(key, nodeShape(cmd.def));
          else into.columnDefaults.delete(key);
        } else if (cmd.subtype === 'AT_DropColumn') {
          into.columnTypes.delete(key);
          into.columnDefaults.delete(key);
        } else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) addConstraint(stmt.relation, cmd.def.Constraint, into);
        else if (cmd.subtype === 'AT_EnableRowSecurity') (into.rowSecurity ??= new Set()).add(relationKey(stmt.relation));
        else if (cmd.subtype === 'AT_DisableRowSecurity') into.rowSecurity?.delete(relationKey(stmt.relation));
        else if (cmd.subtype === 'AT_DropConstraint') {
          into.constraints.delete(key);
          into.indexes.delete(cmd.name);
          into.uniqueKeys.delete(cmd.name);
        }
      }
    } else if (type === 'IndexStmt' && stmt.idxname) {
      into.indexes.set(stmt.idxname, !!stmt.unique);
      const cols = plainUniqueColumns(stmt);
      if (cols) into.uniqueKeys.set(stmt.idxname, { table: relationKey(stmt.relation), columns: cols });
      else into.uniqueKeys.delete(stmt.idxname);
    } else if (type === 'CreateFunctionStmt') {
      into.functionDefs.set(funcName(stmt.funcname), { from: file, text: s.text, stmt });
    } else if (type === 'ViewStmt') {
      const key = relationKey(stmt.view);
      into.viewDefs.set(key, { from: file, text: s.text, stmt });
      into.viewColumns.set(key, viewColumns(stmt));
    } else if (type === 'DropStmt') {
      for (const o of stmt.objects ?? []) {
        const name = o?.ObjectWithArgs ? stringList(o.ObjectWithArgs.objname).join('.') : stringList(o?.List?.items).join('.');
        if (stmt.removeType === 'OBJECT_INDEX') {
          into.indexes.delete(name);
          into.uniqueKeys.delete(name.split('.').pop() ?? name);
        }
        else if (stmt.removeType === 'OBJECT_FUNCTION') into.functionDefs.delete(name);
        else if (stmt.removeType === 'OBJECT_VIEW') {
          into.viewDefs.delete(name);
          into.viewColumns.delete(name);
        }
      }
    }
  }
}

/** The schema the earlier files (already parsed, in apply order) leave. */
export function earlierSchema(files: Array<{ path: string; statements: SqlStatement[] }>): BeforeSchema {
  const into = emptyBefore();
  for (const f of files) foldStatements(f.statements, f.path, into);
  return into;
}

/** A copy a file's rules may add to without changing what the folder's history holds for the next file. */
export function copyBefore(b: BeforeSchema): BeforeSchema {
  return {
    ...b,
    columnTypes: new Map(b.columnTypes),
    viewColumns: new Map(b.viewColumns),
    functionsDroppedByDown: new Set(b.functionsDroppedByDown),
    functionsRecreatedByDown: new Set(b.functionsRecreatedByDown),
    columnDefaults: new Map(b.columnDefaults),
    constraints: new Map(b.constraints),
    indexes: new Map(b.indexes),
    uniqueKeys: new Map(b.uniqueKeys),
    rowSecurity: new Set(b.rowSecurity),
    functionDefs: new Map(b.functionDefs),
    viewDefs: new Map(b.viewDefs),
  };
}
