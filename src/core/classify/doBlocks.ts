// The SQL inside a DO block, where the block is only a guard around ordinary statements:
// `DO $$ BEGIN IF NOT EXISTS (…) THEN CREATE TYPE … END IF; END $$` (hand-written
// idempotent migrations), `DO $$ BEGIN ALTER TABLE … ADD CONSTRAINT …; EXCEPTION WHEN
// duplicate_object THEN null; END $$` (Drizzle's way for every enum and key). Every branch
// is judged as if it runs: a guard decides only whether the statement is needed. Anything
// procedural beyond that (variables, loops, EXECUTE of a built string, RETURN) keeps the
// block opaque, and the do-block rule says so.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

/** The body's SQL statements, or undefined when the block does more than guard them. */
export function doBlockStatements(doStmt: any): string[] | undefined {
  const args: any[] = doStmt?.args ?? [];
  const lang = args.find((a) => a.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval;
  if (lang && lang.toLowerCase() !== 'plpgsql') return undefined;
  const body: string | undefined = args.find((a) => a.DefElem?.defname === 'as')?.DefElem?.arg?.String?.sval;
  if (body === undefined) return undefined;
  const pieces = splitTopLevel(stripComments(body));
  if (!pieces) return undefined;
  const out: string[] = [];
  for (const raw of pieces) {
    const piece = peel(raw);
    if (piece === undefined) return undefined;
    if (!piece || /^(null|raise)\b/i.test(piece)) continue;
    if (/^perform\b/i.test(piece)) {
      out.push(piece.replace(/^perform\b/i, 'SELECT'));
      continue;
    }
    if (/^(execute|for|foreach|loop|while|return|get|open|fetch|close|move|exit|continue|commit|rollback|assert|call|case)\b/i.test(piece) || /^[\w"]+\s*(:=|=(?!=))/.test(piece)) return undefined;
    out.push(piece);
  }
  return out;
}

/** Takes off the block's control words in front of a statement (BEGIN, IF … THEN, ELSE, EXCEPTION WHEN … THEN, END IF); undefined for a DECLARE or a loop. */
function peel(raw: string): string | undefined {
  let s = raw.trim();
  for (let guard = 0; guard < 50; guard++) {
    let m: RegExpExecArray | null;
    if (/^declare\b/i.test(s) || /^end\s+loop\b/i.test(s) || /^<</.test(s)) return undefined;
    if ((m = /^(begin|else|end\s+if|end\s+case)\b/i.exec(s))) s = s.slice(m[0].length).trim();
    else if (/^(if|elsif|elseif|exception\s+when|when)\b/i.test(s)) {
      const then = thenAt(s);
      if (then < 0) return undefined;
      s = s.slice(then + 4).trim();
    } else if ((m = /^end\b\s*(\w+)?\s*$/i.exec(s))) s = '';
    else return s;
  }
  return undefined;
}

/** Where the THEN of an IF or WHEN is, outside parentheses and strings. */
function thenAt(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") i = s.indexOf("'", i + 1) < 0 ? s.length : s.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^then\b/i.test(s.slice(i, i + 5)) && !/\w/.test(s[i - 1] ?? ' ')) return i;
  }
  return -1;
}

function stripComments(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '-' && body[i + 1] === '-') {
      const nl = body.indexOf('\n', i);
      i = nl < 0 ? body.length : nl - 1;
    } else if (c === '/' && body[i + 1] === '*') {
      const end = body.indexOf('*/', i + 2);
      i = end < 0 ? body.length : end + 1;
      out += ' ';
    } else if (c === "'") {
      const end = closingQuote(body, i);
      out += body.slice(i, end + 1);
      i = end;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(body.slice(i))?.[0];
      const end = tag ? body.indexOf(tag, i + tag.length) : -1;
      if (tag && end >= 0) {
        out += body.slice(i, end + tag.length);
        i = end + tag.length - 1;
      } else out += c;
    } else out += c;
  }
  return out;
}

function closingQuote(s: string, from: number): number {
  for (let i = from + 1; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") i++;
      else return i;
    }
  }
  return s.length - 1;
}

/** Splits on the semicolons that end statements (not those in strings, dollar quotes or parentheses). */
function splitTopLevel(body: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "'") i = closingQuote(body, i);
    else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(body.slice(i))?.[0];
      if (tag) {
        const end = body.indexOf(tag, i + tag.length);
        if (end < 0) return undefined;
        i = end + tag.length - 1;
      }
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ';' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out.filter((p) => p.trim());
}
