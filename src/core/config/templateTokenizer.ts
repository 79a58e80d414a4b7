// The shell's reading of a command template, as sh(1) reads the line: which quote, expansion,
// comment or here-document each placeholder stands in, and which words of which command it is
// part of (templateQuoting.ts turns what this finds into the message and the form that works).
import { isCodeArgument, namedByExpansion, rereaderIn, rereadsArguments } from './shellRereads';

export type UnsafeContext =
  | 'single quotes'
  | 'double quotes'
  | "$'…' quotes"
  | "after $'…' quotes"
  | 'backticks'
  | 'a ${…} expansion'
  | 'an arithmetic $((…))'
  | 'a comment'
  | 'a here-document'
  | 'after a backslash'
  | 'right after a $'
  | 'a sh -c script'
  | 'an eval or ssh command'
  | 'a command that reads it again as code'
  | 'a command named by an expansion'
  | 'the target of >& or <&'
  | "bash's arithmetic ((…)) or $[…]"
  | 'an array subscript'
  | "after bash's $[…] or ((…))";

export interface QuotedPlaceholder {
  /** The placeholder as written, e.g. "{id}". */
  placeholder: string;
  /** Offset of its "{" in the template. */
  offset: number;
  context: UnsafeContext;
}

type Kind = 'plain' | 'sub' | 'sq' | 'dq' | 'ansi' | 'bt' | 'param' | 'arith' | 'bracket' | 'comment' | 'heredoc';
export interface Frame {
  kind: Kind;
  start: number;
  end?: number;
  depth: number;
  /** plain/sub/bt: where the word being read began (quotes and escapes do not end a word). */
  wordStart?: number;
  /** plain/sub/bt: the words of the command so far, as written (its arguments: redirections are not among them). */
  words?: string[];
  /** plain/sub/bt: the next word is a redirection's target (after < or >), not an argument. */
  redirectTarget?: boolean;
  /** sq/dq: the quoted word is the argument of a `-c` (a second shell reads it). */
  shC?: boolean;
  delimiter?: string;
  /** arith: bash's ((…)) command, not $((…)): dash reads two subshells there, bash arithmetic. */
  bare?: boolean;
  /** heredoc: `<<-`, whose lines (the delimiter's too) lose their leading tabs; with `<<` a tab before the delimiter keeps the body open. */
  stripTabs?: boolean;
  /** heredoc: the delimiter is unquoted, so the body expands and a line ending in a backslash goes on in the next. */
  expands?: boolean;
  /** heredoc: the line before ended in a line continuation, so this one is its rest and never the delimiter. */
  continued?: boolean;
}

const CONTEXT: Partial<Record<Kind, UnsafeContext>> = {
  sq: 'single quotes',
  dq: 'double quotes',
  ansi: "$'…' quotes",
  bt: 'backticks',
  param: 'a ${…} expansion',
  arith: 'an arithmetic $((…))',
  bracket: "bash's arithmetic ((…)) or $[…]",
  comment: 'a comment',
  heredoc: 'a here-document',
};

/** The context a frame gives a placeholder in it; undefined for a plain reading. */
function contextOf(f: Frame): UnsafeContext | undefined {
  return f.kind === 'arith' && f.bare ? "bash's arithmetic ((…)) or $[…]" : CONTEXT[f.kind];
}

/** A word so far that opens an array subscript (a[… or, in a compound assignment, [… ): bash evaluates it as arithmetic. */
const OPEN_SUBSCRIPT = /^(?:[A-Za-z_][A-Za-z0-9_]*)?\[[^\]]*$/;

export interface Scan {
  found: Array<QuotedPlaceholder & { frame?: Frame }>;
}

