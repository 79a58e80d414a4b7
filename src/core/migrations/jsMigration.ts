// Tells a Knex migration from a node-pg-migrate one by parsing the file and looking at what
// its exported `up` does with its first argument: Knex code reaches through `knex.schema`,
// `knex.raw`, `knex('table')`; node-pg-migrate calls builder methods straight on `pgm`.
import { parseWithBabel as parse } from './babelParser';
import type * as t from '@babel/types';

export type JsTool = 'knex' | 'node-pg-migrate';

export interface JsInspection {
  tool?: JsTool;
  /** Why we think so, for the problem text when the folder says otherwise. */
  evidence?: string;
  hasUp: boolean;
  hasDown: boolean;
  /** node-pg-migrate's way of saying "irreversible". */
  downIsFalse: boolean;
  syntaxError?: { line: number; column: number; message: string };
}

const KNEX_MEMBERS = new Set([
  'schema', 'raw', 'transaction', 'fn', 'ref', 'select', 'insert', 'update', 'del', 'delete', 'from', 'into',
  'table', 'batchInsert', 'client', 'queryBuilder', 'with', 'where', 'truncate',
]);
const PGM_MEMBERS = new Set([
  'createTable', 'dropTable', 'renameTable', 'alterTable', 'addColumns', 'addColumn', 'dropColumns', 'dropColumn',
  'renameColumn', 'alterColumn', 'addConstraint', 'createConstraint', 'dropConstraint', 'renameConstraint',
  'createIndex', 'addIndex', 'dropIndex', 'createType', 'dropType', 'addType', 'renameType', 'addTypeValue',
  'addTypeAttribute', 'addTypeAttributes', 'renameTypeValue', 'createFunction', 'dropFunction', 'renameFunction',
  'createTrigger', 'dropTrigger', 'renameTrigger', 'createSchema', 'dropSchema', 'renameSchema', 'createExtension',
  'addExtension', 'dropExtension', 'createSequence', 'dropSequence', 'alterSequence', 'renameSequence', 'createView',
  'dropView', 'alterView', 'renameView', 'createMaterializedView', 'dropMaterializedView',
  'refreshMaterializedView', 'createPolicy', 'dropPolicy', 'alterPolicy', 'createRole', 'dropRole', 'alterRole',
  'createDomain', 'dropDomain', 'alterDomain', 'createOperator', 'dropOperator', 'sql', 'func', 'noTransaction',
  'db', 'grantRoles', 'revokeRoles', 'grantOnTables', 'grantOnSchemas', 'createCast', 'dropCast',
]);

type FunctionNode = t.FunctionDeclaration | t.FunctionExpression | t.ArrowFunctionExpression | t.ObjectMethod;

function isFunction(n: t.Node | null | undefined): n is FunctionNode {
  return (
    !!n &&
    (n.type === 'FunctionDeclaration' ||
      n.type === 'FunctionExpression' ||
      n.type === 'ArrowFunctionExpression' ||
      n.type === 'ObjectMethod')
  );
}

function memberName(m: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  if (!m.computed && m.property.type === 'Identifier') return m.property.name;
  if (m.property.type === 'StringLiteral') return m.property.value;
  return undefined;
}

function isExportsTarget(n: t.Node): string | undefined {
  // exports.up / module.exports.up
  if (n.type !== 'MemberExpression') return undefined;
  const name = memberName(n);
  const obj = n.object;
  if (obj.type === 'Identifier' && obj.name === 'exports') return name;
  if (obj.type === 'MemberExpression' && obj.object.type === 'Identifier' && obj.object.name === 'module' && memberName(obj) === 'exports') {
    return name;
  }
  return undefined;
}

function isModuleExports(n: t.Node): boolean {
  return n.type === 'MemberExpression' && n.object.type === 'Identifier' && n.object.name === 'module' && memberName(n) === 'exports';
}

/** Visits every AST node below `node` (the parser's own node shape: objects with a `type`). */
function walk(node: t.Node, visit: (n: t.Node) => void): void {
  visit(node);
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof v === 'object' && typeof (v as t.Node).type === 'string') walk(v as t.Node, visit);
    } else if (value && typeof value === 'object' && typeof (value as t.Node).type === 'string') {
      walk(value as t.Node, visit);
    }
  }
}

interface Exported {
  up?: t.Node;
  down?: t.Node;
}

