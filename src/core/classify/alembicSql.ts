// What SQL an Alembic `execute(...)` argument runs: a literal (plain, f-string without
// fields, sa.text(...), a variable or parameter bound to one, literals joined with +), a
// SQLAlchemy Core/ORM statement (`t.delete()`, `sa.update(t).values(...)`,
// `session.query(M).delete()`) translated to the statement it emits, or "built at run
// time" with the reason, so it is never taken for safe.

import type { SyntaxNode } from '@lezer/common';
import { asName, type PyModule } from './pyReader';
import { quoteIdent } from './sqlNames';

/** A name's binding: an expression (read in the scope where it was written) or a run-time value. */
export type Binding = { node: SyntaxNode; scope: ArgumentScope } | { runtime: string };

export interface ArgumentScope {
  values: Map<string, Binding>;
}

export type SqlArgument =
  | { kind: 'sql'; value: string; contentStart: number }
  | { kind: 'runtime'; why: string; hint?: string };

const MAX_RESOLVE = 12;

function inner(n: SyntaxNode): SyntaxNode {
  let c = n;
  while (c.name === 'ParenthesizedExpression') {
    let x = c.firstChild;
    while (x && (x.name === '(' || x.name === ')')) x = x.nextSibling;
    if (!x) break;
    c = x;
  }
  return c;
}

function firstArgOf(call: SyntaxNode): SyntaxNode | undefined {
  for (let c = call.getChild('ArgList')?.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === ',') continue;
    return c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp' ? undefined : c;
  }
  return undefined;
}

