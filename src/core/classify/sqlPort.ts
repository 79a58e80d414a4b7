// The core reaches the PostgreSQL parser only through this port, so it stays pure and
// testable; src/infra/sql/pgParser.ts implements it with libpg-query.

/** One top-level statement of a SQL text. Lines and columns are 1-based, in characters. */
export interface SqlStatement {
  /** The statement as written, without leading comments/whitespace and the trailing semicolon. */
  text: string;
  /** The raw parse-tree node: `{ AlterTableStmt: {...} }` etc. (PostgreSQL 17's node names). */
  node: Record<string, unknown>;
  line: number;
  column: number;
  /** Character offsets into the parsed text (JS string indices), end exclusive. */
  start: number;
  end: number;
}

export interface SqlParseError {
  message: string;
  line: number;
  column: number;
}

export type ParsedSql =
  | { ok: true; statements: SqlStatement[] }
  | { ok: false; error: SqlParseError };

export interface SqlParser {
  parse(sql: string): Promise<ParsedSql>;
}
