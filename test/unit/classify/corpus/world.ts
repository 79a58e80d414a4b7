// Runs one corpus case against a real PostgreSQL and says what the database does: the
// previous release's statements (as the non-superuser role `app`; a superuser ignores REVOKE
// and row-level security) on the schema before, and again after the migration and what the
// new release writes; whether any row that existed before lost a value; and, given fixes,
// the old statements once more after them. Everything runs in one psql session, each world
// in its own transaction that is rolled back, so cases share one cluster and leave nothing
// behind (roles and default privileges included: both are transactional).

import type { TestPostgres } from '../../../support/postgres';
import { BASE, GRANTS, OLD_CODE, type CorpusCase } from './schema';

export interface WorldOutcome {
  /** Per old statement: its output or its error, before the migration. */
  before: string[];
  after: string[];
  /** After the fixes, when fixes were given. */
  fixed?: string[];
  /** Rows that existed before and lost (or changed) a value, as `table: row`. */
  lost: string[];
  /** What the new release wrote, read before and after the down path (judgeDown cases). */
  newBefore?: string[];
  newAfter?: string[];
  /** psql errors outside the old statements (the case or a fix is wrong): the case fails with them. */
  setupErrors: string[];
}

/** Statements PostgreSQL runs only outside a transaction block; the database outcome is the same without the keyword. */
function forTransaction(sql: string): string {
  return sql
    .replace(/\b(CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+\w+)\s+CONCURRENTLY\b/gi, '$1')
    .replace(/^\s*(BEGIN|COMMIT|START TRANSACTION)\s*;\s*$/gim, '');
}

const ROWS_FN = `CREATE FUNCTION pg_temp.rp_rows(s text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = s ORDER BY 1 LOOP
    RETURN QUERY EXECUTE format('SELECT %L || chr(9) || to_jsonb(rp_row)::text FROM %I.%I rp_row', t.tablename, s, t.tablename);
  END LOOP;
END $f$;`;

interface Script {
  lines: string[];
  /** line number (1-based) → section label */
  sections: Map<number, string>;
}

function add(script: Script, label: string, sql: string): void {
  for (const l of sql.split('\n')) {
    script.lines.push(l);
    script.sections.set(script.lines.length, label);
  }
}

function oldStatements(script: Script, world: string, statements: string[]): void {
  // The old code's transactions commit: deferred keys are checked as they would be at its COMMIT.
  add(script, `${world}:role`, 'SET LOCAL ROLE app;\nSET CONSTRAINTS ALL IMMEDIATE;');
  statements.forEach((s, i) => {
    add(script, `${world}:echo`, `\\echo @@${world}:${i}`);
    add(script, `${world}:old:${i}`, `SAVEPOINT o; ${s}`);
    add(script, `${world}:echo`, 'ROLLBACK TO SAVEPOINT o;');
  });
  add(script, `${world}:role`, 'RESET ROLE;');
}

function world(script: Script, name: string, schema: string, c: CorpusCase, statements: string[], fixes?: string[]): void {
  add(script, `${name}:setup`, `\\echo @@${name}:setup\nBEGIN;\nCREATE SCHEMA ${schema};\nSET LOCAL search_path TO ${schema};\n${BASE}\n${GRANTS.replace(/\$S/g, schema)}\n${c.setup ?? ''}`);
  if (name === 'before') {
    add(script, `${name}:rows`, `\\echo @@${name}:rows\nSELECT * FROM pg_temp.rp_rows('${schema}');`);
  } else {
    add(script, `${name}:migration`, forTransaction(c.migration));
    // The new release's writes were committed long before: their deferred checks are done.
    if (c.newWrites) add(script, `${name}:writes`, `${c.newWrites}\nSET CONSTRAINTS ALL IMMEDIATE;`);
    if (c.judgeDown) {
      if (name === 'after') (c.newReads ?? []).forEach((r, i) => add(script, `${name}:newread`, `\\echo @@${name}:newBefore:${i}\n${r}`));
      add(script, `${name}:down`, forTransaction(c.down ?? ''));
      if (name === 'after') (c.newReads ?? []).forEach((r, i) => add(script, `${name}:newread:${i}`, `\\echo @@${name}:newAfter:${i}\nSAVEPOINT r; ${r}\nROLLBACK TO SAVEPOINT r;`));
    }
    if (name === 'after') add(script, `${name}:rows`, `\\echo @@${name}:rows\nSELECT * FROM pg_temp.rp_rows('${schema}');`);
    // The fixes run in a world of their own, so the old statements meet fresh sequences as in the world before.
    if (fixes) add(script, `${name}:fix`, fixes.join('\n'));
  }
  if (c.later) add(script, `${name}:later`, c.later);
  oldStatements(script, name, statements);
  add(script, `${name}:end`, 'ROLLBACK;');
}

