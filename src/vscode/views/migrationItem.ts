import * as vscode from 'vscode';
import type { Migration, MigrationClass, MigrationVerdict } from '../../core/migrations/types';
import { CLASS_LABEL } from '../../core/classify';
import { CommandId } from '../contributions';
import { migrationTooltipMarkdown } from './tooltipMarkdown';

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
  // Built as text (tooltipMarkdown.ts): text escaped, code shown exactly (a fix is copied into psql).
  item.tooltip = new vscode.MarkdownString(migrationTooltipMarkdown(m, verdict), true);
  item.iconPath = verdict ? CLASS_ICON[verdict.class] : m.problems.length ? CLASS_ICON.unknown : new vscode.ThemeIcon('database');
  item.contextValue = `migration${verdict ? ` class-${verdict.class}` : ''}`;
  item.command = { command: CommandId.openMigration, title: 'Open Migration', arguments: [uri] };
  return item;
}
