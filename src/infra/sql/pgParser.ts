import { loadModule, parseSync } from 'libpg-query';
import type { ParsedSql, SqlParser, SqlStatement } from '../../core/classify/sqlPort';
import { lineColumnAt, skipLeadingTrivia } from '../../core/classify/textPosition';

interface RawStmt {
  stmt?: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/**
 * PostgreSQL reports positions as UTF-8 byte offsets; editors and our reports count
 * characters. This maps a byte offset to a JS string index.
 */
export function byteToCharIndex(sql: string): (byteOffset: number) => number {
  // Pure ASCII: bytes and characters coincide, no table needed.
  if (!/[^\x00-\x7f]/.test(sql)) return (b) => Math.min(b, sql.length);
  const table: number[] = [];
  let byte = 0;
  for (let i = 0; i < sql.length; i++) {
    const code = sql.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) table[byte + k] = i;
    byte += width;
    if (code >= 0x10000) i++; // surrogate pair: two JS units, one code point
  }
  return (b) => (b >= byte ? sql.length : table[b]);
}

/** JS string index of the n-th code point (astral characters take two JS units). */
export function codePointToIndex(text: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) i += text.codePointAt(i)! >= 0x10000 ? 2 : 1;
  return i;
}

const TRAILING = /[\s;]/;

// The wasm module loads once per process; after that every parse is a plain synchronous call
// (libpg-query's async parse awaits the module again on every call).
let loading: Promise<void> | undefined;
let loaded = false;

export class PgSqlParser implements SqlParser {
  async parse(sql: string): Promise<ParsedSql> {
    if (!loaded) {
      await (loading ??= loadModule());
      loaded = true;
    }
    let tree: { stmts?: RawStmt[] };
    try {
      tree = parseSync(sql) as { stmts?: RawStmt[] };
    } catch (e) {
      const err = e as Error & { sqlDetails?: { cursorPosition?: number; message?: string } };
      const cursor = err.sqlDetails?.cursorPosition;
      // Unlike statement locations (bytes), an error cursor counts code points (PostgreSQL's
      // cursorpos is a character position), 0-based here.
      const at = typeof cursor === 'number' && cursor >= 0 ? codePointToIndex(sql, cursor) : 0;
      const { line, column } = lineColumnAt(sql, Math.min(at, sql.length));
      return { ok: false, error: { message: err.sqlDetails?.message ?? err.message, line, column } };
    }
    const toChar = byteToCharIndex(sql);
    const statements: SqlStatement[] = [];
    // Statements come in text order: count lines from the previous statement, not from the top each time.
    let counted = 0;
    let line = 1;
    let lineStart = 0;
    for (const raw of tree.stmts ?? []) {
      if (!raw.stmt) continue;
      const startByte = raw.stmt_location ?? 0;
      const rawStart = toChar(startByte);
      let end = raw.stmt_len === undefined || raw.stmt_len === 0 ? sql.length : toChar(startByte + raw.stmt_len);
      const start = skipLeadingTrivia(sql, rawStart, end);
      while (end > start && TRAILING.test(sql[end - 1])) end--;
      for (; counted < start; counted++) {
        if (sql.charCodeAt(counted) === 10) {
          line++;
          lineStart = counted + 1;
        }
      }
      statements.push({ text: sql.slice(start, end), node: raw.stmt, line, column: start - lineStart + 1, start, end });
    }
    return { ok: true, statements };
  }
}
