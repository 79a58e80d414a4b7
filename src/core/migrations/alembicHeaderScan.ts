// A fast path for the Migrations tree's first paint: reads the module header of an Alembic
// script when it has only the shapes Alembic's own templates write (a docstring, imports,
// `name = literal` and `name: Annotation = literal`), and answers `undefined` for anything
// else, which then goes to the real Python parser (readAlembicHeader).
//
// Why it exists: @lezer/python costs ~35 µs for even a 130-character header, which on 350
// scripts was most of the first paint. This scanner tokenizes Python properly (strings with
// prefixes and triple quotes, escapes, comments, brackets, line structure) but accepts a
// deliberately small grammar, so whatever it accepts the parser reads the same way; the unit
// tests check that on every fixture and on generated variants.
import type { AlembicHeader } from './alembicHeader';
import { docstringMessage, stringLiteral } from './pythonString';

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'string'; raw: string }
  | { kind: 'number' }
  | { kind: 'op'; text: string };

const STRING_PREFIX = /^(?:[rRuUbB]|[bB][rR]|[rR][bB])$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
// Regular expressions rather than a character loop: the first paint runs this code cold, and
// V8's regexp engine is fast from the first call where an interpreted loop is not.
// Groups: 1 leading blanks, 2 newline, 3 name, 4 number, 5 quote, 6 operator; a comment matches with none.
const TOKEN = /([ \t\f]*)(?:(\r\n?|\n)|#[^\r\n]*|([A-Za-z_][A-Za-z0-9_]*)|([0-9]+)|(['"])|([()[\],.=:|]))/y;
const STRING_REST: Record<string, RegExp> = {
  "'": /(?:[^'\\\r\n]|\\[\s\S])*'/y,
  '"': /(?:[^"\\\r\n]|\\[\s\S])*"/y,
  "'''": /(?:[^'\\]|\\[\s\S]|'(?!''))*'''/y,
  '"""': /(?:[^"\\]|\\[\s\S]|"(?!""))*"""/y,
};
// A name or number running straight into one of these is outside the subset (1.5, 0x1, non-ASCII names).
const GLUED = /[A-Za-z0-9_\u0080-\uffff]/;

/** Index just past the string literal whose opening quote is at `start`, or -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  const opening = text.startsWith(quote.repeat(3), start) ? quote.repeat(3) : quote;
  const rest = STRING_REST[opening];
  rest.lastIndex = start + opening.length;
  return rest.test(text) ? rest.lastIndex : -1;
}

/** Splits the text into logical lines of tokens; undefined at anything outside the subset. */
function logicalLines(text: string): Token[][] | undefined {
  const lines: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  while (i < text.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    // Trailing blanks end the text; any other character outside the subset (a backslash, `;`, `*` …) hands over.
    if (!m) return /^[ \t\f]*$/.test(text.slice(i)) ? finish() : undefined;
    i = TOKEN.lastIndex;
    // Indexing, not destructuring: this runs cold, where the iterator protocol is slow.
    const blanks = m[1];
    const newline = m[2];
    const name = m[3];
    const number = m[4];
    const quote = m[5];
    const op = m[6];
    if (newline !== undefined) {
      if (depth === 0 && current.length > 0) {
        lines.push(current);
        current = [];
      }
      atLineStart = depth === 0;
      continue;
    }
    if (name === undefined && number === undefined && quote === undefined && op === undefined) continue; // a comment
    // Indented top-level code (an if block, a continuation line) is the parser's to read.
    if (atLineStart && blanks !== '') return undefined;
    atLineStart = false;
    if (quote !== undefined || (name !== undefined && (text[i] === "'" || text[i] === '"'))) {
      if (name !== undefined && !STRING_PREFIX.test(name)) return undefined;
      const start = i - (quote !== undefined ? 1 : name.length);
      const end = stringEnd(text, quote !== undefined ? i - 1 : i);
      if (end < 0) return undefined;
      current.push({ kind: 'string', raw: text.slice(start, end) });
      i = end;
    } else if (name !== undefined) {
      if (GLUED.test(text[i] ?? '')) return undefined;
      current.push({ kind: 'name', text: name });
    } else if (number !== undefined) {
      if (GLUED.test(text[i] ?? '') || text[i] === '.') return undefined;
      current.push({ kind: 'number' });
    } else {
      if (op === '(' || op === '[') depth++;
      if (op === ')' || op === ']') {
        if (depth === 0) return undefined;
        depth--;
      }
      current.push({ kind: 'op', text: op });
    }
  }
  return finish();

  function finish(): Token[][] | undefined {
    if (depth !== 0) return undefined;
    if (current.length > 0) lines.push(current);
    return lines;
  }
}

const isOp = (t: Token | undefined, text: string): boolean => t?.kind === 'op' && t.text === text;
const isName = (t: Token | undefined, text?: string): boolean => t?.kind === 'name' && (text === undefined || t.text === text);

const isIdentifier = (t: Token | undefined): boolean => t?.kind === 'name' && !KEYWORDS.has(t.text);

/** `a.b.c` from position i; the index after it, or -1. */
function dotted(tokens: Token[], i: number): number {
  if (!isIdentifier(tokens[i])) return -1;
  i++;
  while (isOp(tokens[i], '.')) {
    if (!isIdentifier(tokens[i + 1])) return -1;
    i += 2;
  }
  return i;
}

/** `NAME [as NAME]` from position i, with `a.b.c` allowed where `dottedNames`. */
function aliased(tokens: Token[], i: number, dottedNames: boolean): number {
  i = dottedNames ? dotted(tokens, i) : isIdentifier(tokens[i]) ? i + 1 : -1;
  if (i < 0) return -1;
  if (isName(tokens[i], 'as')) return isIdentifier(tokens[i + 1]) ? i + 2 : -1;
  return i;
}

function isImport(tokens: Token[]): boolean {
  if (isName(tokens[0], 'import')) {
    let i = 1;
    for (;;) {
      i = aliased(tokens, i, true);
      if (i < 0) return false;
      if (i === tokens.length) return true;
      if (!isOp(tokens[i], ',')) return false;
      i++;
    }
  }
  if (!isName(tokens[0], 'from')) return false;
  let i = 1;
  while (isOp(tokens[i], '.')) i++;
  if (!isName(tokens[i], 'import')) i = dotted(tokens, i);
  if (i < 0 || !isName(tokens[i], 'import')) return false;
  i++;
  const parenthesized = isOp(tokens[i], '(');
  if (parenthesized) i++;
  for (;;) {
    i = aliased(tokens, i, false);
    if (i < 0) return false;
    if (isOp(tokens[i], ',')) {
      i++;
      if (parenthesized && isOp(tokens[i], ')')) break;
      continue;
    }
    break;
  }
  if (parenthesized) {
    if (!isOp(tokens[i], ')')) return false;
    i++;
  }
  return i === tokens.length;
}

/** An annotation such as `str`, `Union[str, Sequence[str], None]` or `str | None`; the index after it, or -1. */
function annotation(tokens: Token[], i: number): number {
  for (;;) {
    if (tokens[i]?.kind === 'string' || isName(tokens[i], 'None')) i++;
    else if (isOp(tokens[i], '.') && isOp(tokens[i + 1], '.') && isOp(tokens[i + 2], '.')) i += 3; // tuple[str, ...]
    else {
      i = dotted(tokens, i);
      if (i < 0) return -1;
      if (isOp(tokens[i], '[')) {
        i++;
        for (;;) {
          i = annotation(tokens, i);
          if (i < 0) return -1;
          if (!isOp(tokens[i], ',')) break;
          i++;
          if (isOp(tokens[i], ']')) break;
        }
        if (!isOp(tokens[i], ']')) return -1;
        i++;
      }
    }
    if (!isOp(tokens[i], '|')) return i;
    i++;
  }
}

type Value = { kind: 'none' } | { kind: 'string'; value: string } | { kind: 'strings'; values: string[] } | { kind: 'other' };

/** A literal value that makes up the rest of the statement, or undefined when it is not one. */
function literal(tokens: Token[], i: number): Value | undefined {
  const rest = tokens.slice(i);
  const only = rest.length === 1 ? rest[0] : undefined;
  if (only?.kind === 'string') {
    const value = stringLiteral(only.raw);
    return value === undefined ? undefined : { kind: 'string', value };
  }
  if (only?.kind === 'number') return { kind: 'other' };
  if (only?.kind === 'name') {
    if (only.text === 'None') return { kind: 'none' };
    return only.text === 'True' || only.text === 'False' || !KEYWORDS.has(only.text) ? { kind: 'other' } : undefined;
  }
  // ('a', 'b'), ['a'] or ('a'): brackets holding strings, commas between them.
  const open = rest[0];
  const close = rest[rest.length - 1];
  if (!(isOp(open, '(') && isOp(close, ')')) && !(isOp(open, '[') && isOp(close, ']'))) return undefined;
  const values: string[] = [];
  let k = 1;
  while (k < rest.length - 1) {
    const t = rest[k];
    if (t.kind !== 'string') return undefined;
    const value = stringLiteral(t.raw);
    if (value === undefined) return undefined;
    values.push(value);
    k++;
    if (k < rest.length - 1) {
      if (!isOp(rest[k], ',')) return undefined;
      k++;
    }
  }
  return values.length === 0 ? undefined : { kind: 'strings', values };
}

/**
 * The header, or undefined when the text is not entirely made of the shapes above or does not
 * settle both revision and down_revision without a problem (the parser then says what is wrong).
 */
export function scanAlembicHeader(text: string): AlembicHeader | undefined {
  const lines = logicalLines(text);
  if (!lines) return undefined;
  const header: AlembicHeader = { problems: [] };
  for (let index = 0; index < lines.length; index++) {
    const tokens = lines[index];
    if (tokens.length === 1 && tokens[0].kind === 'string') {
      if (index === 0) {
        const message = docstringMessage(tokens[0].raw);
        if (message) header.message = message;
      }
      continue;
    }
    if (isImport(tokens)) continue;
    if (!isIdentifier(tokens[0])) return undefined;
    const target = (tokens[0] as { text: string }).text;
    let i = 1;
    if (isOp(tokens[i], ':')) {
      i = annotation(tokens, i + 1);
      if (i < 0) return undefined;
    }
    if (!isOp(tokens[i], '=')) return undefined;
    const value = literal(tokens, i + 1);
    if (!value) return undefined;
    if (target === 'revision') {
      if (value.kind !== 'string') return undefined;
      header.revision = value.value;
    } else if (target === 'down_revision') {
      if (value.kind === 'other') return undefined;
      header.downRevisions = value.kind === 'none' ? [] : value.kind === 'string' ? [value.value] : value.values;
    }
  }
  return header.revision !== undefined && header.downRevisions !== undefined ? header : undefined;
}
