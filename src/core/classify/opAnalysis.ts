// Alembic, Knex and node-pg-migrate files describe schema changes as operation calls.
// Each call is translated into the PostgreSQL statement it produces and judged by the
// same rule table as plain SQL, so one set of rules decides for every tool; the finding
// quotes the call as written and points at it.

import type { MigrationFinding } from '../migrations/types';
import { beforeFromDown } from './beforeSchema';
import { looksLikeMySql } from './dialect';
import type { BeforeSchema } from './rules/common';
import { copyBefore } from './schemaHistory';
import { emptyContext, judge, learn, nodesOf, type FileContext } from './rules';
import type { SqlParser, SqlStatement } from './sqlPort';
import { analyzeAsText } from './textAnalysis';
import { shiftPosition } from './textPosition';

export interface MigrationOp {
  direction: 'up' | 'down';
  /** The call as written. */
  source: string;
  line: number;
  column: number;
  /** The PostgreSQL statement equivalent to the call (built by us, always parsable). */
  sql?: string;
  /** Raw SQL the call runs as written (op.execute, knex.raw, pgm.sql), and where its text starts. */
  rawSql?: string;
  rawOrigin?: { line: number; column: number };
  /** Set when the call cannot be judged (SQL built at run time, unknown operation …). */
  unknownReason?: string;
  /** A judgement that needs no SQL (e.g. bulk inserts). */
  safeReason?: string;
  rule?: string;
  /** The column's type before this call, where the tool says (Alembic's existing_type): `table.column` → type. */
  beforeTypes?: Array<[string, string]>;
  /** Alembic: the helper-call chain that reached this call (`upgrade() → _purge()`), for the reason. */
  via?: string;
}

interface Prepared {
  op: MigrationOp;
  statements: SqlStatement[];
  error?: string;
  errorAt?: { line: number; column: number };
  text?: boolean;
}

async function prepare(op: MigrationOp, parser: SqlParser, mysql: boolean, dialectKnown: boolean): Promise<Prepared> {
  const sql = op.sql ?? op.rawSql;
  if (sql === undefined) return { op, statements: [] };
  // A configured dialect decides; without one, the raw SQL's code (not its comments) tells.
  if (op.rawSql !== undefined && (mysql || (!dialectKnown && looksLikeMySql(op.rawSql)))) return { op, statements: [], text: true };
  const parsed = await parser.parse(sql);
  if (parsed.ok) return { op, statements: parsed.statements };
  return { op, statements: [], error: parsed.error.message, errorAt: shiftPosition(parsed.error, op.rawOrigin ?? op) };
}

export async function analyzeOps(
  ops: MigrationOp[],
  parser: SqlParser,
  options: {
    mysql?: boolean;
    dialectKnown?: boolean;
    history?: BeforeSchema['history'];
    /** What the earlier migrations of the folder left, when the caller could read them; the down path, where it says, wins. */
    earlier?: BeforeSchema;
    /** The migration file, for located messages. */ file?: string;
  } = {},
): Promise<MigrationFinding[]> {
  const mysql = options.mysql ?? false;
  const dialectKnown = options.dialectKnown ?? false;
  const findings: MigrationFinding[] = [];
  const prepared = { up: [] as Prepared[], down: [] as Prepared[] };
  for (const op of ops) prepared[op.direction].push(await prepare(op, parser, mysql, dialectKnown));
  // The down path restores the previous schema: the up path's rules read what it held from there.
  const downStatements = prepared.down.flatMap((p) => p.statements);
  const before = beforeFromDown(downStatements.map((s) => s.node), options.earlier ? copyBefore(options.earlier) : undefined, downStatements.map((s) => s.text));
  before.history = options.history;
  for (const op of ops) for (const [k, t] of op.beforeTypes ?? []) before.columnTypes.set(k, t);
  let upCtx: FileContext | undefined;
  for (const direction of ['up', 'down'] as const) {
    const ctx = emptyContext(direction);
    if (direction === 'up') ctx.before = before;
    if (upCtx) {
      for (const t of upCtx.createdTables) ctx.upCreatedTables.add(t);
      for (const c of upCtx.addedColumns) ctx.upAddedColumns.add(c);
      for (const o of upCtx.createdObjects) ctx.upCreatedObjects.add(o);
    }
    for (const p of prepared[direction]) for (const s of p.statements) learn(s.node, ctx);
    for (const p of prepared[direction]) findings.push(...judgeOp(p, ctx, mysql, options.file));
    if (direction === 'up') upCtx = ctx;
  }
  return findings;
}

function judgeOp(p: Prepared, ctx: FileContext, mysql: boolean, file?: string): MigrationFinding[] {
  const via = p.op.via;
  return judgeOpAsWritten(p, ctx, mysql).map((f) => {
    let reason = via ? `${f.reason} (Reached through ${via}.)` : f.reason;
    // What could not be judged says where, as file:line:column, so an editor jumps to it.
    if (file && f.class === 'unknown') reason = `${file}:${f.line}:${f.column}: ${reason}`;
    return reason === f.reason ? f : { ...f, reason };
  });
}

function judgeOpAsWritten(p: Prepared, ctx: FileContext, mysql: boolean): MigrationFinding[] {
  const { op } = p;
  const base = { statement: op.source, line: op.line, column: op.column, direction: op.direction };
  const confidence: 'parsed' | 'text' = mysql ? 'text' : 'parsed';
  if (op.unknownReason) return [{ ...base, class: 'unknown', rule: op.rule ?? 'not-analysable', reason: op.unknownReason, confidence: 'text' }];
  if (op.safeReason) return [{ ...base, class: 'safe', rule: op.rule ?? 'no-effect-on-old-code', reason: op.safeReason, confidence }];
  if (p.text) {
    return analyzeAsText(op.rawSql ?? '', { direction: op.direction, origin: op.rawOrigin ?? op, note: 'Analysed as text (MySQL syntax); lower confidence.', mysql: true });
  }
  if (p.error) {
    const at = p.errorAt ?? op;
    return [
      {
        ...base,
        line: at.line,
        column: at.column,
        class: 'unknown',
        rule: 'unparsable-sql',
        reason: `PostgreSQL cannot parse this SQL: ${p.error} (line ${at.line}, column ${at.column}). Review by hand.`,
        confidence: 'parsed',
      },
    ];
  }
  const out: MigrationFinding[] = [];
  for (const s of p.statements) {
    // Raw SQL points at its own statement inside the string; a translated call points at the call.
    const at = op.rawSql !== undefined ? shiftPosition(s, op.rawOrigin ?? op) : { line: op.line, column: op.column };
    for (const node of nodesOf(s.node, ctx)) {
      const v = judge(node);
      const finding: MigrationFinding = {
        class: v.class,
        rule: v.rule,
        statement: op.rawSql !== undefined ? s.text : op.source,
        line: at.line,
        column: at.column,
        reason: v.hit.reason,
        direction: op.direction,
        confidence,
      };
      if (v.hit.fix && !mysql) finding.fix = v.hit.fix;
      if (v.hit.fixRisk) finding.fixRisk = v.hit.fixRisk;
      if (v.hit.fix && mysql) finding.fixRisk = `MySQL: write the fix by hand (PostgreSQL's would be: ${v.hit.fix}).${v.hit.fixRisk ? ` ${v.hit.fixRisk}` : ''}`;
      out.push(finding);
    }
  }
  if (!p.statements.length && op.sql === undefined && op.rawSql !== undefined) {
    out.push({ ...base, class: 'safe', rule: 'no-effect-on-old-code', reason: 'Empty SQL.', confidence });
  }
  return out;
}
