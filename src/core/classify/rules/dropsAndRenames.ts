// Rules for statements that drop or rename what the previous release uses (moved out of rules.ts as they were).

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { dropKeys, dropObjects, isDrop, type Rule } from './common';
import { quoteIdent, relationKey, relationName } from '../sqlNames';

export const DROP_AND_RENAME_RULES: Rule[] = [
  {
    id: 'ban-drop-table',
    class: 'destructive',
    on: ['DropStmt'],
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
    on: ['DropdbStmt'],
    match: (n) => (n.type === 'DropdbStmt' ? { reason: `Drops database ${n.stmt.dbname}: everything in it is gone.` } : undefined),
  },
  {
    id: 'ban-truncate',
    class: 'destructive',
    on: ['TruncateStmt'],
    match: (n) =>
      n.type === 'TruncateStmt'
        ? { reason: `Truncates ${(n.stmt.relations ?? []).map((r: any) => relationName(r.RangeVar)).join(', ')}: the rows are gone unless backed up.` }
        : undefined,
  },
  {
    id: 'ban-drop-type',
    class: 'destructive',
    on: ['DropStmt'],
    match: (n) =>
      isDrop(n, 'OBJECT_TYPE') || isDrop(n, 'OBJECT_DOMAIN')
        ? { reason: `Drops type ${dropObjects(n).join(', ')}: columns of that type (with CASCADE) and the old code using it break.` }
        : undefined,
  },
  {
    id: 'ban-drop-schema',
    class: 'destructive',
    on: ['DropStmt'],
    match: (n) => (isDrop(n, 'OBJECT_SCHEMA') || isDrop(n, 'OBJECT_SEQUENCE') ? { reason: `Drops ${dropObjects(n).join(', ')}: its contents or state are gone.` } : undefined),
  },
  {
    id: 'dropping-index',
    class: 'safe',
    on: ['DropStmt'],
    match: (n) =>
      isDrop(n, 'OBJECT_INDEX')
        ? { reason: `Drops index ${dropObjects(n).join(', ')}: the old code still works, maybe slower. If it was unique, old ON CONFLICT clauses on it fail.` }
        : undefined,
  },
  {
    id: 'dropping-object-old-code-uses',
    class: 'mitigate',
    on: ['DropStmt'],
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
    on: ['RenameStmt'],
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
    // Expand/contract: the old name stays as `CREATE VIEW old AS SELECT * FROM new`, which PostgreSQL updates through.
    id: 'renaming-table-behind-view',
    class: 'safe',
    on: ['RenameStmt'],
    match: (n) => {
      if (n.type !== 'RenameStmt' || n.stmt.renameType !== 'OBJECT_TABLE' || n.ctx.direction !== 'up') return undefined;
      const view = n.ctx.createdViewStmts.get(relationKey(n.stmt.relation));
      const q = view?.query?.SelectStmt;
      const from: any[] = q?.fromClause ?? [];
      const star = q?.targetList?.length === 1 && q.targetList[0].ResTarget?.val?.ColumnRef?.fields?.[0]?.A_Star !== undefined;
      const simple = q && star && from.length === 1 && from[0].RangeVar?.relname === n.stmt.newname && !q.whereClause && !q.groupClause && !q.distinctClause && !q.limitCount && !q.havingClause && !q.withClause;
      if (!simple) return undefined;
      return {
        reason: `Renames table ${relationName(n.stmt.relation)} to ${n.stmt.newname} and keeps the old name as a view of all its columns: PostgreSQL reads, inserts, updates and deletes through such a view (RETURNING and ON CONFLICT included), with the table's defaults. The previous release needs privileges on the view: they come from default privileges, or GRANT them.`,
      };
    },
  },
  {
    id: 'renaming-table',
    class: 'mitigate',
    on: ['RenameStmt'],
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
    on: ['RenameStmt'],
    match: (n) =>
      n.type === 'RenameStmt' && ['OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER'].includes(n.stmt.renameType)
        ? { reason: `Renames ${n.stmt.renameType.replace('OBJECT_', '').toLowerCase()} ${n.stmt.subname ?? ''} to ${n.stmt.newname}: the old code does not refer to it by name.` }
        : undefined,
  },
];
