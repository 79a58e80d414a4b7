// Reads an Alembic revision with a real Python parser (@lezer/python) and turns its
// `op.*` calls in upgrade() / downgrade() into operations judged by the SQL rules.

import { parser as python } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';
import type { MigrationFinding } from '../migrations/types';
import { analyzeOps, type MigrationOp } from './opAnalysis';
import { quoteIdent } from './sqlNames';
import type { SqlParser } from './sqlPort';
import { lineColumnAt } from './textPosition';

type PyValue =
  | { kind: 'str'; value: string; node: SyntaxNode; contentStart: number; exact: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'call'; callee: string; args: Args; node: SyntaxNode }
  | { kind: 'name'; value: string }
  | { kind: 'other'; text: string };

interface Args {
  positional: PyValue[];
  keywords: Map<string, PyValue>;
}

const SQLA_TYPES: Record<string, string> = {
  Integer: 'integer', BigInteger: 'bigint', SmallInteger: 'smallint', String: 'varchar', Unicode: 'varchar', Text: 'text',
  UnicodeText: 'text', Boolean: 'boolean', DateTime: 'timestamp', Date: 'date', Time: 'time', Float: 'double precision',
  Numeric: 'numeric', JSON: 'json', JSONB: 'jsonb', UUID: 'uuid', LargeBinary: 'bytea', Enum: 'text', Interval: 'interval',
};

class PyReader {
  constructor(private readonly src: string) {}

  text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  /** A Python string literal's value and where its content starts (for positions inside it). */
  str(n: SyntaxNode): PyValue {
    const raw = this.text(n);
    const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(raw);
    if (!m) return { kind: 'other', text: raw };
    const quote = m[2];
    const body = raw.slice(m[0].length, raw.length - quote.length);
    const isRaw = /r/i.test(m[1]);
    const value = isRaw ? body : body.replace(/\\(n|t|'|"|\\)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
    return { kind: 'str', value, node: n, contentStart: n.from + m[0].length, exact: value === body };
  }

  value(n: SyntaxNode): PyValue {
    switch (n.name) {
      case 'String':
        return this.str(n);
      case 'ContinuedString': {
        // Adjacent literals ("a" "b") concatenate.
        const parts: string[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) {
          const v = this.str(c);
          if (v.kind === 'str') parts.push(v.value);
        }
        return { kind: 'str', value: parts.join(''), node: n, contentStart: n.from + 1, exact: false };
      }
      case 'Boolean':
        return { kind: 'bool', value: this.text(n) === 'True' };
      case 'None':
        return { kind: 'none' };
      case 'ArrayExpression':
      case 'TupleExpression': {
        const items: PyValue[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) if (!/^[[\](),]$/.test(c.name)) items.push(this.value(c));
        return { kind: 'list', items };
      }
      case 'CallExpression': {
        const callee = n.firstChild!;
        const argList = n.getChild('ArgList');
        return { kind: 'call', callee: this.text(callee), args: argList ? this.args(argList) : { positional: [], keywords: new Map() }, node: n };
      }
      case 'VariableName':
      case 'MemberExpression':
        return { kind: 'name', value: this.text(n) };
      default:
        return { kind: 'other', text: this.text(n) };
    }
  }

  args(argList: SyntaxNode): Args {
    const positional: PyValue[] = [];
    const keywords = new Map<string, PyValue>();
    for (let c = argList.firstChild; c; c = c.nextSibling) {
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp' && c.nextSibling.nextSibling) {
        keywords.set(this.text(c), this.value(c.nextSibling.nextSibling));
        c = c.nextSibling.nextSibling;
        continue;
      }
      positional.push(this.value(c));
    }
    return { positional, keywords };
  }
}

function asName(v: PyValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'str') return v.value;
  // op.f('name') marks a name as final (no naming convention applied).
  if (v.kind === 'call' && /(^|\.)f$/.test(v.callee)) return asName(v.args.positional[0]);
  return undefined;
}

function asNames(v: PyValue | undefined): string[] {
  if (!v) return [];
  if (v.kind === 'list') return v.items.map(asName).filter((s): s is string => !!s);
  const one = asName(v);
  return one ? [one] : [];
}

function typeSql(v: PyValue | undefined): string {
  if (!v) return 'text';
  const name = v.kind === 'call' ? v.callee : v.kind === 'name' ? v.value : '';
  const base = name.split('.').pop() ?? '';
  const sql = SQLA_TYPES[base] ?? 'text';
  if (v.kind === 'call' && sql === 'varchar') {
    const len = v.args.positional[0];
    if (len && len.kind === 'other' && /^\d+$/.test(len.text)) return `varchar(${len.text})`;
  }
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
  return { name, sql: `${quoteIdent(name)} ${type}${notNull ? ' NOT NULL' : ''}${hasDefault ? " DEFAULT 'x'" : ''}` };
}

