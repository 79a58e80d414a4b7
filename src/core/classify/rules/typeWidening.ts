// A column type that only grows (int → bigint, varchar(20) → varchar(64), varchar → text,
// numeric(10,2) → numeric(12,2)) accepts every value the previous release writes and
// returns the same values: safe. Flagging it cost trust at 3 a.m. The previous type comes
// from the down path or the tool (Alembic's existing_type) when visible; without it, only
// types that hold every value of the narrower types they usually replace are taken as widening.

import { alterTable, isAlter, type Rule } from './common';
import { relationKey, typeNameText } from '../sqlNames';

interface SqlType {
  base: string;
  mods: number[];
}

const ALIASES: Record<string, string> = {
  smallint: 'int2', integer: 'int4', int: 'int4', bigint: 'int8', serial: 'int4', bigserial: 'int8', smallserial: 'int2',
  'character varying': 'varchar', decimal: 'numeric', real: 'float4', 'double precision': 'float8', float: 'float8',
  character: 'bpchar', char: 'bpchar', timestamptz: 'timestamptz', varbit: 'varbit',
};

/** `int4`, `varchar(20)`, `character varying(20)`, `numeric(10,2)` → base and modifiers. */
export function parseType(text: string): SqlType {
  const m = /^\s*([a-z_ ]+?)\s*(?:\(([\d\s,]+)\))?\s*$/i.exec(text);
  if (!m) return { base: text.trim().toLowerCase(), mods: [] };
  const base = m[1].toLowerCase().replace(/^pg_catalog\./, '');
  return { base: ALIASES[base] ?? base, mods: m[2] ? m[2].split(',').map((x) => Number(x.trim())) : [] };
}

const INT_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3 };

/** Whether every value of `from` fits `to` unchanged, so the previous release writes and reads as before. */
export function widens(fromText: string, toText: string): boolean {
  const from = parseType(fromText);
  const to = parseType(toText);
  if (from.base === to.base && from.mods.join(',') === to.mods.join(',')) return true;
  if (INT_RANK[from.base] && INT_RANK[to.base]) return INT_RANK[to.base] >= INT_RANK[from.base];
  if (INT_RANK[from.base] && to.base === 'numeric') return to.mods.length === 0 || to.mods[0] - (to.mods[1] ?? 0) >= [0, 5, 10, 19][INT_RANK[from.base]];
  if (from.base === 'float4' && to.base === 'float8') return true;
  if (from.base === 'varchar' || from.base === 'text') {
    if (to.base === 'text') return true;
    if (to.base === 'varchar') return from.base === 'varchar' && (to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0]));
    return false;
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    // Same scale, more digits: every old value fits and reads back the same.
    return s2 === s1 && p2 >= p1;
  }
  if (from.base === 'varbit' && to.base === 'varbit') return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0] >= from.mods[0]);
  return false;
}

/** Targets that hold every value of the types they usually replace, for when the previous type is not visible. */
function unboundedTarget(t: SqlType): boolean {
  return t.base === 'int8' || t.base === 'text' || ((t.base === 'varchar' || t.base === 'numeric') && t.mods.length === 0);
}

/** Whether converting `from` to `to` rounds stored values (numeric with decimals or floats to integers, a smaller scale). */
export function rounds(fromText: string, toText: string): boolean {
  const from = parseType(fromText);
  const to = parseType(toText);
  const fractional = (from.base === 'numeric' && (from.mods.length === 0 || (from.mods[1] ?? 0) > 0)) || from.base === 'float4' || from.base === 'float8';
  if (fractional && INT_RANK[to.base]) return true;
  if (from.base === 'numeric' && to.base === 'numeric' && to.mods.length > 0) {
    const fromScale = from.mods.length ? (from.mods[1] ?? 0) : Infinity;
    return (to.mods[1] ?? 0) < fromScale;
  }
  return false;
}

export const TYPE_WIDENING_RULES: Rule[] = [
  {
    id: 'rounding-column-values',
    class: 'destructive',
    on: ['AT_AlterColumnType'],
    match: (n) => {
      if (!isAlter(n, 'AT_AlterColumnType')) return undefined;
      const to = typeNameText(n.cmd.def?.ColumnDef?.typeName);
      const before = n.ctx.before.columnTypes.get(`${relationKey(n.stmt.relation)}.${n.cmd.name}`);
      if (!before || !rounds(before, to)) return undefined;
      return {
        reason: `Changes ${alterTable(n)}.${n.cmd.name} from ${before} to ${to}: PostgreSQL rounds the stored values to fit (9.50 becomes 10), so the exact old values are gone; changing the type back does not bring them back, only a backup does.`,
      };
    },
  },
  {
    id: 'widening-column-type',
    class: 'safe',
    on: ['AT_AlterColumnType'],
    match: (n) => {
      if (!isAlter(n, 'AT_AlterColumnType')) return undefined;
      const def = n.cmd.def?.ColumnDef;
      // USING converts the values, COLLATE changes comparisons: neither is a plain widening.
      if (!def || def.raw_default || def.collClause) return undefined;
      const to = typeNameText(def.typeName);
      const column = `${alterTable(n)}.${n.cmd.name}`;
      const before = n.ctx.before.columnTypes.get(`${relationKey(n.stmt.relation)}.${n.cmd.name}`);
      if (before !== undefined) {
        return widens(before, to)
          ? { reason: `Widens ${column} from ${before} to ${to}: every value the previous release writes still fits and reads back the same.` }
          : undefined;
      }
      if (!unboundedTarget(parseType(to))) return undefined;
      return {
        reason: `Changes ${column} to ${to}, which holds every value of the narrower types it usually replaces (int → bigint, varchar(n) → text): the previous release's writes still fit. The previous type is not in this file; if it was not a narrower ${parseType(to).base === 'int8' ? 'integer' : 'string or number'} type, review by hand.`,
      };
    },
  },
];
