// Translates Alembic `op.<name>(...)` calls into the PostgreSQL statement each produces, so
// the same SQL rules judge them.

import { asName, asNames, type Args, type PyValue } from './pyReader';
import { quoteIdent } from './sqlNames';

const SQLA_TYPES: Record<string, string> = {
  Integer: 'integer', BigInteger: 'bigint', SmallInteger: 'smallint', String: 'varchar', Unicode: 'varchar', Text: 'text',
  UnicodeText: 'text', Boolean: 'boolean', DateTime: 'timestamp', Date: 'date', Time: 'time', Float: 'double precision',
  Numeric: 'numeric', JSON: 'json', JSONB: 'jsonb', UUID: 'uuid', LargeBinary: 'bytea', Enum: 'text', Interval: 'interval',
  // The upper-case SQL types autogenerate writes for what it reflects (existing_type=sa.VARCHAR(length=20)).
  INTEGER: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint', VARCHAR: 'varchar', NVARCHAR: 'varchar', TEXT: 'text', BOOLEAN: 'boolean',
  TIMESTAMP: 'timestamp', DATE: 'date', TIME: 'time', NUMERIC: 'numeric', DECIMAL: 'numeric', REAL: 'real', DOUBLE_PRECISION: 'double precision',
  INTERVAL: 'interval', BYTEA: 'bytea',
};

export function typeSql(v: PyValue | undefined): string {
  if (!v) return 'text';
  const name = v.kind === 'call' ? v.callee : v.kind === 'name' ? v.value : '';
  const base = name.split('.').pop() ?? '';
  const sql = SQLA_TYPES[base] ?? 'text';
  const num = (x: PyValue | undefined) => (x && x.kind === 'other' && /^\d+$/.test(x.text) ? x.text : undefined);
  if (v.kind === 'call' && sql === 'varchar') {
    const len = num(v.args.positional[0] ?? v.args.keywords.get('length'));
    if (len) return `varchar(${len})`;
  }
  if (v.kind === 'call' && sql === 'numeric') {
    const precision = num(v.args.positional[0] ?? v.args.keywords.get('precision'));
    const scale = num(v.args.positional[1] ?? v.args.keywords.get('scale'));
    if (precision) return `numeric(${precision}${scale ? `,${scale}` : ''})`;
  }
  if (v.kind === 'call' && sql === 'timestamp' && v.args.keywords.get('timezone')?.kind === 'bool' && (v.args.keywords.get('timezone') as { value: boolean }).value) return 'timestamptz';
  return sql;
}

/** `sa.Column('c', sa.String(50), nullable=False, server_default='x')` as SQL column definition. */
function columnSql(col: PyValue): { name: string; sql: string } | undefined {
  if (col.kind !== 'call' || !/(^|\.)Column$/.test(col.callee)) return undefined;
  const name = asName(col.args.positional[0]);
  if (!name) return undefined;
  const type = typeSql(col.args.positional[1]);
  const pk = col.args.keywords.get('primary_key');
  const nullable = col.args.keywords.get('nullable');
  const notNull = (nullable?.kind === 'bool' && !nullable.value) || (pk?.kind === 'bool' && pk.value && !(nullable?.kind === 'bool' && nullable.value));
  // Only a server-side default fills the old code's INSERTs; `default=` lives in the new Python code.
  const serverDefault = col.args.keywords.get('server_default');
  const hasDefault = serverDefault !== undefined && serverDefault.kind !== 'none';
  const fk = col.args.positional.find((v) => v.kind === 'call' && /(^|\.)ForeignKey$/.test(v.callee));
  const ref = fk && fk.kind === 'call' ? referencesSql(asNames(fk.args.positional[0]), fk.args.keywords) : '';
  return { name, sql: `${quoteIdent(name)} ${type}${notNull ? ' NOT NULL' : ''}${hasDefault ? " DEFAULT 'x'" : ''}${ref}` };
}

const ON_DELETE: Record<string, string> = { cascade: 'CASCADE', 'set null': 'SET NULL', 'set default': 'SET DEFAULT', restrict: 'RESTRICT', 'no action': 'NO ACTION' };

/** `'accounts.id'` targets (sa.ForeignKey / ForeignKeyConstraint) as a REFERENCES clause with its ON DELETE. */
function referencesSql(targets: string[], kw: Map<string, PyValue>): string {
  if (!targets.length) return '';
  const parts = targets[0].split('.');
  const column = parts.pop()!;
  const table = parts.map(quoteIdent).join('.');
  if (!table) return '';
  const cols = targets.map((t) => quoteIdent(t.split('.').pop()!)).join(', ');
  const del = asName(kw.get('ondelete'))?.toLowerCase();
  return ` REFERENCES ${table} (${cols || quoteIdent(column)})${del && ON_DELETE[del] ? ` ON DELETE ${ON_DELETE[del]}` : ''}`;
}

/** `sa.ForeignKeyConstraint(['account_id'], ['accounts.id'])` inside create_table. */
function foreignKeySql(v: PyValue): string | undefined {
  if (v.kind !== 'call' || !/(^|\.)ForeignKeyConstraint$/.test(v.callee)) return undefined;
  const local = asNames(v.args.positional[0]);
  const ref = referencesSql(asNames(v.args.positional[1]), v.args.keywords);
  const name = asName(v.args.keywords.get('name'));
  return local.length && ref ? `${name ? `CONSTRAINT ${quoteIdent(name)} ` : ''}FOREIGN KEY (${local.map(quoteIdent).join(', ')})${ref}` : undefined;
}

