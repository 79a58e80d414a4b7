import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLASS_LABEL, renderReportMarkdown } from '../../core/classify';
import type { Migration, MigrationFinding } from '../../core/migrations/types';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';

const SEVERITY: Record<MigrationFinding['class'], vscode.DiagnosticSeverity | undefined> = {
  safe: undefined,
  mitigate: vscode.DiagnosticSeverity.Warning,
  unknown: vscode.DiagnosticSeverity.Warning,
  destructive: vscode.DiagnosticSeverity.Error,
};

/**
 * Analyze Migration: classifies one migration for a code rollback and opens the report
 * (every statement, class, rule, reason, fix and its risk, the down path); the findings
 * also go to the Problems panel at their lines.
 */
export function registerAnalyzeCommand(workspace: RollbackWorkspace | undefined): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('rollback-pilot-migrations');
  return [
    diagnostics,
    vscode.commands.registerCommand(CommandId.analyzeMigration, async (arg?: unknown) => {
      if (!workspace) return void vscode.window.showWarningMessage('Rollback Pilot needs an open folder to analyze migrations.');
      // From a tree node: the node carries its migration.
      const fromNode = (arg as { migration?: Migration } | undefined)?.migration;
      const uri = fromNode ? vscode.Uri.joinPath(workspace.root, fromNode.file) : (targetUri(arg) ?? vscode.window.activeTextEditor?.document.uri);
      if (!uri) return void vscode.window.showInformationMessage('Open a migration file (or pick one in the Migrations view) to analyze it.');
      const rel = path.relative(workspace.root.fsPath, uri.fsPath).split(path.sep).join('/');
      if (rel.startsWith('..')) return void vscode.window.showWarningMessage(`${uri.fsPath} is outside the workspace.`);
      const groups = await workspace.migrations();
      const migration: Migration = groups.flatMap((g) => g.migrations).find((m) => m.file === rel || m.downFile === rel) ?? adHoc(rel);
      const verdict = await workspace.classify(migration);
      const fileUri = vscode.Uri.joinPath(workspace.root, migration.file);
      diagnostics.set(
        fileUri,
        verdict.findings
          .filter((f) => f.direction === 'up' && SEVERITY[f.class] !== undefined)
          .map((f) => {
            const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, f.column - 1, f.line - 1, Number.MAX_SAFE_INTEGER), `${CLASS_LABEL[f.class]}: ${f.reason}${f.fix ? ` Fix: ${f.fix}` : ''}`, SEVERITY[f.class]);
            d.source = 'Rollback Pilot';
            d.code = f.rule;
            return d;
          }),
      );
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderReportMarkdown(verdict) });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
      return verdict;
    }),
  ];
}

function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const a = arg as { resourceUri?: vscode.Uri; migration?: Migration; kind?: string } | undefined;
  if (a?.resourceUri instanceof vscode.Uri) return a.resourceUri;
  return undefined;
}

/** A file the detector did not list (a loose .sql file): analysed as plain SQL. */
function adHoc(rel: string): Migration {
  const base = path.posix.basename(rel);
  const tool: Migration['tool'] = rel.endsWith('.py') ? 'alembic' : rel.endsWith('.sql') ? 'sql' : 'knex';
  return { tool, id: base, name: base, file: rel, order: 0, problems: [] };
}
