import type { MigrationFinding } from '../migrations/types';
import { isMySql, isPostgres, looksLikeMySql } from './dialect';
import { emptyContext, judge, learnNodes, nodesOf, type FileContext } from './rules';
import type { BeforeSchema } from './rules/common';
import { doBlockStatements } from './doBlocks';
import type { SqlParser, SqlStatement } from './sqlPort';
import { analyzeAsText } from './textAnalysis';
import { shiftPosition } from './textPosition';

export interface SqlAnalysisOptions {
  direction: 'up' | 'down';
  parser: SqlParser;
  /** Where the SQL text starts in the file (1-based), for SQL embedded in Python/JS or a goose section. */
  origin?: { line: number; column: number };
  /** The up path's context, so the down path knows what the new release created. */
  upContext?: FileContext;
  /** Context shared by several SQL snippets of one file (Alembic op.execute calls). */
  context?: FileContext;
  /** From the tool's configuration: not PostgreSQL (MySQL …) skips the parser and analyses as text; PostgreSQL is parsed whatever the text looks like. */
  dialect?: string;
  /** Where the dialect was read (prisma/schema.prisma), for the reason. */
  dialectFrom?: string;
  /** What the schema held before (from the down path, earlier migrations), for the up path's rules. */
  before?: BeforeSchema;
}

export interface SqlAnalysis {
  findings: MigrationFinding[];
  context: FileContext;
}

export { looksLikeMySql };

export async function analyzeSql(sql: string, options: SqlAnalysisOptions): Promise<SqlAnalysis> {
  const origin = options.origin ?? { line: 1, column: 1 };
  const ctx = options.context ?? emptyContext(options.direction);
  if (options.before) ctx.before = options.before;
  if (options.upContext) {
    for (const t of options.upContext.createdTables) ctx.upCreatedTables.add(t);
    for (const c of options.upContext.addedColumns) ctx.upAddedColumns.add(c);
    for (const o of options.upContext.createdObjects) ctx.upCreatedObjects.add(o);
  }
  const dialect = options.dialect?.toLowerCase();
  // The configuration decides; only without one does the code (comments and strings removed) tell.
  if (dialect ? !isPostgres(dialect) : looksLikeMySql(sql)) {
    const why = dialect
      ? `the database is ${dialect}${options.dialectFrom ? `, from ${options.dialectFrom}` : ''}`
      : 'MySQL syntax in the code: backticks, ENGINE= or AUTO_INCREMENT outside comments and strings';
    const mysql = dialect ? isMySql(dialect) : true;
    return { findings: analyzeAsText(sql, { direction: options.direction, origin, note: `Analysed as text (${why}); lower confidence.`, mysql }), context: ctx };
  }
  const parsed = await options.parser.parse(sql);
  if (!parsed.ok) {
    const at = shiftPosition(parsed.error, origin);
    const unparsable: MigrationFinding = {
      class: 'unknown',
      rule: 'unparsable-sql',
      statement: sql.split('\n')[parsed.error.line - 1]?.trim() ?? '',
      line: at.line,
      column: at.column,
      reason: `PostgreSQL cannot parse this SQL: ${parsed.error.message} (line ${at.line}, column ${at.column}). Review by hand; the statements below were analysed as text only.`,
      direction: options.direction,
      confidence: 'parsed',
    };
    return {
      findings: [unparsable, ...analyzeAsText(sql, { direction: options.direction, origin, note: 'Analysed as text (unparsable).', mysql: false })],
      context: ctx,
    };
  }
  const statements = await withDoBlocksOpened(parsed.statements, options.parser);
  // Learn the whole file first: a trigger function comes before the trigger that uses it.
  const units = statements.map((s) => nodesOf(s.node, ctx));
  for (const nodes of units) learnNodes(nodes, ctx);
  const findings: MigrationFinding[] = [];
  statements.forEach((s, i) => {
    const at = shiftPosition(s, origin);
    for (const node of units[i]) {
      const verdict = judge(node);
      const finding: MigrationFinding = {
        class: verdict.class,
        rule: verdict.rule,
        statement: s.text,
        line: at.line,
        column: at.column,
        reason: s.inDo ? `In the DO block (judged as if every branch runs): ${verdict.hit.reason}` : verdict.hit.reason,
        direction: options.direction,
        confidence: 'parsed',
      };
      if (verdict.hit.fix) finding.fix = verdict.hit.fix;
      if (verdict.hit.fixRisk) finding.fixRisk = verdict.hit.fixRisk;
      findings.push(finding);
    }
  });
  return { findings, context: ctx };
}

/** A DO block that only guards ordinary statements stands for those statements (at the block's position); any other stays as it is. */
async function withDoBlocksOpened(statements: SqlStatement[], parser: SqlParser): Promise<Array<SqlStatement & { inDo?: boolean }>> {
  if (!statements.some((s) => 'DoStmt' in s.node)) return statements;
  const out: Array<SqlStatement & { inDo?: boolean }> = [];
  for (const s of statements) {
    const inner = 'DoStmt' in s.node ? doBlockStatements(s.node.DoStmt) : undefined;
    const parsed = inner?.length ? await parser.parse(inner.map((x) => `${x};`).join('\n')) : undefined;
    if (parsed?.ok && parsed.statements.length && !parsed.statements.some((x) => 'DoStmt' in x.node)) {
      for (const x of parsed.statements) out.push({ ...s, node: x.node, text: x.text, inDo: true });
    } else out.push(s);
  }
  return out;
}
