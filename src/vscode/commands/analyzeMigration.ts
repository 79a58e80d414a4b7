import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLASS_LABEL, renderReportMarkdown } from '../../core/classify';
import { adHocMigration } from '../../core/migrations/adHoc';
import type { Migration, MigrationFinding, MigrationVerdict } from '../../core/migrations/types';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import { CommandArgumentError, type CommandRegistry } from '../commandRegistry';
import { fileArg } from '../commandArgs';
import type { Previews } from '../preview/previews';

const SEVERITY: Record<MigrationFinding['class'], vscode.DiagnosticSeverity | undefined> = {
  safe: undefined,
  mitigate: vscode.DiagnosticSeverity.Warning,
  unknown: vscode.DiagnosticSeverity.Warning,
  destructive: vscode.DiagnosticSeverity.Error,
};

/** What to analyze: a Migrations/Releases node (it carries its migration), a file (URI or explorer item), or nothing (the active editor). */
export function analyzeArg(raw: readonly unknown[]): { migration: Migration } | { uri?: vscode.Uri } {
  const a = raw[0];
  const m = typeof a === 'object' && a !== null ? (a as { migration?: unknown }).migration : undefined;
  if (m !== undefined) {
    if (typeof m === 'object' && m !== null && typeof (m as Migration).file === 'string' && typeof (m as Migration).tool === 'string') return { migration: m as Migration };
    throw new CommandArgumentError('expected a migration from the Migrations view, got a node without a file');
  }
  return { uri: fileArg(raw) };
}

/**
 * Analyze Migration: classifies one migration for a code rollback and opens the report
 * (every statement, class, rule, reason, fix and its risk, the down path) in the report
 * preview (rendered, reused, never an untitled file); the findings also go to the Problems
 * panel at their lines. A file that is no migration is refused, and any findings an earlier
 * run left on it are cleared.
 */
export function registerAnalyzeCommand(registry: CommandRegistry, workspace: RollbackWorkspace | undefined, previews: Previews): vscode.Disposable[] {
  const diagnostics = vscode.languages.createDiagnosticCollection('rollback-pilot-migrations');
  registry.register(CommandId.analyzeMigration, { needs: 'folder', what: 'analyze the migration', args: analyzeArg }, async (arg): Promise<MigrationVerdict | undefined> => {
    const ws = workspace!;
    const uri = 'migration' in arg ? vscode.Uri.joinPath(ws.root, arg.migration.file) : (arg.uri ?? vscode.window.activeTextEditor?.document.uri);
    if (!uri) return void vscode.window.showInformationMessage('Open a migration file (or pick one in the Migrations view) to analyze it.');
    if (uri.scheme !== 'file') return void vscode.window.showWarningMessage(`${uri.toString()} is not a file of the workspace: open the migration file itself to analyze it.`);
    const rel = path.relative(ws.root.fsPath, uri.fsPath).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) return void vscode.window.showWarningMessage(`${uri.fsPath} is outside the workspace.`);
    const groups = await ws.migrations();
    let migration: Migration | undefined = 'migration' in arg ? arg.migration : groups.flatMap((g) => g.migrations).find((m) => m.file === rel || m.downFile === rel);
    if (!migration) {
      const text = new TextDecoder().decode(await ws.readFile(rel));
      const adHoc = adHocMigration(rel, text);
      if ('notAMigration' in adHoc) {
        diagnostics.delete(uri);
        return void vscode.window.showInformationMessage(adHoc.notAMigration);
      }
      migration = adHoc.migration;
    }
    const verdict = await ws.classify(migration);
    diagnostics.set(
      vscode.Uri.joinPath(ws.root, migration.file),
      verdict.findings
        .filter((f) => f.direction === 'up' && SEVERITY[f.class] !== undefined)
        .map((f) => {
          const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, f.column - 1, f.line - 1, Number.MAX_SAFE_INTEGER), `${CLASS_LABEL[f.class]}: ${f.reason}${f.fix ? ` Fix: ${f.fix}` : ''}`, SEVERITY[f.class]);
          d.source = 'Rollback Pilot';
          d.code = f.rule;
          return d;
        }),
    );
    await previews.show({ kind: 'report', markdown: renderReportMarkdown(verdict) });
    return verdict;
  });
  return [diagnostics];
}
