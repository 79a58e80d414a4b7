// Helpers to read names out of PostgreSQL parse-tree nodes and to write them back
// into generated fix statements.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

const SIMPLE_IDENT = /^[a-z_][a-z0-9_$]*$/;
const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_date', 'current_role', 'current_time', 'current_timestamp',
  'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit',
  'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary',
  'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then', 'to', 'trailing', 'true',
  'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with', 'user',
]);

/** Quotes an identifier the way PostgreSQL needs it to read back the same name. */
export function quoteIdent(name: string): string {
  if (SIMPLE_IDENT.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` (quoted where needed) from a RangeVar. */
export function relationName(rangeVar: any): string {
  if (!rangeVar) return '?';
  const rel = typeof rangeVar.relname === 'string' ? quoteIdent(rangeVar.relname) : '';
  if (typeof rangeVar.schemaname !== 'string') return rel;
  return rel ? `${quoteIdent(rangeVar.schemaname)}.${rel}` : quoteIdent(rangeVar.schemaname);
}

/** Unquoted table name for lookups ("is this a table the same file created?"). */
export function relationKey(rangeVar: any): string {
  if (!rangeVar) return '?';
  const { schemaname: s, relname: r } = rangeVar;
  return s && r ? `${s}.${r}` : (s || r || '');
}

export function stringList(list: any[] | undefined): string[] {
  return (list ?? []).map((n) => n?.String?.sval).filter((s): s is string => typeof s === 'string');
}

/** Type name as written, without the pg_catalog prefix the parser adds to built-ins. */
export function typeNameText(typeName: any): string {
  const names = stringList(typeName?.names).filter((n) => n !== 'pg_catalog');
  const mods = (typeName?.typmods ?? [])
    .map((m: any) => m?.A_Const?.ival?.ival)
    .filter((v: unknown) => typeof v === 'number');
  const base = names.join('.');
  return mods.length ? `${base}(${mods.join(',')})` : base;
}

/** Every column name a sub-expression refers to (for PostgreSQL's constraint naming rule). */
export function columnRefs(expr: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(expr)) {
    for (const e of expr) columnRefs(e, out);
  } else if (expr && typeof expr === 'object') {
    const o = expr as Record<string, any>;
    if (o.ColumnRef) {
      const fields = stringList(o.ColumnRef.fields);
      if (fields.length) out.add(fields[fields.length - 1]);
    } else {
      for (const v of Object.values(o)) columnRefs(v, out);
    }
  }
  return out;
}

/** PostgreSQL truncates generated names to 63 bytes; ours only need to match the common case. */
function clip(name: string): string {
  return name.length > 63 ? name.slice(0, 63) : name;
}

/** The name PostgreSQL gives an unnamed constraint (ChooseConstraintName). */
export function defaultConstraintName(table: string, contype: string, columns: string[]): string {
  switch (contype) {
    case 'CONSTR_PRIMARY':
      return clip(`${table}_pkey`);
    case 'CONSTR_UNIQUE':
      return clip(`${table}_${columns.join('_')}_key`);
    case 'CONSTR_FOREIGN':
      return clip(`${table}_${columns.join('_')}_fkey`);
    case 'CONSTR_EXCLUSION':
      return clip(`${table}_${columns.join('_')}_excl`);
    case 'CONSTR_CHECK':
      // One referenced column: tab_col_check; none or several: tab_check.
      return clip(columns.length === 1 ? `${table}_${columns[0]}_check` : `${table}_check`);
    default:
      return clip(`${table}_${columns.join('_')}`);
  }
}
