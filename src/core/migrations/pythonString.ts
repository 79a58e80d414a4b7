// Python string literals as Alembic headers use them, shared by the parser-based reader and the fast scan.

/** The value of a string literal's source text (prefix, quotes, escapes), or undefined for anything else. */
export function stringLiteral(raw: string): string | undefined {
  const m = /^([rRuUbB]*)('''|"""|'|")([\s\S]*)\2$/.exec(raw);
  if (!m) return undefined;
  const body = m[3];
  if (/[rR]/.test(m[1])) return body;
  return body.replace(/\\(.)/g, '$1');
}

/** First non-empty line of a docstring (Alembic puts the -m message there). */
export function docstringMessage(raw: string): string | undefined {
  return stringLiteral(raw)?.split('\n').map((l) => l.trim()).find((l) => l !== '');
}