export function scan(t: string, names: readonly string[]): Scan {
  const found: Scan['found'] = [];
  const stack: Frame[] = [{ kind: 'plain', start: 0, depth: 0, wordStart: 0, words: [] }];
  // Every offset the filler will replace; one the reading below never stands on (skipped as
  // an escaped character, say) is not a plain word either.
  const visited = new Set<number>();
  const top = (): Frame => stack[stack.length - 1];
  const push = (kind: Kind, start: number, extra: Partial<Frame> = {}): void => {
    if (kind === 'bracket') arithmeticAt ??= start;
    stack.push({ kind, start, depth: 0, ...(kind === 'sub' ? { wordStart: start + 2, words: [] } : kind === 'bt' ? { wordStart: start + 1, words: [] } : {}), ...extra });
  };
  const pop = (end: number): void => {
    if (stack.length > 1) stack.pop()!.end = end;
  };
  const pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean; expands: boolean }> = [];
  const rereader = rereaderIn(t);
  // Where the first $'…' opens: /bin/sh (dash) has no such quotes and reads them as $ and '…',
  // so from there on the two shells split the line differently and no reading here is both's.
  let ansiAt: number | undefined;
  // Where bash's $[…] or ((…)) first opens: dash reads `$[` as a word and `((` as two subshells, so a here-document
  // or a quote in there is one to dash and not to bash, and the rest of the line splits differently.
  let arithmeticAt: number | undefined;
  const placeholderAt = (i: number): string | undefined => names.map((n) => `{${n}}`).find((p) => t.startsWith(p, i));
  const record = (i: number, placeholder: string, context: UnsafeContext | undefined): number => {
    visited.add(i);
    const inBackticks = stack.some((f) => f.kind === 'bt');
    // A plain word that is the script of `sh -c` ('x'{id}, or glued on by an escaped space) is read again by a second shell.
    const f = top();
    const script = !context && f.words && f.wordStart !== undefined ? (namedByExpansion(f.words) ? 'a command named by an expansion' : isCodeArgument(f.words, t.slice(f.wordStart, i)) ? 'a sh -c script' : undefined) : undefined;
    const reread = rereadsArguments(t, i) ? 'an eval or ssh command' : rereader ? 'a command that reads it again as code' : undefined;
    // bash expands the word after >& again when it is not a file descriptor (>& '$(…)' runs it, and >&"$(echo …)" what the
    // substitution prints): no value belongs anywhere in that word, a $(…) inside it included (each frame's word holds the next).
    const dup = !context && stack.some((fr) => fr.wordStart !== undefined && DUP_REDIRECT.test(t.slice(0, fr.wordStart))) ? 'the target of >& or <&' : undefined;
    // a[{id}]=… (a $(…) in the subscript included): bash evaluates the subscript as arithmetic, where a value like a[$(…)] runs.
    const subscript = !context && stack.some((fr) => fr.wordStart !== undefined && OPEN_SUBSCRIPT.test(t.slice(fr.wordStart, i))) ? 'an array subscript' : undefined;
    const ctx = context ?? (inBackticks ? 'backticks' : (dup ?? subscript ?? script ?? reread ?? (ansiAt !== undefined ? "after $'…' quotes" : arithmeticAt !== undefined ? "after bash's $[…] or ((…))" : undefined)));
    if (ctx) found.push({ placeholder, offset: i, context: ctx, frame: contextOf(top()) ? top() : undefined });
    return i + placeholder.length;
  };

  let i = 0;
  while (i < t.length) {
    const f = top();
    const c = t[i];
    const ph = placeholderAt(i);
    if (ph) {
      i = record(i, ph, contextOf(f));
      continue;
    }
    // "${id}" reads as the shell variable id (and, filled in, as bash's $'…'): the $ must not touch it.
    const dollared = c === '$' && !isEscaped(t, i) ? placeholderAt(i + 1) : undefined;
    if (dollared) {
      i = record(i + 1, dollared, contextOf(f) ?? 'right after a $');
      continue;
    }
    switch (f.kind) {
      case 'sq':
        if (c === "'") pop(i);
        i++;
        continue;
      case 'ansi':
        if (c === '\\') i += 2;
        else {
          if (c === "'") pop(i);
          i++;
        }
        continue;
      case 'comment':
        if (c === '\n') {
          pop(i);
          continue; // the newline still ends the command (and may start a here-document)
        }
        i++;
        continue;
      case 'heredoc': {
        const lineEnd = t.indexOf('\n', i);
        const line = t.slice(i, lineEnd < 0 ? t.length : lineEnd);
        const next = lineEnd < 0 ? t.length : lineEnd + 1;
        const body = f.stripTabs ? line.replace(/^\t+/, '') : line;
        for (const p of names.map((n) => `{${n}}`)) for (let k = line.indexOf(p); k >= 0; k = line.indexOf(p, k + 1)) record(i + k, p, 'a here-document');
        const delimiterLine = body === f.delimiter && !f.continued;
        f.continued = f.expands === true && /(^|[^\\])(\\\\)*\\$/.test(line);
        if (delimiterLine) pop(next);
        i = next;
        continue;
      }
      case 'dq':
        if (c === '\\') {
          i += '$`"\\\n'.includes(t[i + 1] ?? '') ? 2 : 1;
          continue;
        }
        if (c === '"') {
          pop(i);
          i++;
          continue;
        }
        i = expansionStart(t, i, push) ?? i + 1;
        continue;
      case 'param':
        if (c === '\\') i += 2;
        else if (c === '}') {
          pop(i);
          i++;
        } else if (c === "'") {
          push('sq', i);
          i++;
        } else if (c === '"') {
          push('dq', i);
          i++;
        } else i = expansionStart(t, i, push) ?? i + 1;
        continue;
      case 'bracket':
        if (c === '[') f.depth++;
        else if (c === ']' && f.depth > 0) f.depth--;
        else if (c === ']') pop(i);
        i++;
        continue;
      case 'arith':
        if (c === '(') f.depth++;
        else if (c === ')' && f.depth > 0) f.depth--;
        else if (c === ')' && t[i + 1] === ')') {
          pop(i + 1);
          i += 2;
          continue;
        }
        i++;
        continue;
      default: {
        // plain, sub (inside $(…)) and bt (inside `…`): the shell's ordinary reading.
        if (c === '\\') {
          const escaped = placeholderAt(i + 1);
          if (escaped) {
            i = record(i + 1, escaped, 'after a backslash');
            continue;
          }
          i += 2;
          continue;
        }
        if (c === "'") {
          push('sq', i, { shC: followsDashC(t, i) });
          i++;
          continue;
        }
        if (c === '"') {
          push('dq', i, { shC: followsDashC(t, i) });
          i++;
          continue;
        }
        if (c === '`' && f.kind === 'bt') {
          pop(i);
          i++;
          continue;
        }
        if (c === '$' && t[i + 1] === "'") {
          ansiAt ??= i;
          push('ansi', i);
          i += 2;
          continue;
        }
        if (c === '(' && t[i + 1] === '(') {
          arithmeticAt ??= i;
          push('arith', i, { bare: true });
          i += 2;
          continue;
        }
        if (f.kind === 'sub' && c === '(') f.depth++;
        if (f.kind === 'sub' && c === ')') {
          if (f.depth === 0) {
            pop(i);
            i++;
            continue;
          }
          f.depth--;
        }
        // A comment starts a word only; an escaped ")" before "#" does not end one.
        if (c === '#' && (f.wordStart !== undefined ? i === f.wordStart : i === 0 || /[\s;&|()<>]/.test(t[i - 1]))) {
          push('comment', i);
          i++;
          continue;
        }
        if (c === '<' && t[i + 1] === '<' && t[i + 2] !== '<') {
          const m = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([^\s;&|()<>]+))/.exec(t.slice(i));
          if (m) {
            pendingHeredocs.push({ delimiter: m[2] ?? m[3] ?? m[4].replace(/\\/g, ''), stripTabs: m[1] === '-', expands: m[4] !== undefined && !/[\\'"]/.test(m[0]) });
            i += m[0].length;
            continue;
          }
        }
        if (c === '\n' && pendingHeredocs.length && (f.kind === 'plain' || f.kind === 'sub')) {
          // Several here-documents on one line follow one another; the innermost is read first.
          for (const h of pendingHeredocs.reverse()) push('heredoc', i + 1, { delimiter: h.delimiter, stripTabs: h.stripTabs, expands: h.expands });
          pendingHeredocs.length = 0;
          i++;
          continue;
        }
        if (/[\s;&|()<>]/.test(c)) {
          const redirect = c === '<' || c === '>';
          if (f.words && f.wordStart !== undefined && i > f.wordStart) {
            const word = t.slice(f.wordStart, i);
            // A redirection's target and the descriptor before < or > (2>&1, {fd}>x) are not the command's arguments.
            if (f.redirectTarget) f.redirectTarget = false;
            else if (!(redirect && /^(?:\d+|\{\w+\})$/.test(word))) f.words.push(word);
          }
          if (redirect) f.redirectTarget = true;
          // & and | inside a redirection operator (>&, <&, >|, and bash's &> and &>>) do not start a new command.
          const inOperator = (c === '&' || c === '|') && (t[i - 1] === '<' || t[i - 1] === '>' || (c === '&' && t[i + 1] === '>'));
          if (f.words && /[;&|(\n]/.test(c) && !inOperator) {
            f.words.length = 0; // a new command
            f.redirectTarget = false;
          }
          f.wordStart = i + 1;
        }
        i = expansionStart(t, i, push) ?? i + 1;
      }
    }
  }
  const pattern = new RegExp(`\\{(${names.map((n) => n.replace(/[^A-Za-z0-9_]/g, '')).join('|')})\\}`, 'g');
  for (const m of names.length ? t.matchAll(pattern) : []) {
    if (!visited.has(m.index)) found.push({ placeholder: m[0], offset: m.index, context: 'after a backslash' });
  }
  found.sort((a, b) => a.offset - b.offset);
  return { found };
}

/** Text that ends with a >& or <& redirection operator, the word after it still to come (blanks and line continuations between). */
const DUP_REDIRECT = /[<>]&(?:[ \t]|\\\n)*$/;

/** $((, $( , ${ and ` open a nested context; returns the index after the opener, or undefined. */
function expansionStart(t: string, i: number, push: (kind: Kind, start: number) => void): number | undefined {
  if (t[i] === '`') {
    push('bt', i);
    return i + 1;
  }
  if (t[i] !== '$' || isEscaped(t, i)) return undefined;
  if (t.startsWith('$((', i)) {
    push('arith', i);
    return i + 3;
  }
  if (t[i + 1] === '(') {
    push('sub', i);
    return i + 2;
  }
  if (t[i + 1] === '{') {
    push('param', i);
    return i + 2;
  }
  if (t[i + 1] === '[') {
    push('bracket', i);
    return i + 2;
  }
  return undefined;
}

function isEscaped(t: string, i: number): boolean {
  let n = 0;
  for (let k = i - 1; k >= 0 && t[k] === '\\'; k--) n++;
  return n % 2 === 1;
}

/** The quote at `i` opens the script of `sh -c` (bash, dash…): a second shell reads it again. */
function followsDashC(t: string, i: number): boolean {
  return /(^|[\s;&|(/])(sh|bash|dash|zsh|ksh|ash)([ \t]+-[A-Za-z]+)*[ \t]+-[A-Za-z]*c[ \t]+$/.test(t.slice(Math.max(0, i - 80), i));
}
