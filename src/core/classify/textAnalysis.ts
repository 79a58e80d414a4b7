// The cautious fallback for SQL the PostgreSQL parser cannot read (MySQL dialect, or a
// syntax error): statements are recognised by their leading words only, every finding
// says "text", and anything not recognised is "unknown", never "safe".

import type { MigrationClass, MigrationFinding } from '../migrations/types';
import { lineColumnAt, shiftPosition, skipLeadingTrivia } from './textPosition';

export interface TextStatement {
  text: string;
  start: number;
}

/** Splits on semicolons outside quotes, comments and dollar-quoted bodies. */
export function splitStatements(sql: string): TextStatement[] {
  const out: TextStatement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const s = skipLeadingTrivia(sql, start, end);
    const text = sql.slice(s, end).trim();
    if (text) out.push({ text, start: s });
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      const q = c;
      i++;
      while (i < sql.length && sql[i] !== q) i += sql[i] === '\\' && q !== '"' ? 2 : 1;
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(sql.length);
  return out;
}

interface TextRule {
  id: string;
  class: MigrationClass;
  test: RegExp;
  reason: (m: RegExpExecArray) => string;
  fix?: (m: RegExpExecArray, mysql: boolean) => string | undefined;
  fixRisk?: string;
}

const ident = '([`"]?[\\w.$]+[`"]?)';

const TEXT_RULES: TextRule[] = [
  {
    id: 'adding-required-field',
    class: 'mitigate',
    test: new RegExp(`^alter\\s+table\\s+${ident}\\s+add\\s+(?:column\\s+)?${ident}\\s+([\\w()]+(?:\\s*\\([^)]*\\))?)(?![^;]*\\bdefault\\b)[^;]*\\bnot\\s+null\\b`, 'is'),
    reason: (m) => `Adds ${m[2]} NOT NULL to ${m[1]} without a default (as read from the text): the old code's INSERTs fail.`,
    fix: (m, mysql) => (mysql ? `ALTER TABLE ${m[1]} MODIFY COLUMN ${m[2]} ${m[3]} NULL;` : `ALTER TABLE ${m[1]} ALTER COLUMN ${m[2]} DROP NOT NULL;`),
    fixRisk: 'Generated from text, not a parse tree: check the column type before running it. The new code may later find NULLs in this column.',
  },
  { id: 'adding-field', class: 'safe', test: new RegExp(`^alter\\s+table\\s+${ident}\\s+add\\s+(?:column\\s+)?(?!constraint|unique|primary|foreign|check|index|key)`, 'is'), reason: () => 'Adds a column that is nullable or has a default (as read from the text): the old code ignores it.' },
  { id: 'ban-drop-column', class: 'destructive', test: new RegExp(`^alter\\s+table\\s+${ident}\\s+drop\\s+(?:column\\s+)?(?!constraint|index|key|primary|foreign|default)${ident}`, 'is'), reason: (m) => `Drops ${m[1]}.${m[2]}: its data is gone.` },
  { id: 'renaming-column', class: 'mitigate', test: new RegExp(`^alter\\s+table\\s+${ident}\\s+rename\\s+column\\s+${ident}\\s+to\\s+${ident}`, 'is'), reason: (m) => `Renames ${m[1]}.${m[2]} to ${m[3]}: the old code uses ${m[2]}.`, fix: (m) => `ALTER TABLE ${m[1]} RENAME COLUMN ${m[3]} TO ${m[2]};`, fixRisk: 'The new code breaks as soon as this runs.' },
  { id: 'renaming-table', class: 'mitigate', test: new RegExp(`^(?:alter\\s+table\\s+${ident}\\s+rename\\s+to|rename\\s+table\\s+${ident}\\s+to)\\s+${ident}`, 'is'), reason: (m) => `Renames table ${m[1] ?? m[2]} to ${m[3]}: the old code uses the old name.`, fix: (m) => `ALTER TABLE ${m[3]} RENAME TO ${m[1] ?? m[2]};`, fixRisk: 'The new code breaks as soon as this runs.' },
  { id: 'changing-column-type', class: 'mitigate', test: /^alter\s+table\s+\S+\s+(?:modify|change|alter\s+column\s+\S+\s+(?:set\s+data\s+)?type)\b/is, reason: () => 'Changes a column definition (as read from the text): the old code may not fit the new type.' },
  { id: 'adding-constraint', class: 'mitigate', test: /^alter\s+table\s+\S+\s+add\s+(?:constraint|unique|primary|foreign|check)/is, reason: () => 'Adds a constraint (as read from the text): the old code\'s writes may violate it.' },
  { id: 'adding-table', class: 'safe', test: /^create\s+(?:temporary\s+)?table\b/is, reason: () => 'Creates a table: the old code ignores it.' },
  { id: 'adding-unique-index', class: 'mitigate', test: /^create\s+unique\s+index\b/is, reason: () => 'Creates a unique index: the old code\'s duplicate writes fail.' },
  { id: 'adding-index', class: 'safe', test: /^create\s+(?:fulltext\s+|spatial\s+)?index\b/is, reason: () => 'Creates an index: the old code is unaffected.' },
  { id: 'adding-trigger', class: 'mitigate', test: /^create\s+(?:or\s+replace\s+)?(?:definer\s*=\s*\S+\s+)?trigger\s+(\S+)/is, reason: (m) => `Creates trigger ${m[1]}: it may reject or change the old code's writes.` },
  { id: 'ban-drop-table', class: 'destructive', test: /^drop\s+table\b/is, reason: () => 'Drops a table: its rows are gone.' },
  { id: 'ban-truncate', class: 'destructive', test: /^truncate\b/is, reason: () => 'Truncates a table: its rows are gone.' },
  { id: 'ban-drop-database', class: 'destructive', test: /^drop\s+(?:database|schema)\b/is, reason: () => 'Drops a database: everything in it is gone.' },
  { id: 'updating-data', class: 'destructive', test: /^(?:update|delete)\b/is, reason: () => 'Data changed; the old values are gone unless backed up.' },
  { id: 'inserting-data', class: 'safe', test: /^insert\b/is, reason: () => 'Adds rows: nothing the old code wrote is changed.' },
  { id: 'no-effect-on-old-code', class: 'safe', test: /^(?:set|begin|commit|start\s+transaction|comment\s+on|grant)\b/is, reason: () => 'Does not change what the old code reads or writes.' },
];

export function analyzeAsText(
  sql: string,
  options: { direction: 'up' | 'down'; origin: { line: number; column: number }; note: string; mysql: boolean },
): MigrationFinding[] {
  const findings: MigrationFinding[] = [];
  for (const s of splitStatements(sql)) {
    const at = shiftPosition(lineColumnAt(sql, s.start), options.origin);
    let matched = false;
    for (const rule of TEXT_RULES) {
      const m = rule.test.exec(s.text);
      if (!m) continue;
      const fix = rule.fix?.(m, options.mysql);
      findings.push({
        class: rule.class,
        rule: rule.id,
        statement: s.text,
        line: at.line,
        column: at.column,
        reason: `${rule.reason(m)} ${options.note}`,
        ...(fix ? { fix } : {}),
        ...(rule.fixRisk ? { fixRisk: rule.fixRisk } : {}),
        direction: options.direction,
        confidence: 'text',
      });
      matched = true;
      break;
    }
    if (!matched) {
      findings.push({
        class: 'unknown',
        rule: 'unrecognised-statement',
        statement: s.text,
        line: at.line,
        column: at.column,
        reason: `Not recognised from its text: review by hand. ${options.note}`,
        direction: options.direction,
        confidence: 'text',
      });
    }
  }
  return findings;
}