/** Row values as a multiset per row (column names ignored: a rename keeps the data). */
function rowsOf(lines: string[]): Array<{ table: string; values: string[]; text: string }> {
  return lines.map((l) => {
    const [table, json] = l.split('\t');
    const obj = JSON.parse(json) as Record<string, unknown>;
    return { table, values: Object.values(obj).map(cell).sort(), text: json };
  });
}

/** A cell as a value: 9.50, 9.5 and '9.5' are the same number; a changed type is not lost data. */
function cell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return String(Number(v));
  return JSON.stringify(v);
}

function contains(big: string[], small: string[]): boolean {
  const counts = new Map<string, number>();
  for (const v of big) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const v of small) {
    const n = counts.get(v) ?? 0;
    if (!n) return false;
    counts.set(v, n - 1);
  }
  return true;
}

/** Every row that existed before must still exist somewhere (any table, any column names) with all its values. */
function lostRows(before: string[], after: string[]): string[] {
  const a = rowsOf(after);
  return rowsOf(before)
    .filter((r) => !a.some((x) => contains(x.values, r.values)))
    .map((r) => `${r.table}: ${r.text}`);
}

export async function runWorld(pg: TestPostgres, c: CorpusCase, schema: string, fixes: string[]): Promise<WorldOutcome> {
  const statements = [...OLD_CODE, ...(c.old ?? [])];
  const script: Script = { lines: [], sections: new Map() };
  add(script, 'init', `\\set VERBOSITY terse\n${ROWS_FN}`);
  world(script, 'before', schema, c, statements);
  world(script, 'after', schema, c, statements);
  if (fixes.length) world(script, 'fixed', schema, c, statements, fixes);
  const r = await pg.tryPsql(script.lines.join('\n'), 'postgres', { stopOnError: false });
  const out = new Map<string, string[]>();
  let current: string | undefined;
  for (const l of r.stdout.split('\n')) {
    const m = /^@@(.+)$/.exec(l);
    if (m) current = m[1];
    else if (current && l.trim()) out.set(current, [...(out.get(current) ?? []), l]);
  }
  const errors = new Map<string, string>();
  const setupErrors: string[] = [];
  for (const m of r.stderr.matchAll(/^psql:<stdin>:(\d+): ERROR:\s+(.*)$/gm)) {
    const section = script.sections.get(Number(m[1])) ?? `line ${m[1]}`;
    const old = /^(before|after|fixed):old:(\d+)$/.exec(section);
    const newRead = /^after:newread:(\d+)$/.exec(section);
    // The first error of a line is its outcome ("current transaction is aborted" follows it).
    const key = old ? `${old[1]}:${old[2]}` : newRead ? `after:newAfter:${newRead[1]}` : undefined;
    if (key) {
      if (!errors.has(key)) errors.set(key, `ERROR: ${m[2]}`);
    }
    else setupErrors.push(`${section}: ${m[2]} (line ${m[1]}: ${script.lines[Number(m[1]) - 1]?.trim()})`);
  }
  if (r.code !== 0 && !r.stderr.includes('ERROR')) setupErrors.push(`psql exited ${r.code}: ${r.stderr.trim()}`);
  const outcomes = (w: string) => statements.map((_, i) => errors.get(`${w}:${i}`) ?? (out.get(`${w}:${i}`) ?? []).join('\n'));
  const reads = (k: string) => (c.newReads ?? []).map((_, i) => errors.get(`after:${k}:${i}`) ?? (out.get(`after:${k}:${i}`) ?? []).join('\n'));
  return {
    before: outcomes('before'),
    after: outcomes('after'),
    fixed: fixes.length ? outcomes('fixed') : undefined,
    lost: lostRows(out.get('before:rows') ?? [], out.get('after:rows') ?? []),
    newBefore: c.judgeDown ? reads('newBefore') : undefined,
    newAfter: c.judgeDown ? reads('newAfter') : undefined,
    setupErrors,
  };
}

export function changedStatements(statements: string[], a: string[], b: string[]): string[] {
  return statements.flatMap((s, i) => (a[i] === b[i] ? [] : [`${s} -> ${b[i].trim() || '(no rows)'} (was ${a[i].trim() || '(no rows)'})`]));
}

export function allStatements(c: CorpusCase): string[] {
  return [...OLD_CODE, ...(c.old ?? [])];
}