/** Translates one `op.<name>(...)` call into PostgreSQL. */
function opToSql(name: string, a: Args, batchTable: string | undefined): { sql?: string; unknown?: string; safe?: string } {
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
      return t ? { sql: `CREATE TABLE ${t} (${cols.map((c) => c.sql).join(', ')})` } : { unknown: 'create_table without a literal table name' };
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

function findFunction(tree: SyntaxNode, reader: PyReader, name: string): SyntaxNode | undefined {
  for (let c = tree.firstChild; c; c = c.nextSibling) {
    const fn = c.name === 'DecoratedStatement' ? c.getChild('FunctionDefinition') : c;
    if (fn?.name === 'FunctionDefinition') {
      const id = fn.getChild('VariableName');
      if (id && reader.text(id) === name) return fn.getChild('Body') ?? undefined;
    }
  }
  return undefined;
}

function collectOps(body: SyntaxNode, src: string, reader: PyReader, direction: 'up' | 'down'): MigrationOp[] {
  const ops: MigrationOp[] = [];
  const batchAliases = new Map<string, string>();
  const visit = (n: SyntaxNode) => {
    if (n.name === 'WithStatement') {
      // with op.batch_alter_table('t') as batch_op: the alias's calls act on table t.
      const call = n.getChild('CallExpression');
      const alias = n.getChild('VariableName');
      if (call && alias && /batch_alter_table$/.test(reader.text(call.firstChild!))) {
        const v = reader.value(call);
        const t = v.kind === 'call' ? asName(v.args.positional[0]) : undefined;
        if (t) batchAliases.set(reader.text(alias), t);
      }
    }
    if (n.name === 'CallExpression') {
      const callee = n.firstChild!;
      if (callee.name === 'MemberExpression') {
        const obj = callee.firstChild;
        const prop = callee.getChild('PropertyName');
        const objName = obj ? reader.text(obj) : '';
        if (prop && (objName === 'op' || batchAliases.has(objName))) {
          const opName = reader.text(prop);
          if (opName !== 'batch_alter_table' && opName !== 'f') {
            ops.push(opCall(n, opName, batchAliases.get(objName), src, reader, direction));
            return;
          }
        }
      }
    }
    for (let c = n.firstChild; c; c = c.nextSibling) visit(c);
  };
  visit(body);
  return ops;
}

function opCall(n: SyntaxNode, opName: string, batchTable: string | undefined, src: string, reader: PyReader, direction: 'up' | 'down'): MigrationOp {
  const at = lineColumnAt(src, n.from);
  const base = { direction, source: reader.text(n), line: at.line, column: at.column };
  const v = reader.value(n);
  const args = v.kind === 'call' ? v.args : { positional: [], keywords: new Map<string, PyValue>() };
  if (opName === 'execute') {
    const arg = args.positional[0];
    // op.execute(sa.text("...")) is as common as a bare string.
    const sqlArg = arg?.kind === 'call' && /(^|\.)text$/.test(arg.callee) ? arg.args.positional[0] : arg;
    if (sqlArg?.kind === 'str') {
      return { ...base, rawSql: sqlArg.value, rawOrigin: lineColumnAt(src, sqlArg.contentStart) };
    }
    return { ...base, rule: 'sql-built-at-run-time', unknownReason: 'op.execute runs SQL built at run time (not a literal string): review by hand.' };
  }
  const r = opToSql(opName, args, batchTable);
  if (r.sql) return { ...base, sql: r.sql };
  if (r.safe) return { ...base, safeReason: r.safe, rule: opName === 'bulk_insert' ? 'inserting-data' : 'no-effect-on-old-code' };
  return { ...base, rule: 'not-analysable', unknownReason: `${r.unknown ?? `op.${opName}`}: review by hand.` };
}

export async function analyzeAlembic(text: string, options: { parser: SqlParser; file: string }): Promise<MigrationFinding[]> {
  const tree = python.parse(text);
  const reader = new PyReader(text);
  const findings: MigrationFinding[] = [];
  // lezer recovers from errors; an error node means the reading may be incomplete.
  let errorAt: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && errorAt === undefined) errorAt = n.from;
    },
  });
  if (errorAt !== undefined) {
    const at = lineColumnAt(text, errorAt);
    findings.push({ class: 'unknown', rule: 'unparsable-python', statement: text.split('\n')[at.line - 1]?.trim() ?? '', ...at, reason: `${options.file}:${at.line}:${at.column}: Python syntax error; the operations below may be incomplete. Review by hand.`, direction: 'up', confidence: 'text' });
  }
  const up = findFunction(tree.topNode, reader, 'upgrade');
  const down = findFunction(tree.topNode, reader, 'downgrade');
  if (!up) {
    findings.push({ class: 'unknown', rule: 'no-upgrade-function', statement: '', line: 1, column: 1, reason: `${options.file}: no upgrade() function found: review by hand.`, direction: 'up', confidence: 'text' });
    return findings;
  }
  const ops = [...collectOps(up, text, reader, 'up'), ...(down ? collectOps(down, text, reader, 'down') : [])];
  findings.push(...(await analyzeOps(ops, options.parser)));
  if (!ops.some((o) => o.direction === 'up')) {
    findings.push({ class: 'safe', rule: 'empty-migration', statement: '', line: 1, column: 1, reason: 'upgrade() runs no operations.', direction: 'up', confidence: 'parsed' });
  }
  if (!down || !ops.some((o) => o.direction === 'down')) {
    findings.push({ class: 'unknown', rule: 'no-down-path', statement: '', line: 1, column: 1, reason: 'downgrade() is missing or empty: undoing this needs the mitigations or a backup restore.', direction: 'down', confidence: 'parsed' });
  }
  return findings;
}
