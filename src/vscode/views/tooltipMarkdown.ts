// The Markdown of the tree items' tooltips, built as text (no vscode import, so the unit
// tests render it with a CommonMark renderer and read what the user sees). Two rules: text
// outside code is escaped, and code is put in a span or fence long enough for what it holds
// and never escaped — a backslash inside code is shown as a backslash, which is how a fix
// once read `DROP TRIGGER orders\_priority\_guard` and pasted into psql as wrong SQL.
import { CLASS_LABEL } from '../../core/classify/summary';
import type { Migration, MigrationVerdict } from '../../core/migrations/types';
import type { Release } from '../../core/releases';

/** Text as it reads: every character Markdown (or a theme icon, `$(…)`) would act on is escaped. */
export function mdText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&$]/g, '\\$&').replace(/\r?\n/g, ' ');
}

const longestRun = (text: string, ch: string): number => Math.max(0, ...[...text.matchAll(new RegExp(`${ch === '`' ? '`' : '~'}+`, 'g'))].map((m) => m[0].length));

/** Inline code that shows `text` exactly (on one line): a fence longer than any backtick run inside, padded when it starts or ends with one. */
export function mdCode(text: string): string {
  const oneLine = text.replace(/\s*\r?\n\s*/g, ' ');
  const fence = '`'.repeat(longestRun(oneLine, '`') + 1);
  const pad = /^[` ]|[` ]$/.test(oneLine) ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A fenced block that shows `text` exactly, whatever fences it holds. */
export function mdBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `\n\n${fence}${language}\n${text}\n${fence}\n`;
}

const MAX_STATEMENT = 300;

/** The tooltip of a migration node: its identity, class and the statements that decided it, each fix exactly as it would run. */
export function migrationTooltipMarkdown(m: Migration, verdict?: MigrationVerdict): string {
  let md = `**${mdText(m.name || m.id)}** (${mdText(m.tool)})\n\n${mdCode(m.file)}`;
  if (m.parents?.length) md += `\n\nParents: ${m.parents.map(mdCode).join(', ')}`;
  if (verdict) {
    md += `\n\n**${mdText(CLASS_LABEL[verdict.class])}** for a code rollback`;
    const shown = verdict.findings.filter((f) => f.class !== 'safe' || verdict.class === 'safe').slice(0, 4);
    for (const f of shown) {
      md += `\n\n- ${f.direction === 'down' ? 'down path, ' : ''}line ${f.line}: ${mdCode(f.rule)} — ${mdText(f.reason)}`;
      md += mdBlock(f.statement.length > MAX_STATEMENT ? `${f.statement.slice(0, MAX_STATEMENT)}…` : f.statement, 'sql');
      if (f.fix) md += `\nFix: ${mdCode(f.fix)}${f.fixRisk ? ` (risk: ${mdText(f.fixRisk)})` : ''}`;
    }
    if (verdict.findings.length > shown.length) md += `\n\n… run **Rollback: Analyze Migration** for the full report`;
  }
  for (const p of m.problems) md += `\n\n$(warning) ${mdText(p)}`;
  return md;
}

/** The tooltip of a release node: name and SHA, its marks, why it is bad (typed by a person), its date. */
export function releaseTooltipMarkdown(r: Pick<Release, 'name' | 'sha' | 'date' | 'badReason'>, markers: string[], previous?: string): string {
  let md = `**${mdText(r.name)}** ${mdCode(r.sha.slice(0, 12))}\n\n`;
  if (markers.length) md += `Marked: ${mdText(markers.join(', '))}\n\n`;
  if (r.badReason) md += `Bad because: ${mdText(r.badReason)}\n\n`;
  md += `${mdText(r.date)}${previous ? ` — since ${mdText(previous)}` : ''}`;
  return md;
}
