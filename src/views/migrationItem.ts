import * as vscode from 'vscode';
import type { Migration } from '../core/migrations/types';
import { CommandId } from '../commands/ids';

/** One migration as a tree item, shared by the Releases and Migrations views. Click opens the file. */
export function migrationItem(m: Migration, root: vscode.Uri): vscode.TreeItem {
  const item = new vscode.TreeItem(m.name || m.id, vscode.TreeItemCollapsibleState.None);
  const uri = vscode.Uri.joinPath(root, m.file);
  item.resourceUri = uri;
  item.id = `migration:${m.tool}:${m.file}`;
  const parts = [m.id !== m.name ? m.id : undefined];
  if (m.parents && m.parents.length > 1) parts.push(`merge of ${m.parents.join(' + ')}`);
  item.description = parts.filter(Boolean).join(' · ');
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${m.name || m.id}** (${m.tool})\n\n\`${m.file}\``);
  if (m.parents?.length) md.appendMarkdown(`\n\nParents: ${m.parents.map((p) => `\`${p}\``).join(', ')}`);
  for (const p of m.problems) md.appendMarkdown(`\n\n$(warning) ${p}`);
  md.supportThemeIcons = true;
  item.tooltip = md;
  item.iconPath = m.problems.length ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('database');
  item.contextValue = 'migration';
  item.command = { command: CommandId.openMigration, title: 'Open Migration', arguments: [uri] };
  return item;
}
