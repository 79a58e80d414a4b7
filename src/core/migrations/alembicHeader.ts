// Reads the module-level `revision` / `down_revision` of an Alembic script with a real
// Python parser, so comments, docstrings, annotations and code inside functions cannot fool it.
import { parsePython } from './pythonParser';
import type { SyntaxNode } from '@lezer/common';
import { scanAlembicHeader } from './alembicHeaderScan';
import { docstringMessage, stringLiteral } from './pythonString';

export interface AlembicHeader {
  revision?: string;
  /** Parents; [] for `None`; undefined when the module never assigns down_revision. */
  downRevisions?: string[];
  /** First line of the module docstring (Alembic puts the -m message there). */
  message?: string;
  problems: string[];
}

function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

type PyValue = { kind: 'none' } | { kind: 'strings'; values: string[] } | { kind: 'other' };

function evaluate(node: SyntaxNode, text: string): PyValue {
  const src = text.slice(node.from, node.to);
  switch (node.name) {
    case 'None':
      return { kind: 'none' };
    case 'String': {
      const s = stringLiteral(src);
      return s === undefined ? { kind: 'other' } : { kind: 'strings', values: [s] };
    }
    case 'ContinuedString': {
      let joined = '';
      for (let c = node.firstChild; c; c = c.nextSibling) {
        const s = c.name === 'String' ? stringLiteral(text.slice(c.from, c.to)) : undefined;
        if (s === undefined) return { kind: 'other' };
        joined += s;
      }
      return { kind: 'strings', values: [joined] };
    }
    case 'ParenthesizedExpression':
    case 'TupleExpression':
    case 'ArrayExpression': {
      const values: string[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (['(', ')', '[', ']', ','].includes(c.name)) continue;
        const v = evaluate(c, text);
        if (v.kind !== 'strings') return { kind: 'other' };
        values.push(...v.values);
      }
      return { kind: 'strings', values };
    }
    default:
      return { kind: 'other' };
  }
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError) return cursor.node;
  } while (cursor.next());
  return undefined;
}

const PUNCTUATION = new Set(['(', ')', '[', ']', ',']);

/** The elements of a target or value list: `a, b` and `(a, b)` / `[a, b]` alike. */
function elements(nodes: SyntaxNode[]): SyntaxNode[] {
  const items = nodes.filter((n) => n.name !== ',');
  const only = items.length === 1 ? items[0] : undefined;
  if (only && nodes.length === 1 && (only.name === 'TupleExpression' || only.name === 'ArrayExpression')) {
    const inner: SyntaxNode[] = [];
    for (let c = only.firstChild; c; c = c.nextSibling) if (!PUNCTUATION.has(c.name)) inner.push(c);
    return inner;
  }
  return items;
}

/** The module's top-level statements, with `a; b` groups opened up. */
function topLevelStatements(top: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let stmt = top.firstChild; stmt; stmt = stmt.nextSibling) {
    if (stmt.name !== 'StatementGroup') out.push(stmt);
    else for (let c = stmt.firstChild; c; c = c.nextSibling) if (c.name !== ';') out.push(c);
  }
  return out;
}

