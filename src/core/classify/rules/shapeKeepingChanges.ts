// Changes that keep every table and column the previous release uses, yet change what its
// statements do: a unique index or constraint its `INSERT … ON CONFLICT (col)` needs, a
// sequence restarted under existing ids or capped, a column default it relies on, a
// collation its comparisons and unique indexes follow.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { alterTable, isAlter, isDrop, nodeShape, sameColumns, uniqueKeysAfter, type Rule, type RuleHit, type SqlNode } from './common';
import { quoteIdent, relationKey, relationName, stringList } from '../sqlNames';

/** Names tools and people give unique indexes and constraints: PostgreSQL's and Prisma's `_key`, Alembic's `uq_`, `_unique` … */
const UNIQUE_NAME = /(_key|_pkey|_uniq|_unique|_uk|_ux|_uq|_unique_idx|_uniq_idx)$|^(uq|ux|uk|uniq|unique)_|_unique_|unique/i;

const ON_CONFLICT_ERROR = '"there is no unique or exclusion constraint matching the ON CONFLICT specification"';

function droppedIndexKeys(n: SqlNode): string[] {
  return (n.stmt.objects ?? []).map((o: any) => stringList(o?.List?.items).join('.'));
}

const UNIQUE_KINDS = new Set(['CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_EXCLUSION']);

/** The dropped constraint's kind, where an earlier migration created it. */
function constraintKind(n: SqlNode): string | undefined {
  return n.ctx.before.constraints.get(`${relationKey(n.stmt.relation)}.${n.cmd.name}`);
}

function uniqueByName(name: string): boolean {
  return UNIQUE_NAME.test(name.split('.').pop() ?? name);
}

const RECREATE_UNIQUE_RISK =
  'No fix is generated: the index definition is not in this file. Re-create it from the previous release\'s schema (CREATE UNIQUE INDEX CONCURRENTLY …, or ADD CONSTRAINT … UNIQUE); that fails if the new release has written duplicates since, which must be merged first.';

function sequenceName(n: SqlNode): string {
  return relationName(n.stmt.sequence);
}

function seqOptions(n: SqlNode): Map<string, any> {
  const m = new Map<string, any>();
  for (const o of n.stmt.options ?? []) if (o.DefElem) m.set(o.DefElem.defname, o.DefElem);
  return m;
}

/** `orders_id_seq` → orders.id: PostgreSQL's name for a serial column's sequence (a guess the risk text admits). */
function ownerGuess(seq: any): { table: string; column: string } | undefined {
  const m = /^(.+)_([^_]+)_seq$/.exec(seq.relname ?? '');
  if (!m) return undefined;
  const schema = seq.schemaname ? `${quoteIdent(seq.schemaname)}.` : '';
  return { table: `${schema}${quoteIdent(m[1])}`, column: quoteIdent(m[2]) };
}

function literalDefault(expr: any): string | undefined {
  const c = expr?.A_Const ?? expr?.TypeCast?.arg?.A_Const;
  if (!c) return undefined;
  if (c.sval) return `'${c.sval.sval}'`;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return String(c.boolval.boolval ?? false);
  if (c.isnull) return 'NULL';
  return undefined;
}

/** The dropped unique key, where an earlier migration says its columns, and another key on the same columns that stays. */
function keptEquivalent(n: SqlNode): { dropped: string; kept: string; columns: string[] } | undefined {
  const names = isAlter(n, 'AT_DropConstraint') ? [n.cmd.name as string] : isDrop(n, 'OBJECT_INDEX') ? droppedIndexKeys(n).map((k) => k.split('.').pop() ?? k) : [];
  if (names.length !== 1) return undefined;
  const key = n.ctx.before.uniqueKeys.get(names[0]);
  if (!key) return undefined;
  const other = uniqueKeysAfter(n.ctx, key.table).find(([name, k]) => name !== names[0] && sameColumns(k.columns, key.columns));
  return other && { dropped: names[0], kept: other[0], columns: key.columns };
}

