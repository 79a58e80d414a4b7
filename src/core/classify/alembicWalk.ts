// Walks an Alembic upgrade()/downgrade() body and collects the database work it does:
// `op.*` calls, SQL run through a connection (`op.get_bind().execute(...)`,
// `conn.execute(sa.text(...))`, a Session), and the same inside helper functions of the
// module that upgrade() calls, with `op` or the connection passed along. Data migrations
// are written this way far more often than inline, so reading only inline `op.*` calls
// would call them "runs no operations". SQL whose text is only known at run time, calls
// into other modules and recursive helpers become "unknown" findings with the reason.

import type { SyntaxNode } from '@lezer/common';
import { opToSql, typeSql } from './alembicOps';
import type { MigrationOp } from './opAnalysis';
import { sqlOfArgument, sqlaStatement, type ArgumentScope } from './alembicSql';
import { asName, type PyModule, type PyReader, type PyValue } from './pyReader';
import { lineColumnAt } from './textPosition';

/** How deep helper calls are followed; deeper chains are reported, not guessed. */
export const MAX_HELPER_DEPTH = 8;

/** Modules whose functions do no database work of the migration's own (imports of types, logging …). */
const HARMLESS_MODULES = /^(alembic|sqlalchemy|sa|typing|typing_extensions|logging|datetime|json|uuid|os|re|enum|decimal|time|math|collections|functools|itertools|textwrap|dataclasses|__future__|warnings|sys|pathlib|string|random|hashlib|base64|copy)(\.|$)/;

/** Method calls on a connection or Session that change nothing by themselves. */
const QUIET_CONNECTION_METHODS = new Set(['commit', 'close', 'flush', 'begin', 'begin_nested', 'rollback', 'connect', 'execution_options', 'scalar', 'scalars', 'get_bind', 'expunge_all', 'expire_all', 'query', 'fetchall', 'fetchone', 'first', 'all', 'mappings']);

interface Scope extends ArgumentScope {
  ops: Set<string>;
  conns: Set<string>;
  batch: Map<string, string>;
  /** upgrade() → _purge() …, for recursion and for "reached through" in the reason. */
  chain: string[];
  direction: 'up' | 'down';
  localFns: Map<string, SyntaxNode>;
}

export function readModule(tree: SyntaxNode, src: string, reader: PyReader): PyModule {
  const mod: PyModule = { src, reader, functions: new Map(), imports: new Map(), constants: new Map() };
  for (let c = tree.firstChild; c; c = c.nextSibling) {
    const fn = c.name === 'DecoratedStatement' ? c.getChild('FunctionDefinition') : c;
    if (fn?.name === 'FunctionDefinition') {
      const id = fn.getChild('VariableName');
      if (id) mod.functions.set(reader.text(id), fn);
    } else if (c.name === 'ImportStatement') {
      readImport(c, reader, mod.imports);
    } else if (c.name === 'AssignStatement') {
      const target = c.firstChild;
      const rhs = c.lastChild;
      if (target?.name === 'VariableName' && target.nextSibling?.name === 'AssignOp' && rhs && rhs !== target) {
        const name = reader.text(target);
        mod.constants.set(name, mod.constants.has(name) ? 'reassigned' : rhs);
      }
    }
  }
  return mod;
}

