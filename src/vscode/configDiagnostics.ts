import * as vscode from 'vscode';
import { parseConfig } from '../core/config';
import type { ConfigDiagnostic } from '../core/config/types';
import { CONFIG_FILE, type RollbackWorkspace } from './rollbackWorkspace';

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Puts rollback.yml's problems in the Problems panel, as the user types and on disk changes. */
export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('rollback-pilot');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timer?: NodeJS.Timeout;

  constructor(private readonly workspace: RollbackWorkspace) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.onEdit(d)),
      workspace.onDidChange(() => void this.fromWorkspace()),
    );
  }

  /** Publishes the diagnostics of the config on disk (or in an open editor). */
  async fromWorkspace(): Promise<void> {
    const loaded = await this.workspace.config();
    if (!loaded.fileExists) this.collection.delete(this.workspace.configUri);
    else this.publish(this.workspace.configUri, loaded.diagnostics);
  }

  private onEdit(doc: vscode.TextDocument): void {
    if (doc.uri.toString() !== this.workspace.configUri.toString()) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const { diagnostics } = parseConfig(doc.getText(), CONFIG_FILE);
      this.publish(doc.uri, diagnostics);
      // The views follow the edited text too once it is saved; unsaved text only drives Problems.
    }, 200);
  }

  private publish(uri: vscode.Uri, diagnostics: ConfigDiagnostic[]): void {
    this.collection.set(uri, diagnostics.map((d) => {
      const range = new vscode.Range(d.line - 1, d.column - 1, Math.max(d.endLine - 1, d.line - 1), Math.max(d.endColumn - 1, d.column));
      const diag = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
      diag.source = 'Rollback Pilot';
      diag.code = d.path || undefined;
      return diag;
    }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