export const SHAPE_KEEPING_RULES: Rule[] = [
  {
    // ON CONFLICT (cols) infers any unique index on exactly those columns, and duplicates stay refused.
    id: 'dropping-duplicate-unique-key',
    class: 'safe',
    on: ['AT_DropConstraint', 'DropStmt'],
    match: (n) => {
      if (n.ctx.direction !== 'up') return undefined;
      const k = keptEquivalent(n);
      return k
        ? { reason: `Drops ${k.dropped}, but ${k.kept} stays, a unique key on the same columns (${k.columns.join(', ')}): the previous release's INSERT … ON CONFLICT (${k.columns.join(', ')}) infers it, and duplicates are still refused.` }
        : undefined;
    },
  },
  {
    id: 'dropping-unique-index',
    class: 'mitigate',
    on: ['DropStmt'],
    match: (n) => {
      if (!isDrop(n, 'OBJECT_INDEX')) return undefined;
      const keys = droppedIndexKeys(n);
      // One this file creates is not one the previous release used.
      const unique = keys.filter((k) => !(n.ctx.direction === 'up' && n.ctx.createdObjects.has(`index:${k}`)) && (n.ctx.before.indexes.get(k.split('.').pop() ?? k) ?? uniqueByName(k)));
      if (!unique.length) return undefined;
      return {
        reason: `Drops ${unique.join(', ')}, a unique index (${unique.some((k) => n.ctx.before.indexes.get(k.split('.').pop() ?? k)) ? 'an earlier migration created it UNIQUE' : 'by its name'}): the previous release's INSERT … ON CONFLICT on its columns fails with ${ON_CONFLICT_ERROR}, and duplicates it relied on being rejected are now accepted.`,
        fixRisk: RECREATE_UNIQUE_RISK,
      };
    },
  },
  {
    id: 'dropping-unique-constraint',
    class: 'mitigate',
    on: ['AT_DropConstraint'],
    match: (n) => {
      if (!isAlter(n, 'AT_DropConstraint')) return undefined;
      const name: string = n.cmd.name ?? '';
      if (n.ctx.direction === 'up' && n.ctx.createdObjects.has(`constraint:${relationKey(n.stmt.relation)}.${name}`)) return undefined;
      const kind = constraintKind(n);
      if (kind ? !UNIQUE_KINDS.has(kind) : !uniqueByName(name)) return undefined;
      return {
        reason: `Drops ${name} on ${alterTable(n)}, a ${kind === 'CONSTR_PRIMARY' || (!kind && /_pkey$/.test(name)) ? 'primary key' : 'unique constraint'}: the previous release's INSERT … ON CONFLICT on its columns fails with ${ON_CONFLICT_ERROR}, and duplicates are now accepted.`,
        fixRisk: RECREATE_UNIQUE_RISK.replace('the index definition', 'the constraint definition'),
      };
    },
  },
  {
    // Like DROP NOT NULL: the column accepts more, and every write the previous release makes is still accepted.
    id: 'dropping-check-constraint',
    class: 'safe',
    on: ['AT_DropConstraint'],
    match: (n) => {
      if (!isAlter(n, 'AT_DropConstraint')) return undefined;
      const kind = constraintKind(n);
      const name: string = n.cmd.name ?? '';
      if (kind ? kind !== 'CONSTR_CHECK' : !/_check$/.test(name)) return undefined;
      return { reason: `Drops check constraint ${name} on ${alterTable(n)} (${kind ? 'an earlier migration created it as a CHECK' : 'a check by its name'}): every value the previous release writes is still accepted; values it would have refused are no longer refused.` };
    },
  },
  {
    id: 'restarting-sequence',
    class: 'mitigate',
    on: ['AlterSeqStmt', 'SelectStmt'],
    match: (n) => {
      if (n.type === 'SelectStmt') return setvalHit(n);
      if (n.type !== 'AlterSeqStmt' || !seqOptions(n).has('restart') || createdSequence(n)) return undefined;
      const seq = sequenceName(n);
      const owner = ownerGuess(n.stmt.sequence);
      const restartAt = seqOptions(n).get('restart')?.arg?.Integer?.ival;
      return {
        reason: `Restarts ${seq}${restartAt !== undefined ? ` at ${restartAt}` : ''}: new ids may repeat ones already in use, and the previous release's INSERTs then fail with "duplicate key value violates unique constraint".`,
        ...(owner
          ? {
              fix: `SELECT setval(${sqlString(seq)}, (SELECT COALESCE(max(${owner.column}), 0) + 1 FROM ${owner.table}), false);`,
              fixRisk: `Moves ${seq} past the highest ${owner.table}.${owner.column} in use. The table and column are read from the sequence's name (PostgreSQL's naming for serial columns): check with \\d ${owner.table}. Ids between the restart value and the maximum are skipped.`,
            }
          : { fixRisk: `No fix is generated: the table ${seq} numbers is not in its name. Run SELECT setval('${seq}', (SELECT max(<id column>) + 1 FROM <table>), false) with the table it fills.` }),
      };
    },
  },
  {
    id: 'capping-sequence',
    class: 'mitigate',
    on: ['AlterSeqStmt'],
    match: (n) => {
      if (n.type !== 'AlterSeqStmt' || createdSequence(n)) return undefined;
      const o = seqOptions(n);
      const max = o.get('maxvalue');
      const as = o.get('as');
      const cycle = o.get('cycle')?.arg?.Boolean?.boolval === true;
      const limit = max?.arg?.Integer?.ival ?? max?.arg?.Float?.fval;
      // A maximum at bigint's own limit is no limit: no sequence could hand out more.
      const noLimit = limit !== undefined && /^\d+$/.test(String(limit)) && BigInt(limit) >= 9223372036854775807n;
      const capped = (max && max.arg !== undefined && !noLimit) || (as && /^(int2|smallint)$/.test(stringList(as.arg?.TypeName?.names).pop() ?? ''));
      if (!capped && !cycle) return undefined;
      const seq = sequenceName(n);
      const reasons: string[] = [];
      if (capped) reasons.push(`caps it at ${max?.arg?.Integer?.ival ?? max?.arg?.Float?.fval ?? `the ${stringList(as?.arg?.TypeName?.names).pop()} maximum`}: once reached, nextval fails and so do the previous release's INSERTs ("reached maximum value of sequence")`);
      if (cycle) reasons.push('makes it CYCLE: after its maximum it starts again at its minimum, and the previous release\'s INSERTs collide with existing ids');
      const undo = [capped ? 'NO MAXVALUE' : '', cycle ? 'NO CYCLE' : ''].filter(Boolean).join(' ');
      return {
        reason: `Changes ${seq}: ${reasons.join('; ')}.`,
        fix: `ALTER SEQUENCE ${seq} ${as && capped ? 'AS bigint ' : ''}${undo};`,
        fixRisk: 'The limit the new release set is gone: ids may grow past what it expects (a column narrower than bigint overflows instead).',
      };
    },
  },
  {
    id: 'altering-sequence',
    class: 'safe',
    on: ['AlterSeqStmt'],
    match: (n) =>
      n.type === 'AlterSeqStmt' ? { reason: `Changes how ${sequenceName(n)} steps or caches (no restart, no lower limit): the previous release's INSERTs still get fresh ids.` } : undefined,
  },
  {
    id: 'changing-column-collation',
    class: 'mitigate',
    on: ['AT_AlterColumnType'],
    match: (n) => {
      if (!isAlter(n, 'AT_AlterColumnType') || !n.cmd.def?.ColumnDef?.collClause) return undefined;
      const coll = stringList(n.cmd.def.ColumnDef.collClause.collname).join('.');
      const t = alterTable(n);
      return {
        reason: `Changes the collation of ${t}.${n.cmd.name} to "${coll}": the previous release's ORDER BY, comparisons, LIKE and the unique indexes on it follow the new rules (a case-insensitive collation rejects values differing only in case, and index scans for its queries may no longer be used).`,
        fixRisk: `No fix is generated: the previous collation is not in this file. Find it on a copy (\\d ${t}) and run ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(n.cmd.name)} TYPE <type> COLLATE <previous>; that rebuilds its indexes and fails if a unique index now holds values equal under the old collation.`,
      };
    },
  },
  {
    id: 'keeping-column-default',
    class: 'safe',
    on: ['AT_ColumnDefault'],
    match: (n) => {
      if (!isAlter(n, 'AT_ColumnDefault') || !n.cmd.def) return undefined;
      const before = n.ctx.before.columnDefaults.get(`${relationKey(n.stmt.relation)}.${n.cmd.name}`);
      return before !== undefined && before === nodeShape(n.cmd.def)
        ? { reason: `Sets the default of ${alterTable(n)}.${n.cmd.name} to what an earlier migration already set: nothing changes for the previous release.` }
        : undefined;
    },
  },
  {
    // Knex's .alter() drops the default of every column it alters unless one is given: where the
    // earlier migrations made the column without one, that is a no-op, not a change for the old code.
    id: 'dropping-absent-default',
    class: 'safe',
    on: ['AT_ColumnDefault'],
    match: (n) => {
      if (!isAlter(n, 'AT_ColumnDefault') || n.cmd.def) return undefined;
      const key = `${relationKey(n.stmt.relation)}.${n.cmd.name}`;
      return n.ctx.before.columnTypes.has(key) && !n.ctx.before.columnDefaults.has(key)
        ? { reason: `Drops the default of ${alterTable(n)}.${n.cmd.name}, which the earlier migrations never gave it: nothing changes for the previous release.` }
        : undefined;
    },
  },
  {
    id: 'changing-column-default',
    class: 'mitigate',
    on: ['AT_ColumnDefault'],
    match: (n) => {
      if (!isAlter(n, 'AT_ColumnDefault') || !n.cmd.def) return undefined;
      const key = `${relationKey(n.stmt.relation)}.${n.cmd.name}`;
      if (n.ctx.direction === 'up' && n.ctx.addedColumns.has(key)) return undefined;
      // A generated default (now(), gen_random_uuid(), nextval) fills a column that had none; a constant replaces a value the old code relied on.
      const value = literalDefault(n.cmd.def);
      if (value === undefined || value === 'NULL') return undefined;
      const t = alterTable(n);
      return {
        reason: `Sets the default of ${t}.${n.cmd.name} to ${value}: where the previous release inserts without this column, its rows now get ${value} instead of the default it was written for (or NULL) — same statements, different data.`,
        fixRisk: `No fix is generated: the previous default is not in this file. Find it (\\d ${t} on a copy, or the previous release's schema) and run ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(n.cmd.name)} SET DEFAULT <previous> (DROP DEFAULT if there was none); the new release's INSERTs that omit the column then get the old value.`,
      };
    },
  },
];

