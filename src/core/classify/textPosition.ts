/** 1-based line and column (in characters) of a string index. */
export function lineColumnAt(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * PostgreSQL's statement location starts right after the previous semicolon, so it
 * includes the comments and blank lines between statements; a report should point at
 * the statement itself.
 */
export function skipLeadingTrivia(sql: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === ';') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < to && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      while (i < to) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
    } else break;
  }
  return i;
}

/** Maps a position inside an embedded text (a SQL string in Python/JS) back to the file. */
export function shiftPosition(
  inner: { line: number; column: number },
  origin: { line: number; column: number },
): { line: number; column: number } {
  if (inner.line === 1) return { line: origin.line, column: origin.column + inner.column - 1 };
  return { line: origin.line + inner.line - 1, column: inner.column };
}
