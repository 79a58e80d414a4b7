// Step texts are built from parts written elsewhere: a rule's reason and its fix risk (full
// sentences with their own period), a reason the operator typed (maybe in quotes, maybe
// ending in a period), a command template (maybe full of quotes). Joined naively they read
// "…setting NOT NULL again.." and ""migrate down "{previous}""". These put each part in once.

/** The text as a sentence: ends with exactly one full stop (or its own ! ? … or closing quote/bracket after one). */
export function sentence(text: string): string {
  const t = text.trimEnd();
  if (t === '') return t;
  // Escaped, not literal: one non-ASCII character makes the whole bundle a two-byte string for V8 (slower to load, twice the memory).
  return /[.!?\u2026]["'\u201d\u2019)\]]*$/.test(t) ? t : `${t}.`;
}

const PAIRS: Array<[string, string]> = [['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’'], ['«', '»']];

/** Typed text to quote inside a sentence of ours: one layer of its own surrounding quotes and its final full stop dropped (an ellipsis stays). */
export function clause(text: string): string {
  let t = text.trim();
  for (const [open, close] of PAIRS) {
    if (t.length >= 2 && t.startsWith(open) && t.endsWith(close) && !t.slice(1, -1).includes(close)) {
      t = t.slice(1, -1).trim();
      break;
    }
  }
  return t.replace(/(?<!\.)\.$/, '').trimEnd();
}

/** A command or template named in a sentence, as inline code that shows it exactly (a fence longer than any backtick run inside). */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