function createdSequence(n: SqlNode): boolean {
  return n.ctx.direction === 'up' && n.ctx.createdObjects.has(`sequence:${relationKey(n.stmt.sequence)}`);
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `SELECT setval('seq', 1, false)`: a restart written as a function call (seed scripts, pg_dump). */
function setvalHit(n: SqlNode): RuleHit | undefined {
  for (const t of n.stmt.targetList ?? []) {
    const f = t?.ResTarget?.val?.FuncCall;
    if (stringList(f?.funcname).pop() !== 'setval') continue;
    const [seqArg, valueArg] = f.args ?? [];
    const seqName = seqArg?.A_Const?.sval?.sval ?? seqArg?.TypeCast?.arg?.A_Const?.sval?.sval;
    if (!seqName) return { reason: 'Calls setval() on a sequence named at run time: new ids may repeat ones in use, and the previous release\'s INSERTs then fail. Review by hand.' };
    const parts = seqName.split('.');
    const seq = { relname: parts.pop(), schemaname: parts.pop() };
    if (n.ctx.direction === 'up' && n.ctx.createdObjects.has(`sequence:${relationKey(seq)}`)) return undefined;
    // Moving a sequence to the highest value in use (the usual repair after a bulk load) hands out only fresh ids.
    if (!valueArg?.A_Const && nodeShape(valueArg).includes('"sval":"max"')) return undefined;
    const owner = ownerGuess(seq);
    const shown = valueArg?.A_Const ? literalDefault(valueArg) : 'a computed value';
    return {
      reason: `Sets ${seqName} to ${shown} (setval): new ids may repeat ones already in use, and the previous release's INSERTs then fail with "duplicate key value violates unique constraint".`,
      ...(owner
        ? {
            fix: `SELECT setval(${sqlString(seqName)}, (SELECT COALESCE(max(${owner.column}), 0) + 1 FROM ${owner.table}), false);`,
            fixRisk: `Moves ${seqName} past the highest ${owner.table}.${owner.column} in use. The table and column are read from the sequence's name (PostgreSQL's naming for serial columns): check with \\d ${owner.table}.`,
          }
        : { fixRisk: `No fix is generated: the table ${seqName} numbers is not in its name. Run SELECT setval('${seqName}', (SELECT max(<id column>) + 1 FROM <table>), false) with the table it fills.` }),
    };
  }
  return undefined;
}
