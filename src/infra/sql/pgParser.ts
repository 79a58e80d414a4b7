import { parse } from 'libpg-query';
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

export class PgSqlParser implements SqlParser {
  async parse(sql: string): Promise<ParsedSql> {
    let tree: { stmts?: RawStmt[] };
    try {
      tree = (await parse(sql)) as { stmts?: RawStmt[] };
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
    for (const raw of tree.stmts ?? []) {
      if (!raw.stmt) continue;
      const startByte = raw.stmt_location ?? 0;
      const rawStart = toChar(startByte);
      let end = raw.stmt_len === undefined || raw.stmt_len === 0 ? sql.length : toChar(startByte + raw.stmt_len);
      const start = skipLeadingTrivia(sql, rawStart, end);
      while (end > start && /[\s;]/.test(sql[end - 1])) end--;
      const { line, column } = lineColumnAt(sql, start);
      statements.push({ text: sql.slice(start, end), node: raw.stmt, line, column, start, end });
    }
    return { ok: true, statements };
  }
}