function collectExports(program: t.Program): Exported {
  const locals = new Map<string, t.Node>();
  for (const s of program.body) {
    if (s.type === 'FunctionDeclaration' && s.id) locals.set(s.id.name, s);
    if (s.type === 'VariableDeclaration') {
      for (const d of s.declarations) if (d.id.type === 'Identifier' && d.init) locals.set(d.id.name, d.init);
    }
    if (s.type === 'ExportNamedDeclaration' && s.declaration) {
      const d = s.declaration;
      if (d.type === 'FunctionDeclaration' && d.id) locals.set(d.id.name, d);
      if (d.type === 'VariableDeclaration') {
        for (const v of d.declarations) if (v.id.type === 'Identifier' && v.init) locals.set(v.id.name, v.init);
      }
    }
  }
  const resolve = (n: t.Node): t.Node => (n.type === 'Identifier' ? (locals.get(n.name) ?? n) : n);
  const out: Exported = {};
  const take = (name: string | undefined, value: t.Node): void => {
    if (name === 'up' || name === 'down') out[name] = resolve(value);
  };
  const fromObject = (o: t.ObjectExpression): void => {
    for (const p of o.properties) {
      if (p.type === 'ObjectMethod' && p.key.type === 'Identifier') take(p.key.name, p);
      if (p.type === 'ObjectProperty' && p.key.type === 'Identifier') take(p.key.name, p.value);
    }
  };

  for (const s of program.body) {
    if (s.type === 'ExpressionStatement' && s.expression.type === 'AssignmentExpression') {
      const { left, right } = s.expression;
      const name = isExportsTarget(left);
      if (name) take(name, right);
      else if (isModuleExports(left) && right.type === 'ObjectExpression') fromObject(right);
    }
    if (s.type === 'ExportNamedDeclaration') {
      const d = s.declaration;
      if (d?.type === 'FunctionDeclaration' && d.id) take(d.id.name, d);
      if (d?.type === 'VariableDeclaration') {
        for (const v of d.declarations) if (v.id.type === 'Identifier' && v.init) take(v.id.name, v.init);
      }
      for (const sp of s.specifiers) {
        if (sp.type === 'ExportSpecifier' && sp.exported.type === 'Identifier') {
          take(sp.exported.name, locals.get(sp.local.name) ?? sp.local);
        }
      }
    }
    if (s.type === 'ExportDefaultDeclaration' && s.declaration.type === 'ObjectExpression') fromObject(s.declaration);
  }
  return out;
}

function typeName(param: t.Node): string | undefined {
  if (param.type !== 'Identifier' || !param.typeAnnotation || param.typeAnnotation.type !== 'TSTypeAnnotation') return undefined;
  const ann = param.typeAnnotation.typeAnnotation;
  if (ann.type !== 'TSTypeReference') return undefined;
  const n = ann.typeName;
  return n.type === 'Identifier' ? n.name : n.right.name;
}

/** What `up` does with its first parameter. */
function judgeUp(fn: FunctionNode): { tool?: JsTool; evidence?: string } {
  const param = fn.params[0];
  if (!param || param.type !== 'Identifier') return {};
  const p = param.name;
  let verdict: { tool?: JsTool; evidence?: string } = {};
  walk(fn.body, (n) => {
    if (verdict.tool) return;
    if ((n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') && n.object.type === 'Identifier' && n.object.name === p) {
      const m = memberName(n);
      if (m && KNEX_MEMBERS.has(m)) verdict = { tool: 'knex', evidence: `up calls ${p}.${m}` };
      else if (m && PGM_MEMBERS.has(m)) verdict = { tool: 'node-pg-migrate', evidence: `up calls ${p}.${m}` };
    }
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === p) {
      verdict = { tool: 'knex', evidence: `up calls ${p}(…) as a query builder` };
    }
  });
  if (verdict.tool) return verdict;
  const type = typeName(param);
  if (type === 'Knex') return { tool: 'knex', evidence: `up takes a ${type}` };
  if (type === 'MigrationBuilder') return { tool: 'node-pg-migrate', evidence: `up takes a ${type}` };
  return {};
}

function judgeModule(program: t.Program, fileText: string): { tool?: JsTool; evidence?: string } {
  let verdict: { tool?: JsTool; evidence?: string } = {};
  walk(program, (n) => {
    if (verdict.tool) return;
    let source: string | undefined;
    if (n.type === 'ImportDeclaration') source = n.source.value;
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'StringLiteral') {
      source = n.arguments[0].value;
    }
    if (source === 'knex') verdict = { tool: 'knex', evidence: 'imports knex' };
    if (source === 'node-pg-migrate') verdict = { tool: 'node-pg-migrate', evidence: 'imports node-pg-migrate' };
    if (n.type === 'AssignmentExpression' && isExportsTarget(n.left) === 'shorthands') {
      verdict = { tool: 'node-pg-migrate', evidence: 'exports shorthands' };
    }
  });
  if (verdict.tool) return verdict;
  if (/\bexport\s+(const|let|var)\s+shorthands\b/.test(fileText)) return { tool: 'node-pg-migrate', evidence: 'exports shorthands' };
  return {};
}

export function inspectJsMigration(text: string): JsInspection {
  let ast: t.File;
  try {
    ast = parse(text, { sourceType: 'unambiguous', plugins: ['typescript'], allowReturnOutsideFunction: true });
  } catch (e) {
    const err = e as { message?: string; loc?: { line: number; column: number } };
    const message = (err.message ?? String(e)).replace(/\s*\(\d+:\d+\)$/, '');
    return {
      hasUp: false,
      hasDown: false,
      downIsFalse: false,
      syntaxError: { line: err.loc?.line ?? 1, column: (err.loc?.column ?? 0) + 1, message },
    };
  }
  const exported = collectExports(ast.program);
  const up = exported.up;
  const down = exported.down;
  const downIsFalse = down?.type === 'BooleanLiteral' && !down.value;
  const result: JsInspection = { hasUp: isFunction(up), hasDown: isFunction(down), downIsFalse };
  let verdict = isFunction(up) ? judgeUp(up) : {};
  if (!verdict.tool) verdict = judgeModule(ast.program, text);
  if (!verdict.tool && isFunction(up) && up.params[0]?.type === 'Identifier') {
    const name = up.params[0].name;
    if (name === 'knex') verdict = { tool: 'knex', evidence: 'up names its argument knex' };
    if (name === 'pgm') verdict = { tool: 'node-pg-migrate', evidence: 'up names its argument pgm' };
  }
  return { ...result, ...verdict };
}
