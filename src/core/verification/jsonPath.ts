// The small JSONPath subset health and smoke checks use: `$`, `.name`, `['name']` or
// `["name"]`, `[0]`, and a bare path (`version`, `data.items[0].id`) read as `$.`-rooted.
// Enough to name one value in a response; filters and wildcards would match several, and a
// check compares or captures exactly one.

export type JsonPathSegment = string | number;

export interface ParsedJsonPath {
  /** The path as written, for messages. */
  text: string;
  segments: JsonPathSegment[];
}

/** The path, or why it cannot be read (a phrase: "… is not a JSON path: <why>"). */
export function parseJsonPath(text: string): ParsedJsonPath | { error: string } {
  const src = text.trim();
  if (src === '') return { error: 'it is empty' };
  let i = 0;
  const segments: JsonPathSegment[] = [];
  if (src[0] === '$') i = 1;
  else {
    // A bare path starts with a name: "version", "data.items[0]".
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src);
    if (!m) return { error: `it must start with "$" or a name, not "${src[0]}"` };
    segments.push(m[0]);
    i = m[0].length;
  }
  while (i < src.length) {
    const ch = src[i];
    if (ch === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i + 1));
      if (!m) return { error: `a name must follow the "." at character ${i + 1}` };
      segments.push(m[0]);
      i += 1 + m[0].length;
    } else if (ch === '[') {
      const rest = src.slice(i + 1);
      const index = /^(0|[1-9]\d{0,8})\]/.exec(rest);
      const quoted = /^(['"])((?:\\.|(?!\1)[^\\])*)\1\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        i += 1 + index[0].length;
      } else if (quoted) {
        segments.push(quoted[2].replace(/\\(.)/g, '$1'));
        i += 1 + quoted[0].length;
      } else if (rest.startsWith('*') || rest.startsWith('?') || rest.startsWith('-')) {
        return { error: `"[${rest[0]}" selects several values (or counts from the end); a check needs exactly one, e.g. [0]` };
      } else {
        return { error: `"[" at character ${i + 1} must hold an index like [0] or a quoted name like ['name'], and be closed with "]"` };
      }
    } else if (ch === '*') {
      return { error: 'wildcards select several values; a check needs exactly one' };
    } else {
      return { error: `unexpected "${ch}" at character ${i + 1}` };
    }
  }
  return { text: src, segments };
}

export type JsonLookup = { found: true; value: unknown } | { found: false; why: string };

/** The value at `path` in `root`, or where the path stopped matching. */
export function lookupJson(root: unknown, path: ParsedJsonPath): JsonLookup {
  let node = root;
  let at = '$';
  for (const seg of path.segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node)) return { found: false, why: `${at} is ${kindOf(node)}, not a list` };
      if (seg >= node.length) return { found: false, why: `${at} has ${node.length} item(s), no [${seg}]` };
      node = node[seg];
      at += `[${seg}]`;
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return { found: false, why: `${at} is ${kindOf(node)}, not an object` };
      if (!Object.prototype.hasOwnProperty.call(node, seg)) return { found: false, why: `${at} has no "${seg}"` };
      node = (node as Record<string, unknown>)[seg];
      at += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
    }
  }
  return { found: true, value: node };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

/** A JSON value as a check shows it: short, one line. */
export function showJson(v: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Whether a found value is what the check expects: equal JSON; a string expectation also accepts a number or boolean that prints the same. */
export function jsonMatches(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) return String(actual) === expected;
  return deepEqual(actual, expected);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
