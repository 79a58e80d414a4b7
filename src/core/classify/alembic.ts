// Reads an Alembic revision with a real Python parser (@lezer/python) and turns its
// `op.*` calls in upgrade() / downgrade() into operations judged by the SQL rules.

import { parsePython } from '../migrations/pythonParser';
import type { SyntaxNode } from '@lezer/common';
import type { MigrationFinding } from '../migrations/types';
import { collectOps, readModule } from './alembicWalk';
import { analyzeOps, type MigrationOp } from './opAnalysis';
import { PyReader } from './pyReader';
import type { BeforeSchema } from './rules/common';
import type { SqlParser } from './sqlPort';
import { lineColumnAt } from './textPosition';

function findFunction(tree: SyntaxNode, reader: PyReader, name: string): SyntaxNode | undefined {
  for (let c = tree.firstChild; c; c = c.nextSibling) {
    const fn = c.name === 'DecoratedStatement' ? c.getChild('FunctionDefinition') : c;
    if (fn?.name === 'FunctionDefinition') {
      const id = fn.getChild('VariableName');
      if (id && reader.text(id) === name) return fn.getChild('Body') ?? undefined;
    }
  }
  return undefined;
}

/** The operations an Alembic revision's upgrade() and downgrade() run, the syntax-error finding when there is one, and whether there is a downgrade(). */
export function alembicMigrationOps(text: string, file: string): { ops: MigrationOp[]; problems: MigrationFinding[]; hasUpgrade: boolean; hasDowngrade: boolean } {
  const tree = parsePython(text);
  const reader = new PyReader(text);
  const problems: MigrationFinding[] = [];
  // lezer recovers from errors; an error node means the reading may be incomplete.
  let errorAt: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && errorAt === undefined) errorAt = n.from;
    },
  });
  if (errorAt !== undefined) {
    const at = lineColumnAt(text, errorAt);
    problems.push({ class: 'unknown', rule: 'unparsable-python', statement: text.split('\n')[at.line - 1]?.trim() ?? '', ...at, reason: `${file}:${at.line}:${at.column}: Python syntax error; the operations below may be incomplete. Review by hand.`, direction: 'up', confidence: 'text' });
  }
  const up = findFunction(tree.topNode, reader, 'upgrade');
  const down = findFunction(tree.topNode, reader, 'downgrade');
  if (!up) return { ops: [], problems, hasUpgrade: false, hasDowngrade: !!down };
  const mod = readModule(tree.topNode, text, reader);
  const ops = [...collectOps('upgrade', up, mod, 'up'), ...(down ? collectOps('downgrade', down, mod, 'down') : [])];
  return { ops, problems, hasUpgrade: true, hasDowngrade: !!down };
}

export async function analyzeAlembic(text: string, options: { parser: SqlParser; file: string; history?: BeforeSchema['history']; earlier?: BeforeSchema }): Promise<MigrationFinding[]> {
  const { ops, problems, hasUpgrade, hasDowngrade } = alembicMigrationOps(text, options.file);
  const findings: MigrationFinding[] = [...problems];
  if (!hasUpgrade) {
    findings.push({ class: 'unknown', rule: 'no-upgrade-function', statement: '', line: 1, column: 1, reason: `${options.file}: no upgrade() function found: review by hand.`, direction: 'up', confidence: 'text' });
    return findings;
  }
  findings.push(...(await analyzeOps(ops, options.parser, { history: options.history, earlier: options.earlier, file: options.file })));
  if (!ops.some((o) => o.direction === 'up')) {
    findings.push({ class: 'safe', rule: 'empty-migration', statement: '', line: 1, column: 1, reason: 'upgrade() runs no operations.', direction: 'up', confidence: 'parsed' });
  }
  if (!hasDowngrade || !ops.some((o) => o.direction === 'down')) {
    findings.push({ class: 'unknown', rule: 'no-down-path', statement: '', line: 1, column: 1, reason: 'downgrade() is missing or empty: undoing this needs the mitigations or a backup restore.', direction: 'down', confidence: 'parsed' });
  }
  return findings;
}