/** "Its fixed text begins …": what can still be read of a string completed at run time. */
function fixedHint(mod: PyModule, n: SyntaxNode | null | undefined): string | undefined {
  if (!n) return undefined;
  const raw = mod.reader.text(n).replace(/^[rRbBuUfF]{0,2}('''|"""|'|")/, '');
  const fixed = raw.split(/\{|%[sdr(]/)[0].replace(/\s+/g, ' ').trim();
  const verb = /^(\w+)/.exec(fixed)?.[1];
  return verb ? `Its fixed text begins "${fixed.slice(0, 40)}", so it is probably a${/^[aeiou]/i.test(verb) ? 'n' : ''} ${verb.toUpperCase()}.` : undefined;
}

export function sqlOfArgument(node: SyntaxNode, mod: PyModule, scope: ArgumentScope, depth = 0): SqlArgument {
  const n = inner(node);
  const { reader } = mod;
  const text = reader.text(n);
  if (depth > MAX_RESOLVE) return { kind: 'runtime', why: `${text} is bound through more than ${MAX_RESOLVE} names` };
  switch (n.name) {
    case 'String':
    case 'ContinuedString':
    case 'FormatString': {
      const v = reader.value(n);
      if (v.kind === 'str') return { kind: 'sql', value: v.value, contentStart: v.contentStart };
      const fields = n.getChildren('FormatReplacement');
      const filled = fillFormatString(n, fields, mod, scope, depth);
      if (filled !== undefined) return { kind: 'sql', value: filled, contentStart: n.from + (/^[rRfF]{1,2}('''|"""|'|")/.exec(text)?.[0].length ?? 2) };
      return { kind: 'runtime', why: `an f-string that fills in ${fields.map((r) => reader.text(r)).join(', ')}`, hint: fixedHint(mod, n) };
    }
    case 'CallExpression': {
      const callee = n.firstChild!;
      const calleeText = reader.text(callee);
      if (/(^|\.)text$/.test(calleeText)) {
        const a = firstArgOf(n);
        return a ? sqlOfArgument(a, mod, scope, depth + 1) : { kind: 'runtime', why: `${calleeText}() without a literal` };
      }
      if (callee.name === 'MemberExpression') {
        const method = reader.text(callee.getChild('PropertyName') ?? callee);
        if (method === 'format') return { kind: 'runtime', why: 'a string filled in with .format()', hint: fixedHint(mod, callee.firstChild) };
        if (['bindparams', 'columns', 'execution_options', 'strip', 'rstrip', 'lstrip'].includes(method) && callee.firstChild) {
          return sqlOfArgument(callee.firstChild, mod, scope, depth + 1);
        }
        if (method === 'join') return { kind: 'runtime', why: 'pieces joined with str.join()' };
      }
      return { kind: 'runtime', why: `the value returned by ${calleeText}()` };
    }
    case 'BinaryExpression': {
      const op = n.getChild('ArithOp');
      const left = n.firstChild;
      const right = n.lastChild;
      if (op && reader.text(op) === '%') return { kind: 'runtime', why: 'a string filled in with %-formatting', hint: fixedHint(mod, left) };
      if (op && reader.text(op) === '+' && left && right) {
        const a = sqlOfArgument(left, mod, scope, depth + 1);
        const b = sqlOfArgument(right, mod, scope, depth + 1);
        if (a.kind === 'sql' && b.kind === 'sql') return { kind: 'sql', value: a.value + b.value, contentStart: a.contentStart };
        const bad = a.kind === 'runtime' ? a : (b as { why: string });
        return { kind: 'runtime', why: `strings joined with +, one of them ${bad.why}`, hint: a.kind === 'sql' ? fixedHint(mod, left) : undefined };
      }
      return { kind: 'runtime', why: `the expression ${text.slice(0, 60)}` };
    }
    case 'VariableName': {
      const b = scope.values.get(text);
      if (b && 'runtime' in b) return { kind: 'runtime', why: b.runtime };
      if (b) return sqlOfArgument(b.node, mod, b.scope, depth + 1);
      const c = mod.constants.get(text);
      if (c === 'reassigned') return { kind: 'runtime', why: `the module variable ${text}, assigned more than once` };
      if (c) return sqlOfArgument(c, mod, { values: new Map() }, depth + 1);
      return { kind: 'runtime', why: `the variable ${text}, which is not bound to a literal in this module` };
    }
    default:
      return { kind: 'runtime', why: `the expression ${text.slice(0, 60)}` };
  }
}

/** The expression a name stands for (a statement built first, executed after), else the node itself. */
function resolved(node: SyntaxNode, mod: PyModule, scope: ArgumentScope): SyntaxNode {
  let n = inner(node);
  let s = scope;
  for (let i = 0; i < MAX_RESOLVE && n.name === 'VariableName'; i++) {
    const b = s.values.get(mod.reader.text(n));
    if (!b || 'runtime' in b) break;
    n = inner(b.node);
    s = b.scope;
  }
  return n;
}

/** An f-string whose every `{name}` is bound to a literal (a loop over a literal list, a parameter given one): its text. */
function fillFormatString(n: SyntaxNode, fields: SyntaxNode[], mod: PyModule, scope: ArgumentScope, depth: number): string | undefined {
  const raw = mod.reader.text(n);
  const open = /^[rRfF]{1,2}('''|"""|'|")/.exec(raw);
  if (!open) return undefined;
  let out = '';
  let at = n.from + open[0].length;
  for (const f of fields) {
    const inner = f.firstChild?.nextSibling;
    if (!inner || inner.name !== 'VariableName' || inner.nextSibling?.name !== '}') return undefined;
    const v = sqlOfArgument(inner, mod, scope, depth + 1);
    if (v.kind !== 'sql') return undefined;
    out += mod.src.slice(at, f.from) + v.value;
    at = f.to;
  }
  out += mod.src.slice(at, n.to - open[1].length);
  return out.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
}

/** `sa.table('accounts', …)` / `Table('accounts', meta, …)` bound to a name, or `Model.__table__`. */
function tableName(node: SyntaxNode | undefined, mod: PyModule, scope: ArgumentScope, depth = 0): string {
  if (!node || depth > MAX_RESOLVE) return '?';
  const n = inner(node);
  const text = mod.reader.text(n);
  if (n.name === 'VariableName') {
    const b = scope.values.get(text);
    if (b && 'node' in b) return tableName(b.node, mod, b.scope, depth + 1);
    const c = mod.constants.get(text);
    if (c && c !== 'reassigned') return tableName(c, mod, { values: new Map() }, depth + 1);
    return text;
  }
  if (n.name === 'CallExpression' && /(^|\.)(table|Table)$/.test(mod.reader.text(n.firstChild!))) {
    const v = mod.reader.value(n);
    if (v.kind === 'call') {
      const name = asName(v.args.positional[0]);
      const schema = asName(v.args.keywords.get('schema'));
      if (name) return schema ? `${schema}.${name}` : name;
    }
  }
  return text.replace(/\.__table__$/, '');
}

function quoteTable(t: string): string {
  return t.split('.').map(quoteIdent).join('.');
}

const STATEMENT_METHODS = new Set(['delete', 'update', 'insert', 'select']);

/**
 * The statement a SQLAlchemy expression emits, or undefined when `node` is not one:
 * `t.delete().where(…)`, `sa.update(t).values(a=…)`, `sa.insert(t)`, `session.query(M).filter(…).delete()`.
 */
export function sqlaStatement(node: SyntaxNode, mod: PyModule, scope: ArgumentScope, options: { ormOnly?: boolean } = {}): string | undefined {
  const { reader } = mod;
  const calls: Array<{ method: string; call: SyntaxNode }> = [];
  let cur: SyntaxNode | null = resolved(node, mod, scope);
  while (cur?.name === 'CallExpression' && cur.firstChild?.name === 'MemberExpression') {
    const member: SyntaxNode = cur.firstChild;
    calls.unshift({ method: reader.text(member.getChild('PropertyName') ?? member), call: cur });
    cur = member.firstChild;
  }
  if (!cur) return undefined;
  let kind: string | undefined;
  let table: string | undefined;
  const rootText = reader.text(cur);
  // Bare `delete(t)` imported from sqlalchemy.
  if (cur.name === 'CallExpression' && cur.firstChild?.name === 'VariableName') {
    const fname = reader.text(cur.firstChild);
    if (STATEMENT_METHODS.has(fname) && /^sqlalchemy/.test(mod.imports.get(fname) ?? '')) {
      kind = fname;
      table = tableName(firstArgOf(cur), mod, scope);
    }
  }
  const first = calls[0];
  if (options.ormOnly) kind = undefined;
  if (!kind && !options.ormOnly && first && STATEMENT_METHODS.has(first.method)) {
    kind = first.method;
    table = /^(sa|sqlalchemy)$/.test(rootText) ? tableName(firstArgOf(first.call), mod, scope) : tableName(cur, mod, scope);
  }
  // session.query(M)….delete() / .update({...})
  const last = calls[calls.length - 1];
  if (!kind && first?.method === 'query' && last && (last.method === 'delete' || last.method === 'update')) {
    kind = last.method;
    table = tableName(firstArgOf(first.call), mod, scope);
  }
  if (!kind || !table) return undefined;
  const t = quoteTable(table);
  if (kind === 'delete') return `DELETE FROM ${t}`;
  if (kind === 'insert') return `INSERT INTO ${t} DEFAULT VALUES`;
  if (kind === 'select') return 'SELECT 1';
  const values = calls.find((c) => c.method === 'values');
  const cols: string[] = [];
  for (let c = values?.call.getChild('ArgList')?.firstChild; c; c = c.nextSibling) {
    if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') cols.push(reader.text(c));
  }
  // Columns the reader cannot see stay unnamed, so the update is never taken for a backfill of a new column.
  return `UPDATE ${t} SET ${(cols.length ? cols : ['(columns not visible)']).map((c) => `${quoteIdent(c)} = NULL`).join(', ')}`;
}