/** `from a.b import f as g` → g: a.b; `import a.b as m` → m: a.b; `import a.b` → a: a. */
function readImport(n: SyntaxNode, reader: PyReader, out: Map<string, string>): void {
  const parts: string[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) parts.push(c.name === 'VariableName' ? `#${reader.text(c)}` : reader.text(c));
  const text = parts.join(' ');
  const from = /^from ((?:#\S+|\.| )+?) import (.*)$/.exec(text);
  const name = (s: string) => s.replace(/#/g, '').replace(/ /g, '');
  if (from) {
    const module = name(from[1]);
    for (const item of from[2].split(',')) {
      const m = /#(\S+)(?: as #(\S+))?/.exec(item.replace(/[()]/g, ''));
      if (m) out.set(m[2] ?? m[1], module);
    }
    return;
  }
  for (const item of text.replace(/^import /, '').split(',')) {
    const m = /^\s*((?:#\S+ ?\.? ?)+?)(?: as #(\S+))?\s*$/.exec(item);
    if (!m) continue;
    const full = name(m[1]);
    out.set(m[2] ?? full.split('.')[0], full);
  }
}

function opCall(n: SyntaxNode, opName: string, batchTable: string | undefined, mod: PyModule, scope: Scope): MigrationOp {
  const base = baseOp(n, mod, scope);
  const v = mod.reader.value(n);
  const raw = v.kind === 'call' ? v.args : { positional: [], keywords: new Map<string, PyValue>() };
  // A helper's parameter bound to a literal ('legacy' passed as table) reads as that literal.
  const literal = (a: PyValue): PyValue => {
    if (a.kind !== 'name' || !/^\w+$/.test(a.value) || !scope.values.has(a.value)) return a;
    const list = n.getChild('ArgList');
    let node: SyntaxNode | null = list?.firstChild ?? null;
    while (node && !(node.name === 'VariableName' && mod.reader.text(node) === a.value)) node = node.nextSibling;
    const r = node ? sqlOfArgument(node, mod, scope) : undefined;
    return r?.kind === 'sql' ? { kind: 'str', value: r.value, node: node!, contentStart: r.contentStart, exact: true } : a;
  };
  const args = { positional: raw.positional.map(literal), keywords: new Map([...raw.keywords].map(([k, x]) => [k, literal(x)])) };
  if (opName === 'execute') return executeOp(n, base, mod, scope, 'op.execute');
  const r = opToSql(opName, args, batchTable);
  if (r.sql && opName === 'alter_column' && args.keywords.has('existing_type')) {
    // existing_type= names the type before this migration: a widening can then be told from a narrowing.
    const table = asName(batchTable ? { kind: 'str', value: batchTable } as PyValue : args.positional[0]);
    const column = asName(batchTable ? args.positional[0] : args.positional[1]);
    const schema = asName(args.keywords.get('schema'));
    if (table && column) return { ...base, sql: r.sql, beforeTypes: [[`${schema ? `${schema}.` : ''}${table}.${column}`, typeSql(args.keywords.get('existing_type'))]] };
  }
  if (r.sql) return { ...base, sql: r.sql };
  if (r.safe) return { ...base, safeReason: r.safe, rule: opName === 'bulk_insert' ? 'inserting-data' : 'no-effect-on-old-code' };
  return { ...base, rule: 'not-analysable', unknownReason: `${r.unknown ?? `op.${opName}`}: review by hand.` };
}

function chainText(chain: string[]): string {
  return chain.map((c) => `${c}()`).join(' → ');
}

function baseOp(n: SyntaxNode, mod: PyModule, scope: Scope): MigrationOp {
  const at = lineColumnAt(mod.src, n.from);
  const op: MigrationOp = { direction: scope.direction, source: mod.reader.text(n), line: at.line, column: at.column };
  if (scope.chain.length > 1) op.via = chainText(scope.chain);
  return op;
}

function firstArg(call: SyntaxNode): SyntaxNode | undefined {
  const list = call.getChild('ArgList');
  for (let c = list?.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === ',') continue;
    if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') return undefined;
    return c;
  }
  return undefined;
}

/**
 * SQLAlchemy's text() binds `:name` parameters (values come with the call); PostgreSQL's parser
 * reads `$1` in their place. Padded to the same length, so positions in the file stay right.
 * `::int` casts are not binds.
 */
export function bindsAsParameters(sql: string): string {
  const numbers = new Map<string, number>();
  return sql.replace(/(?<![:\w\\]):([A-Za-z_]\w*)/g, (m, name: string) => {
    if (!numbers.has(name)) numbers.set(name, numbers.size + 1);
    const p = `$${numbers.get(name)}`;
    return p.length <= m.length ? p.padEnd(m.length) : p;
  });
}

/** op.execute(x) / conn.execute(x): literal SQL is parsed; a SQLAlchemy statement is translated; anything else is run-time. */
function executeOp(call: SyntaxNode, base: MigrationOp, mod: PyModule, scope: Scope, what: string): MigrationOp {
  const arg = firstArg(call);
  if (!arg) return { ...base, rule: 'sql-built-at-run-time', unknownReason: `${what}() without a statement argument: review by hand.` };
  const statement = sqlaStatement(arg, mod, scope);
  if (statement) return { ...base, sql: statement };
  const r = sqlOfArgument(arg, mod, scope);
  if (r.kind === 'sql') return { ...base, rawSql: bindsAsParameters(r.value), rawOrigin: lineColumnAt(mod.src, r.contentStart) };
  return {
    ...base,
    rule: 'sql-built-at-run-time',
    unknownReason: `${what} runs SQL built at run time (${r.why}): the classifier cannot tell which statement runs. Review by hand; it is never assumed safe.${r.hint ? ` ${r.hint}` : ''}`,
  };
}

function isConnection(n: SyntaxNode | null | undefined, mod: PyModule, scope: Scope): boolean {
  if (!n) return false;
  const text = mod.reader.text(n).replace(/\s+/g, '');
  if (n.name === 'VariableName') return scope.conns.has(text) || /^(conn|connection|bind|session|db_session)$/.test(text);
  if (n.name === 'CallExpression') {
    const callee = mod.reader.text(n.firstChild!).replace(/\s+/g, '');
    const m = /^(\w+)\.get_bind$/.exec(callee);
    if (m && (scope.ops.has(m[1]) || m[1] === 'context')) return true;
    // Session(bind=…), orm.Session(…), sessionmaker(bind=…)()
    if (/(^|\.)Session$/.test(callee) || /sessionmaker\(.*\)$/.test(callee)) return true;
    const member = n.firstChild;
    if (member?.name === 'MemberExpression' && /^(connect|begin)$/.test(mod.reader.text(member.getChild('PropertyName') ?? member))) {
      return isConnection(member.firstChild, mod, scope);
    }
    return false;
  }
  if (n.name === 'MemberExpression') return /^\w+\.get_context\(\)\.(bind|connection)$/.test(text);
  return false;
}

/** The object a `x.query(…)….delete()` chain starts from. */
function queryRoot(n: SyntaxNode): SyntaxNode | null {
  let cur: SyntaxNode | null = n;
  while (cur?.name === 'CallExpression' && cur.firstChild?.name === 'MemberExpression') cur = cur.firstChild.firstChild;
  return cur;
}

function foreignModule(callee: SyntaxNode, mod: PyModule): { name: string; module: string } | undefined {
  const root = callee.name === 'MemberExpression' ? callee.firstChild : callee;
  if (root?.name !== 'VariableName') return undefined;
  const local = mod.reader.text(root);
  const module = mod.imports.get(local);
  if (!module || HARMLESS_MODULES.test(module) || local === 'op') return undefined;
  const name = mod.reader.text(callee);
  // CapitalisedNames are classes (models, column types), built, not run.
  if (/^[A-Z]/.test(name.split('.').pop() ?? '')) return undefined;
  return { name, module };
}

function paramNames(fn: SyntaxNode, reader: PyReader): string[] {
  const out: string[] = [];
  const list = fn.getChild('ParamList');
  for (let c = list?.firstChild; c; c = c.nextSibling) {
    if (c.name === 'VariableName' && c.prevSibling?.name !== 'AssignOp') out.push(reader.text(c));
  }
  return out;
}

function callArguments(call: SyntaxNode, reader: PyReader): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode> } {
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  const list = call.getChild('ArgList');
  for (let c = list?.firstChild; c; c = c.nextSibling) {
    if (c.name === '(' || c.name === ')' || c.name === ',') continue;
    if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp' && c.nextSibling.nextSibling) {
      keywords.set(reader.text(c), c.nextSibling.nextSibling);
      c = c.nextSibling.nextSibling;
      continue;
    }
    positional.push(c);
  }
  return { positional, keywords };
}

function followHelper(name: string, fn: SyntaxNode, call: SyntaxNode, mod: PyModule, scope: Scope, out: MigrationOp[]): void {
  // The chain is in the message itself, so no "reached through" suffix.
  const base = { ...baseOp(call, mod, scope), via: undefined };
  if (scope.chain.includes(name)) {
    out.push({ ...base, rule: 'recursive-helper', unknownReason: `${name}() is called again from inside itself (${chainText([...scope.chain, name])}): how often it runs is decided at run time. Review by hand.` });
    return;
  }
  if (scope.chain.length >= MAX_HELPER_DEPTH) {
    out.push({ ...base, rule: 'helper-too-deep', unknownReason: `${name}() is ${scope.chain.length} helper calls deep (${chainText(scope.chain)}); calls are followed ${MAX_HELPER_DEPTH} deep at most. Review by hand.` });
    return;
  }
  const inner: Scope = { ops: new Set(['op']), conns: new Set(), batch: new Map(), values: new Map(), chain: [...scope.chain, name], direction: scope.direction, localFns: new Map() };
  const params = paramNames(fn, mod.reader);
  const args = callArguments(call, mod.reader);
  params.forEach((p, i) => {
    const arg = args.keywords.get(p) ?? args.positional[i];
    if (!arg) {
      inner.values.set(p, { runtime: `parameter ${p} of ${name}() keeps its default` });
      return;
    }
    const text = mod.reader.text(arg);
    if (arg.name === 'VariableName' && scope.ops.has(text)) inner.ops.add(p);
    else if (isConnection(arg, mod, scope)) inner.conns.add(p);
    else inner.values.set(p, { node: arg, scope });
  });
  const body = fn.getChild('Body');
  if (body) walk(body, mod, inner, out);
}

function walk(n: SyntaxNode, mod: PyModule, scope: Scope, out: MigrationOp[]): void {
  const { reader } = mod;
  if (n.name === 'FunctionDefinition' || n.name === 'ClassDefinition' || n.name === 'LambdaExpression') {
    // A nested def runs only when called: remember it, read it at the call.
    const id = n.getChild('VariableName');
    if (n.name === 'FunctionDefinition' && id) scope.localFns.set(reader.text(id), n);
    return;
  }
  if (n.name === 'WithStatement') {
    const call = n.getChild('CallExpression');
    const alias = n.getChild('VariableName');
    if (call && alias) {
      const callee = reader.text(call.firstChild!);
      if (/batch_alter_table$/.test(callee)) {
        const v = reader.value(call);
        const t = v.kind === 'call' ? asName(v.args.positional[0]) : undefined;
        if (t) scope.batch.set(reader.text(alias), t);
      } else if (isConnection(call, mod, scope)) scope.conns.add(reader.text(alias));
    }
  }
  if (n.name === 'AssignStatement' || n.name === 'UpdateStatement') {
    const target = n.firstChild;
    const rhs = n.lastChild;
    if (target?.name === 'VariableName' && rhs && rhs !== target) {
      const name = reader.text(target);
      if (n.name === 'UpdateStatement') scope.values.set(name, { runtime: `the variable ${name}, extended with ${reader.text(target.nextSibling ?? target)}` });
      else if (isConnection(rhs, mod, scope)) scope.conns.add(name);
      else if (rhs.name === 'VariableName' && scope.ops.has(reader.text(rhs))) scope.ops.add(name);
      else if (scope.values.has(name)) scope.values.set(name, { runtime: `the variable ${name}, assigned more than once` });
      else scope.values.set(name, { node: rhs, scope });
    }
  }
  if (n.name === 'ForStatement') {
    const vars: string[] = [];
    for (let c = n.firstChild; c && c.name !== 'in'; c = c.nextSibling) if (c.name === 'VariableName') vars.push(reader.text(c));
    if (unrollLoop(n, vars, mod, scope, out)) return;
    for (const v of vars) scope.values.set(v, { runtime: `the loop variable ${v}` });
  }
  if (n.name === 'CallExpression' && visitCall(n, mod, scope, out)) return;
  for (let c = n.firstChild; c; c = c.nextSibling) walk(c, mod, scope, out);
}

/** `for t in ['a', 'b']:` over a short literal list: the body runs once per item, with t bound to it. */
function unrollLoop(n: SyntaxNode, vars: string[], mod: PyModule, scope: Scope, out: MigrationOp[]): boolean {
  let iter: SyntaxNode | null = null;
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name === 'in') iter = c.nextSibling;
  const body = n.getChild('Body');
  if (vars.length !== 1 || !iter || !body || (iter.name !== 'ArrayExpression' && iter.name !== 'TupleExpression')) return false;
  const items: SyntaxNode[] = [];
  for (let c = iter.firstChild; c; c = c.nextSibling) if (!/^[[\](),]$/.test(c.name)) items.push(c);
  if (!items.length || items.length > 20 || !items.every((i) => i.name === 'String')) return false;
  for (const item of items) {
    scope.values.set(vars[0], { node: item, scope });
    walk(body, mod, scope, out);
  }
  scope.values.set(vars[0], { runtime: `the loop variable ${vars[0]}` });
  return true;
}

/** Handles one call; true when its arguments need no further walking. */
function visitCall(n: SyntaxNode, mod: PyModule, scope: Scope, out: MigrationOp[]): boolean {
  const { reader } = mod;
  const callee = n.firstChild!;
  if (callee.name === 'MemberExpression') {
    const obj = callee.firstChild;
    const prop = callee.getChild('PropertyName');
    const objName = obj ? reader.text(obj) : '';
    const method = prop ? reader.text(prop) : '';
    if (prop && (scope.ops.has(objName) || scope.batch.has(objName))) {
      if (['batch_alter_table', 'f', 'get_bind', 'get_context', 'inline_literal', 'implementation_for'].includes(method)) return true;
      out.push(opCall(n, method, scope.batch.get(objName), mod, scope));
      return true;
    }
    if (prop && isConnection(obj, mod, scope)) {
      if (method === 'execute' || method === 'exec_driver_sql') {
        out.push(executeOp(n, baseOp(n, mod, scope), mod, scope, `${objName}.${method}`));
        return true;
      }
      if (QUIET_CONNECTION_METHODS.has(method)) return false;
      out.push({ ...baseOp(n, mod, scope), rule: 'orm-call', unknownReason: `${objName}.${method}() changes rows through SQLAlchemy's ORM or connection API, which the classifier does not translate: review by hand.` });
      return true;
    }
    // session.query(M).filter(...).delete() / .update(...): a bulk change through the ORM.
    const orm = sqlaStatement(n, mod, scope, { ormOnly: true });
    if (orm && isConnection(queryRoot(n), mod, scope)) {
      out.push({ ...baseOp(n, mod, scope), sql: orm });
      return true;
    }
  }
  if (callee.name === 'VariableName') {
    const name = reader.text(callee);
    const fn = scope.localFns.get(name) ?? mod.functions.get(name);
    if (fn) {
      followHelper(name, fn, n, mod, scope, out);
      return false;
    }
  }
  // globals()["upgrade_%s" % engine_name]() (Alembic's multidb template): every such function may run.
  if (callee.name === 'MemberExpression' && /^globals\(\)\s*\[/.test(reader.text(callee))) {
    const prefix = scope.direction === 'up' ? 'upgrade_' : 'downgrade_';
    const targets = [...mod.functions.keys()].filter((f) => f.startsWith(prefix));
    if (!targets.length) out.push({ ...baseOp(n, mod, scope), rule: 'helper-chosen-at-run-time', unknownReason: `${reader.text(callee)}() calls a function chosen at run time, and no ${prefix}* function is defined here: review by hand.` });
    for (const t of targets) followHelper(t, mod.functions.get(t)!, n, mod, scope, out);
    return true;
  }
  const foreign = foreignModule(callee, mod);
  if (foreign) {
    out.push({ ...baseOp(n, mod, scope), rule: 'helper-in-other-module', unknownReason: `${foreign.name}() is defined in module ${foreign.module}, which the classifier does not read: it may change the database. Review by hand.` });
    return true;
  }
  return false;
}

/** Every database operation upgrade() (or downgrade()) runs, helpers included. */
export function collectOps(fnName: string, body: SyntaxNode, mod: PyModule, direction: 'up' | 'down'): MigrationOp[] {
  const out: MigrationOp[] = [];
  walk(body, mod, { ops: new Set(['op']), conns: new Set(), batch: new Map(), values: new Map(), chain: [fnName], direction, localFns: new Map() }, out);
  return out;
}
