// What the schema held before a migration, read from the places that say it: the down path
// (which restores the previous column types, view definitions and functions) and, for
// Alembic, `existing_type=`. The rules use it to tell a widening from a narrowing, a view
// re-created with its old columns from one that lost some, a new function from a replaced one.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { emptyBefore, funcName, nodeShape, viewColumns, type BeforeSchema } from './rules/common';
import { relationKey, stringList, typeNameText } from './sqlNames';

/** Reads the down path's statements (parse-tree nodes, and their texts when known) into what they restore. */
export function beforeFromDown(nodes: Array<Record<string, unknown>>, into: BeforeSchema = emptyBefore(), texts: string[] = []): BeforeSchema {
  for (const [i, node] of nodes.entries()) {
    const [type] = Object.keys(node);
    const stmt = node[type] as any;
    if (type === 'AlterTableStmt') {
      for (const c of stmt.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef?.typeName) {
          into.columnTypes.set(`${relationKey(stmt.relation)}.${cmd.name}`, typeNameText(cmd.def.ColumnDef.typeName));
        } else if (cmd?.subtype === 'AT_ColumnDefault' && cmd.def) {
          into.columnDefaults.set(`${relationKey(stmt.relation)}.${cmd.name}`, nodeShape(cmd.def));
        }
      }
    } else if (type === 'ViewStmt') {
      into.viewColumns.set(relationKey(stmt.view), viewColumns(stmt));
      if (texts[i]) into.viewDefs.set(relationKey(stmt.view), { from: 'the down path', text: texts[i], stmt });
    } else if (type === 'CreateFunctionStmt') {
      into.functionsRecreatedByDown.add(funcName(stmt.funcname));
      if (texts[i]) into.functionDefs.set(funcName(stmt.funcname), { from: 'the down path', text: texts[i], stmt });
    } else if (type === 'DropStmt' && (stmt.removeType === 'OBJECT_FUNCTION' || stmt.removeType === 'OBJECT_PROCEDURE')) {
      for (const o of stmt.objects ?? []) into.functionsDroppedByDown.add(stringList(o?.ObjectWithArgs?.objname).join('.'));
    }
  }
  return into;
}

const CREATE_FUNCTION = /\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)\s*\(/gi;

/** Function names a migration's text defines (for the history of earlier migrations; text, not parsed, to stay cheap). */
export function functionsDefinedIn(text: string): string[] {
  return [...text.matchAll(CREATE_FUNCTION)].map((m) =>
    m[1]
      .split('.')
      .map((p) => p.trim())
      .map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()))
      .join('.'),
  );
}