/** Translates one `op.<name>(...)` call into PostgreSQL. */
export function opToSql(name: string, a: Args, batchTable: string | undefined): { sql?: string; unknown?: string; safe?: string } {
  const p = batchTable ? [{ kind: 'str', value: batchTable } as PyValue, ...a.positional] : a.positional;
  const kw = a.keywords;
  const tbl = (v: PyValue | undefined) => {
    const n = asName(v);
    const schema = asName(kw.get('schema'));
    return n ? (schema ? `${quoteIdent(schema)}.${quoteIdent(n)}` : quoteIdent(n)) : undefined;
  };
  switch (name) {
    case 'create_table': {
      const t = tbl(p[0]);
      const cols = p.slice(1).map(columnSql).filter((c): c is { name: string; sql: string } => !!c);
      const keys = p.slice(1).map(foreignKeySql).filter((k): k is string => !!k);
      return t ? { sql: `CREATE TABLE ${t} (${[...cols.map((c) => c.sql), ...keys].join(', ')})` } : { unknown: 'create_table without a literal table name' };
    }
    case 'drop_table':
      return tbl(p[0]) ? { sql: `DROP TABLE ${tbl(p[0])}` } : { unknown: 'drop_table without a literal table name' };
    case 'rename_table':
      return tbl(p[0]) && asName(p[1]) ? { sql: `ALTER TABLE ${tbl(p[0])} RENAME TO ${quoteIdent(asName(p[1])!)}` } : { unknown: 'rename_table with computed names' };
    case 'add_column': {
      const c = p[1] && columnSql(p[1]);
      return tbl(p[0]) && c ? { sql: `ALTER TABLE ${tbl(p[0])} ADD COLUMN ${c.sql}` } : { unknown: 'add_column with a column the reader cannot see (not a literal sa.Column)' };
    }
    case 'drop_column':
      return tbl(p[0]) && asName(p[1]) ? { sql: `ALTER TABLE ${tbl(p[0])} DROP COLUMN ${quoteIdent(asName(p[1])!)}` } : { unknown: 'drop_column with computed names' };
    case 'alter_column': {
      const t = tbl(p[0]);
      const c = asName(p[1]);
      if (!t || !c) return { unknown: 'alter_column with computed names' };
      const parts: string[] = [];
      const nullable = kw.get('nullable');
      if (nullable?.kind === 'bool') parts.push(`ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} ${nullable.value ? 'DROP' : 'SET'} NOT NULL`);
      if (kw.has('type_')) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} TYPE ${typeSql(kw.get('type_'))}`);
      const sd = kw.get('server_default');
      if (sd) parts.push(`ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} ${sd.kind === 'none' || (sd.kind === 'bool' && !sd.value) ? 'DROP DEFAULT' : "SET DEFAULT 'x'"}`);
      const newName = asName(kw.get('new_column_name'));
      if (newName) parts.push(`ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(c)} TO ${quoteIdent(newName)}`);
      return parts.length ? { sql: parts.join(';\n') } : { safe: 'alter_column changes nothing the database enforces (comment or existing_* hints only).' };
    }
    case 'create_unique_constraint':
    case 'create_primary_key': {
      const cname = asName(p[0]);
      const t = tbl(p[1]);
      const cols = asNames(p[2]);
      const kind = name === 'create_primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
      return t && cols.length ? { sql: `ALTER TABLE ${t} ADD ${cname ? `CONSTRAINT ${quoteIdent(cname)} ` : ''}${kind} (${cols.map(quoteIdent).join(', ')})` } : { unknown: `${name} with computed arguments` };
    }
    case 'create_check_constraint': {
      const cname = asName(p[0]);
      const t = tbl(p[1]);
      const cond = p[2]?.kind === 'str' ? p[2].value : undefined;
      if (!t) return { unknown: 'create_check_constraint with computed arguments' };
      return { sql: `ALTER TABLE ${t} ADD ${cname ? `CONSTRAINT ${quoteIdent(cname)} ` : ''}CHECK (${cond ?? 'true'})` };
    }
    case 'create_foreign_key': {
      const cname = asName(p[0]);
      const t = tbl(p[1]);
      const ref = asName(p[2]);
      const local = asNames(p[3]);
      const remote = asNames(p[4]);
      return t && ref && local.length
        ? { sql: `ALTER TABLE ${t} ADD ${cname ? `CONSTRAINT ${quoteIdent(cname)} ` : ''}FOREIGN KEY (${local.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(ref)} (${(remote.length ? remote : ['id']).map(quoteIdent).join(', ')})` }
        : { unknown: 'create_foreign_key with computed arguments' };
    }
    case 'drop_constraint':
      return tbl(p[1]) && asName(p[0]) ? { sql: `ALTER TABLE ${tbl(p[1])} DROP CONSTRAINT ${quoteIdent(asName(p[0])!)}` } : { unknown: 'drop_constraint with computed names' };
    case 'create_index': {
      const iname = asName(p[0]);
      const t = tbl(p[1]);
      const cols = asNames(p[2]);
      const unique = kw.get('unique');
      if (!t) return { unknown: 'create_index with computed names' };
      return { sql: `CREATE ${unique?.kind === 'bool' && unique.value ? 'UNIQUE ' : ''}INDEX ${iname ? quoteIdent(iname) : ''} ON ${t} (${(cols.length ? cols : ['id']).map(quoteIdent).join(', ')})` };
    }
    case 'drop_index':
      return asName(p[0]) ? { sql: `DROP INDEX ${quoteIdent(asName(p[0])!)}` } : { unknown: 'drop_index with computed names' };
    case 'bulk_insert':
      return { safe: 'Inserts rows: nothing the old code wrote is changed.' };
    default:
      return { unknown: `op.${name} is not analysed: review by hand.` };
  }
}
