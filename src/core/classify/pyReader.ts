// A small reader over @lezer/python trees: literal values, call arguments and names, as the
// Alembic analysis needs them (shared by the operation translator and the call walker).

import type { SyntaxNode } from '@lezer/common';

export type PyValue =
  | { kind: 'str'; value: string; node: SyntaxNode; contentStart: number; exact: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'call'; callee: string; args: Args; node: SyntaxNode }
  | { kind: 'name'; value: string }
  | { kind: 'other'; text: string };

export interface Args {
  positional: PyValue[];
  keywords: Map<string, PyValue>;
}

export class PyReader {
  constructor(private readonly src: string) {}

  text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  /** A Python string literal's value and where its content starts (for positions inside it). */
  str(n: SyntaxNode): PyValue {
    const raw = this.text(n);
    const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(raw);
    if (!m) return { kind: 'other', text: raw };
    const quote = m[2];
    const body = raw.slice(m[0].length, raw.length - quote.length);
    const isRaw = /r/i.test(m[1]);
    const value = isRaw ? body : body.replace(/\\(n|t|'|"|\\)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
    return { kind: 'str', value, node: n, contentStart: n.from + m[0].length, exact: value === body };
  }

  value(n: SyntaxNode): PyValue {
    switch (n.name) {
      case 'String':
        return this.str(n);
      case 'ContinuedString': {
        // Adjacent literals ("a" "b") concatenate.
        const parts: string[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) {
          const v = this.str(c);
          if (v.kind === 'str') parts.push(v.value);
        }
        return { kind: 'str', value: parts.join(''), node: n, contentStart: n.from + 1, exact: false };
      }
      case 'FormatString': {
        // An f-string without {…} is a plain literal; with one, its text is only known at run time.
        if (n.getChild('FormatReplacement')) return { kind: 'other', text: this.text(n) };
        const raw = this.text(n);
        const m = /^([rRfF]{1,2})('''|"""|'|")/.exec(raw);
        if (!m) return { kind: 'other', text: raw };
        const body = raw.slice(m[0].length, raw.length - m[2].length).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
        return { kind: 'str', value: body, node: n, contentStart: n.from + m[0].length, exact: false };
      }
      case 'Boolean':
        return { kind: 'bool', value: this.text(n) === 'True' };
      case 'None':
        return { kind: 'none' };
      case 'ArrayExpression':
      case 'TupleExpression': {
        const items: PyValue[] = [];
        for (let c = n.firstChild; c; c = c.nextSibling) if (!/^[[\](),]$/.test(c.name)) items.push(this.value(c));
        return { kind: 'list', items };
      }
      case 'CallExpression': {
        const callee = n.firstChild!;
        const argList = n.getChild('ArgList');
        return { kind: 'call', callee: this.text(callee), args: argList ? this.args(argList) : { positional: [], keywords: new Map() }, node: n };
      }
      case 'VariableName':
      case 'MemberExpression':
        return { kind: 'name', value: this.text(n) };
      default:
        return { kind: 'other', text: this.text(n) };
    }
  }

  args(argList: SyntaxNode): Args {
    const positional: PyValue[] = [];
    const keywords = new Map<string, PyValue>();
    for (let c = argList.firstChild; c; c = c.nextSibling) {
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp' && c.nextSibling.nextSibling) {
        keywords.set(this.text(c), this.value(c.nextSibling.nextSibling));
        c = c.nextSibling.nextSibling;
        continue;
      }
      positional.push(this.value(c));
    }
    return { positional, keywords };
  }
}

export function asName(v: PyValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'str') return v.value;
  // op.f('name') marks a name as final (no naming convention applied).
  if (v.kind === 'call' && /(^|\.)f$/.test(v.callee)) return asName(v.args.positional[0]);
  return undefined;
}

export function asNames(v: PyValue | undefined): string[] {
  if (!v) return [];
  if (v.kind === 'list') return v.items.map(asName).filter((s): s is string => !!s);
  const one = asName(v);
  return one ? [one] : [];
}

/** What a module defines, for following calls from upgrade() into its helpers. */
export interface PyModule {
  src: string;
  reader: PyReader;
  /** Module-level functions by name (their FunctionDefinition nodes). */
  functions: Map<string, SyntaxNode>;
  /** Local name → module it was imported from. */
  imports: Map<string, string>;
  /** Module-level NAME = <expr>, assigned once (a second assignment makes it run-time). */
  constants: Map<string, SyntaxNode | 'reassigned'>;
}
