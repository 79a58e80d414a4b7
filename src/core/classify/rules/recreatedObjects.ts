// Objects a migration drops and creates again, or "replaces" without their having existed:
// a view dropped and re-created with at least its old columns, and CREATE OR REPLACE
// FUNCTION of a function no earlier migration defines, leave the previous release's
// queries working. Flagging them as unknown was a false alarm.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { funcName, isDrop, nodeShape, viewColumns, type Definition, type Rule, type RuleHit, type SqlNode } from './common';
import { relationKey, relationName, stringList } from '../sqlNames';

function missingColumns(before: string[], after: string[]): string[] {
  if (after.includes('*')) return [];
  return before.filter((c) => c !== '*' && !after.includes(c));
}

/** Output name → expression of a view's select list (`*` for a star). */
function targets(viewStmt: any): Map<string, string> {
  const names = viewColumns(viewStmt);
  const list: any[] = viewStmt?.query?.SelectStmt?.targetList ?? [];
  return new Map(names.map((name, i) => [name, nodeShape(list[i]?.ResTarget?.val)]));
}

/** What a view's new definition changes for a query on its old columns: columns whose expression differs, or its rows (FROM, WHERE, joins …). */
export function viewChanges(before: any, after: any): { changed: string[]; rows: boolean } {
  const b = before?.query?.SelectStmt;
  const a = after?.query?.SelectStmt;
  if (!b || !a || b.op !== 'SETOP_NONE' || a.op !== 'SETOP_NONE') return { changed: [], rows: nodeShape(before?.query) !== nodeShape(after?.query) };
  const rest = (x: any) => nodeShape({ ...x, targetList: undefined });
  const bt = targets(before);
  const at = targets(after);
  const changed = [...bt].filter(([name, expr]) => name !== '*' && at.has(name) && at.get(name) !== expr).map(([name]) => name);
  return { changed, rows: rest(b) !== rest(a) };
}

function definitionChange(n: SqlNode, key: string, def: Definition): string | undefined {
  const created = n.ctx.createdViewStmts.get(key);
  if (!created) return undefined;
  const c = viewChanges(def.stmt, created);
  const what = [c.changed.length ? `computes ${c.changed.join(', ')} differently` : '', c.rows ? 'selects other rows (its FROM, WHERE or joins changed)' : ''].filter(Boolean).join(' and ');
  return what || undefined;
}

/** The previous definition as a statement that puts it back over the new one. */
function orReplace(text: string): string {
  return text.replace(/^\s*CREATE\s+(?!OR\s+REPLACE)/i, 'CREATE OR REPLACE ').replace(/;?\s*$/, ';');
}

function recreatedViewHit(n: SqlNode, key: string, shown: string): RuleHit | undefined {
  const after = n.ctx.createdViews.get(key);
  if (!after) return undefined;
  const def = n.ctx.before.viewDefs.get(key);
  if (def && definitionChange(n, key, def)) return undefined;
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
    id: 'changing-view-definition',
    class: 'mitigate',
    on: ['DropStmt', 'ViewStmt'],
    match: (n) => {
      if (n.ctx.direction !== 'up') return undefined;
      const keys: string[] = isDrop(n, 'OBJECT_VIEW')
        ? (n.stmt.objects ?? []).map((o: any) => stringList(o?.List?.items).join('.'))
        : n.type === 'ViewStmt' && n.stmt.replace
          ? [relationKey(n.stmt.view)]
          : [];
      for (const key of keys) {
        const def = n.ctx.before.viewDefs.get(key);
        const what = def && definitionChange(n, key, def);
        if (!def || !what) continue;
        return {
          reason: `Re-defines view ${key}: with the same column names it ${what} than the definition in ${def.from}, so the previous release's queries on it return other data.`,
          fix: `DROP VIEW IF EXISTS ${key};\n${def.text.replace(/;?\s*$/, ';')}`,
          fixRisk: `Restores the definition from ${def.from}: the new release loses what it changed. DROP VIEW also drops the view's grants (re-grant them) and fails if other views depend on it.`,
        };
      }
      return undefined;
    },
  },
  {
    id: 'replacing-function-unchanged',
    class: 'safe',
    on: ['CreateFunctionStmt'],
    match: (n) => {
      const def = previousFunction(n);
      return def && sameFunction(def.stmt, n.stmt)
        ? { reason: `CREATE OR REPLACE FUNCTION ${funcName(n.stmt.funcname)}() with the definition it already has (${def.from}): nothing changes for the previous release.` }
        : undefined;
    },
  },
  {
    id: 'changing-function-body',
    class: 'mitigate',
    on: ['CreateFunctionStmt'],
    match: (n) => {
      const def = previousFunction(n);
      if (!def || sameFunction(def.stmt, n.stmt)) return undefined;
      const name = funcName(n.stmt.funcname);
      return {
        reason: `Replaces ${name}(), which exists before this migration (${def.from}), with another definition: the previous release's calls to it (and triggers running it) get the new behaviour.`,
        fix: orReplace(def.text),
        fixRisk: `Restores the definition from ${def.from}: the new release, if rolled forward, runs the old body until this migration's version is applied again.`,
      };
    },
  },
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
      if (n.type === 'ViewStmt' && n.stmt.replace && !n.ctx.droppedViews.has(relationKey(n.stmt.view))) {
        const key = relationKey(n.stmt.view);
        const def = n.ctx.before.viewDefs.get(key);
        if (!def || definitionChange(n, key, def)) return undefined;
        const missing = missingColumns(viewColumns(def.stmt), viewColumns(n.stmt));
        return missing.length ? undefined : { reason: `CREATE OR REPLACE VIEW ${relationName(n.stmt.view)} keeps every column of its definition in ${def.from}, computed the same way over the same rows: the previous release's queries on it still work.` };
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

/** The function's definition before this migration (down path or earlier migrations), for CREATE OR REPLACE on the up path. */
function previousFunction(n: SqlNode): Definition | undefined {
  if (n.type !== 'CreateFunctionStmt' || !n.stmt.replace || n.ctx.direction !== 'up') return undefined;
  return n.ctx.before.functionDefs.get(funcName(n.stmt.funcname));
}

function sameFunction(a: any, b: any): boolean {
  return nodeShape({ ...a, replace: false }) === nodeShape({ ...b, replace: false });
}
