// Generic walks over a Babel AST of a JS/TS migration: where up()/down() are, and a visit of every node.

/* eslint-disable @typescript-eslint/no-explicit-any -- Babel AST nodes are walked generically */

/** Finds `up`/`down` in `exports.up = …`, `module.exports = { up, down }`, `export async function up` or `export const up = …`. */
export function migrationFunctions(ast: any): Map<string, any> {
  const fns = new Map<string, any>();
  const local = new Map<string, any>();
  const isFn = (n: any) => n && /FunctionExpression|ArrowFunctionExpression|FunctionDeclaration/.test(n.type);
  for (const s of ast.program.body) {
    if (s.type === 'FunctionDeclaration' && s.id) local.set(s.id.name, s);
    if (s.type === 'VariableDeclaration') for (const d of s.declarations) if (isFn(d.init)) local.set(d.id.name, d.init);
    if (s.type === 'ExportNamedDeclaration' && s.declaration) {
      const d = s.declaration;
      if (d.type === 'FunctionDeclaration' && d.id) fns.set(d.id.name, d);
      if (d.type === 'VariableDeclaration') for (const v of d.declarations) if (isFn(v.init)) fns.set(v.id.name, v.init);
    }
    if (s.type === 'ExpressionStatement' && s.expression.type === 'AssignmentExpression') {
      const { left, right } = s.expression;
      const target = left.type === 'MemberExpression' ? left.property.name : undefined;
      if ((target === 'up' || target === 'down') && (isFn(right) || right.type === 'Identifier')) fns.set(target, right);
      if (target === 'exports' && right.type === 'ObjectExpression') {
        for (const p of right.properties) {
          const key = p.key?.name;
          if (key === 'up' || key === 'down') fns.set(key, p.type === 'ObjectMethod' ? p : p.value);
        }
      }
    }
  }
  for (const [k, v] of fns) if (v.type === 'Identifier' && local.has(v.name)) fns.set(k, local.get(v.name));
  return fns;
}

export function walk(n: any, visit: (n: any) => boolean): void {
  if (!n || typeof n.type !== 'string') return;
  if (visit(n)) return;
  for (const key of Object.keys(n)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments') continue;
    const v = n[key];
    if (Array.isArray(v)) for (const c of v) walk(c, visit);
    else if (v && typeof v === 'object' && typeof v.type === 'string') walk(v, visit);
  }
}