export function readAlembicHeader(text: string): AlembicHeader {
  const tree = parsePython(text);
  const top = tree.topNode;
  const header: AlembicHeader = { problems: [] };
  const statements = topLevelStatements(top).filter((s) => s.name !== 'Comment');

  // The docstring is the first statement; comments before it (a coding line) do not count.
  const docstring = statements[0];
  if (docstring?.name === 'ExpressionStatement' && docstring.firstChild?.name === 'String' && !docstring.firstChild.nextSibling) {
    const message = docstringMessage(text.slice(docstring.firstChild.from, docstring.firstChild.to));
    if (message) header.message = message;
  }

  const assign = (target: string, valueNode: SyntaxNode): void => {
    const value = evaluate(valueNode, text);
    const where = position(text, valueNode.from);
    if (target === 'revision') {
      if (value.kind === 'strings' && value.values.length === 1 && valueNode.name !== 'TupleExpression') {
        header.revision = value.values[0];
      } else {
        header.problems.push(`revision is not a plain string literal (${where})`);
      }
    } else if (value.kind === 'none') {
      header.downRevisions = [];
    } else if (value.kind === 'strings') {
      header.downRevisions = value.values;
    } else {
      header.problems.push(`down_revision is not None, a string or a tuple of strings (${where})`);
      header.downRevisions = [];
    }
  };

  for (const stmt of statements) {
    if (stmt.name !== 'AssignStatement') continue;
    // `a = b = value`, `a: T = value` and `a, b = x, y`: the parts between the `=` signs are
    // targets, the last one is the value (an annotation sits inside TypeDef, not among them).
    const parts: SyntaxNode[][] = [[]];
    let plain = true;
    for (let c = stmt.firstChild; c; c = c.nextSibling) {
      if (c.name === 'AssignOp') {
        if (text.slice(c.from, c.to) !== '=') plain = false;
        parts.push([]);
      } else if (c.name !== 'TypeDef') {
        parts[parts.length - 1].push(c);
      }
    }
    if (!plain || parts.length < 2) continue;
    const valueNodes = parts.pop()!;
    const values = elements(valueNodes);
    for (const targetNodes of parts) {
      const targets = elements(targetNodes);
      const unpacking = targets.length > 1 || targetNodes.length > 1 || targetNodes[0]?.name !== 'VariableName';
      targets.forEach((node, i) => {
        const target = node.name === 'VariableName' ? text.slice(node.from, node.to) : '';
        if (target !== 'revision' && target !== 'down_revision') return;
        if (!unpacking) return assign(target, valueNodes[0]);
        if (values.length === targets.length && valueNodes.length > 0) return assign(target, values[i]);
        header.problems.push(`${target} is assigned by unpacking ${targets.length} names from something that is not ${targets.length} values (${position(text, node.from)})`);
        if (target === 'down_revision') header.downRevisions = [];
      });
    }
  }

  const error = firstError(top);
  if (error) header.problems.push(`Python syntax error at ${position(text, error.from)}`);
  if (header.revision === undefined && !header.problems.some((p) => p.startsWith('revision'))) {
    header.problems.push("no module-level `revision = '…'` assignment");
  }
  if (header.downRevisions === undefined && !header.problems.some((p) => p.startsWith('down_revision'))) {
    header.problems.push('no module-level `down_revision = …` assignment');
  }
  return header;
}

// The first top-level function, class or decorator ends the part of an Alembic script that
// holds its identity; upgrade()/downgrade() bodies are most of the file and never matter here.
const FIRST_TOP_LEVEL_BODY = /^(?:(?:async[ \t]+)?def[ \t]|class[ \t(:]|@)/m;
// A top-level line after the cut that names a revision could reassign it; only a full parse can say.
const TOP_LEVEL_REVISION_AFTER_CUT = /^(?=[^\s#])[^\n]*\b(?:down_)?revision\b/m;

/**
 * The same header as `readAlembicHeader`, parsing (with the real parser) only the module text
 * before the first top-level `def`/`class`. Whenever that prefix does not settle it on its own
 * (no revision or down_revision there, a problem or syntax error in it, a later top-level line
 * naming a revision) the whole file is parsed instead, so the answer never differs from the
 * full one except that a syntax error after the header goes unreported.
 */
export function readAlembicHeaderQuickly(text: string): AlembicHeader {
  const cut = FIRST_TOP_LEVEL_BODY.exec(text);
  if (!cut) return readAlembicHeader(text);
  if (TOP_LEVEL_REVISION_AFTER_CUT.test(text.slice(cut.index))) return readAlembicHeader(text);
  const prefix = text.slice(0, cut.index);
  const header = scanAlembicHeader(prefix) ?? readAlembicHeader(prefix);
  if (header.revision === undefined || header.downRevisions === undefined || header.problems.length > 0) {
    return readAlembicHeader(text);
  }
  return header;
}
