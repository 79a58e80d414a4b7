import * as vscode from 'vscode';
import type { Migration, MigrationClass, MigrationVerdict } from '../../core/migrations/types';
import { CLASS_LABEL } from '../../core/classify';
import { CommandId } from '../contributions';

const CLASS_ICON: Record<MigrationClass, vscode.ThemeIcon> = {
  safe: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  mitigate: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  destructive: new vscode.ThemeIcon('flame', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  unknown: new vscode.ThemeIcon('question', new vscode.ThemeColor('problemsWarningIcon.foreground')),
};

/**
 * One migration as a tree item, shared by the Releases and Migrations views: its safety
 * class for a code rollback as icon and description, the statements that decided it in
 * the tooltip. Click opens the file.
 */
export function migrationItem(m: Migration, root: vscode.Uri, verdict?: MigrationVerdict): vscode.TreeItem {
  const item = new vscode.TreeItem(m.name || m.id, vscode.TreeItemCollapsibleState.None);
  const uri = vscode.Uri.joinPath(root, m.file);
  item.resourceUri = uri;
  item.id = `migration:${m.tool}:${m.file}`;
  const parts = [m.id !== m.name ? m.id : undefined, verdict ? CLASS_LABEL[verdict.class] : undefined];
  if (m.parents && m.parents.length > 1) parts.push(`merge of ${m.parents.join(' + ')}`);
  item.description = parts.filter(Boolean).join(' · ');
  const md = new vscode.MarkdownString();
  md.supportThemeIcons = true;
  md.appendMarkdown(`**${escapeMd(m.name || m.id)}** (${m.tool})\n\n\`${m.file}\``);
  if (m.parents?.length) md.appendMarkdown(`\n\nParents: ${m.parents.map((p) => `\`${p}\``).join(', ')}`);
  if (verdict) {
    md.appendMarkdown(`\n\n**${CLASS_LABEL[verdict.class]}** for a code rollback`);
    const shown = verdict.findings.filter((f) => f.class !== 'safe' || verdict.class === 'safe').slice(0, 4);
    for (const f of shown) {
      md.appendMarkdown(`\n\n- ${f.direction === 'down' ? 'down path, ' : ''}line ${f.line}: \`${f.rule}\` — ${escapeMd(f.reason)}`);
      md.appendCodeblock(f.statement.length > 300 ? `${f.statement.slice(0, 300)}…` : f.statement, 'sql');
      if (f.fix) md.appendMarkdown(`Fix: \`${escapeMd(f.fix)}\`${f.fixRisk ? ` (risk: ${escapeMd(f.fixRisk)})` : ''}`);
    }
    if (verdict.findings.length > shown.length) md.appendMarkdown(`\n\n… run **Rollback: Analyze Migration** for the full report`);
  }
  for (const p of m.problems) md.appendMarkdown(`\n\n$(warning) ${escapeMd(p)}`);
  item.tooltip = md;
  item.iconPath = verdict ? CLASS_ICON[verdict.class] : m.problems.length ? CLASS_ICON.unknown : new vscode.ThemeIcon('database');
  item.contextValue = `migration${verdict ? ` class-${verdict.class}` : ''}`;
  item.command = { command: CommandId.openMigration, title: 'Open Migration', arguments: [uri] };
  return item;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
