// Objects a migration drops and creates again, or "replaces" without their having existed:
// a view dropped and re-created with at least its old columns, and CREATE OR REPLACE
// FUNCTION of a function no earlier migration defines, leave the previous release's
// queries working. Flagging them as unknown was a false alarm.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { funcName, isDrop, type Rule, type RuleHit, type SqlNode } from './common';
import { relationKey, relationName, stringList } from '../sqlNames';

function missingColumns(before: string[], after: string[]): string[] {
  if (after.includes('*')) return [];
  return before.filter((c) => c !== '*' && !after.includes(c));
}

function recreatedViewHit(n: SqlNode, key: string, shown: string): RuleHit | undefined {
  const after = n.ctx.createdViews.get(key);
  if (!after) return undefined;
  const before = n.ctx.before.viewColumns.get(key);
  if (before) {
    const missing = missingColumns(before, after);
    return missing.length
      ? undefined
      : { reason: `Re-creates view ${shown} in this migration with all of its previous columns (${before.join(', ')})${after.length > before.length ? ' and more' : ''}: the previous release's queries on it still work.` };
  }
  return {
    reason: `Drops view ${shown} and creates it again in this migration, with columns ${after.join(', ')}. Its previous definition is not in this file (no down path that restores it): if it had columns the new one lacks, the previous release's queries on those fail — compare with the previous release's schema.`,
  };
}

export const RECREATED_OBJECT_RULES: Rule[] = [
  {
    id: 'recreating-view',
    class: 'safe',
    on: ['DropStmt', 'ViewStmt'],
    match: (n) => {
      if (n.ctx.direction !== 'up') return undefined;
      if (isDrop(n, 'OBJECT_VIEW')) {
        const keys: string[] = (n.stmt.objects ?? []).map((o: any) => stringList(o?.List?.items).join('.'));
        const hits = keys.map((k) => recreatedViewHit(n, k, k));
        return hits.length && hits.every(Boolean) ? { reason: hits.map((h) => h!.reason).join(' ') } : undefined;
      }
      if (n.type === 'ViewStmt' && n.ctx.droppedViews.has(relationKey(n.stmt.view))) {
        return { reason: `Creates view ${relationName(n.stmt.view)} again after this migration dropped it; the DROP's finding says whether its columns are kept.` };
      }
      return undefined;
    },
  },
  {
    id: 'recreating-view-without-columns',
    class: 'mitigate',
    on: ['DropStmt'],
    match: (n) => {
      if (n.ctx.direction !== 'up' || !isDrop(n, 'OBJECT_VIEW')) return undefined;
      for (const o of n.stmt.objects ?? []) {
        const key = stringList(o?.List?.items).join('.');
        const before = n.ctx.before.viewColumns.get(key);
        const after = n.ctx.createdViews.get(key);
        if (!before || !after) continue;
        const missing = missingColumns(before, after);
        if (missing.length) {
          return {
            reason: `Re-creates view ${key} without ${missing.join(', ')}, which it had before: the previous release's queries selecting them fail ("column … does not exist").`,
            fixRisk: `No fix is generated: re-create the view with its previous definition (the down path has it) — the new release then loses what the new definition added.`,
          };
        }
      }
      return undefined;
    },
  },
  {
    id: 'creating-function',
    class: 'safe',
    on: ['CreateFunctionStmt'],
    match: (n) => {
      if (n.type !== 'CreateFunctionStmt' || !n.stmt.replace || n.ctx.direction !== 'up') return undefined;
      const name = funcName(n.stmt.funcname);
      if (n.ctx.triggerFunctions.has(name)) return undefined;
      const b = n.ctx.before;
      if (b.functionsRecreatedByDown.has(name)) return undefined;
      if (b.functionsDroppedByDown.has(name)) {
        return { reason: `CREATE OR REPLACE FUNCTION ${name}(): the down path drops it, so it did not exist before this migration and the previous release does not call it.` };
      }
      if (b.history) {
        const earlier = b.history.functions.get(name);
        return earlier
          ? undefined
          : { reason: `CREATE OR REPLACE FUNCTION ${name}(): no earlier migration in ${b.history.folder} defines it, so it is new and the previous release does not call it.` };
      }
      return {
        reason: `CREATE OR REPLACE FUNCTION ${name}(): judged within this file, where nothing defined it before; the earlier migrations are not visible to the classifier here. If one of them defined ${name}, the previous release may rely on its old body: review by hand.`,
      };
    },
  },
];
