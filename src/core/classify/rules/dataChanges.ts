// Rules for statements that change rows rather than the schema (moved out of rules.ts as they were).

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import type { Rule } from './common';
import { relationKey, relationName } from '../sqlNames';

export const DATA_CHANGE_RULES: Rule[] = [
  {
    id: 'backfilling-new-column',
    class: 'safe',
    on: ['UpdateStmt'],
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
    on: ['UpdateStmt'],
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
    on: ['DeleteStmt'],
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
    on: ['InsertStmt'],
    match: (n) => (n.type === 'InsertStmt' ? { reason: `Adds rows to ${relationName(n.stmt.relation)}: nothing the old code wrote is changed.` } : undefined),
  },
  {
    id: 'do-block',
    class: 'unknown',
    on: ['DoStmt'],
    match: (n) =>
      n.type === 'DoStmt' ? { reason: 'A DO block runs procedural code the classifier cannot see into: review by hand.' } : undefined,
  },
];
