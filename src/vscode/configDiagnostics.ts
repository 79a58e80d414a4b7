import * as vscode from 'vscode';
import { parseConfig } from '../core/config';
import type { ConfigDiagnostic } from '../core/config/types';
import { CONFIG_FILE, type RollbackWorkspace } from './rollbackWorkspace';
import { CommandId } from './contributions';
import { ConfigErrorNotice } from './configErrorNotice';

const SEVERITY: Record<ConfigDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * The "rollback.yml has errors" notice in VS Code: a notification with a link to the file
 * that closes itself once the errors are fixed (a progress notification is the one kind an
 * extension can close), or when the operator dismisses it.
 */
export function configErrorNotice(): ConfigErrorNotice {
  return new ConfigErrorNotice((message, closed, dismissed) => {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${message} [Open rollback.yml](command:${CommandId.openConfiguration})`, cancellable: true },
      (_progress, token) => new Promise<void>((resolve) => {
        const sub = token.onCancellationRequested(() => {
          dismissed();
          resolve();
        });
        void closed.then(() => {
          sub.dispose();
          resolve();
        });
      }),
    );
  });
}

/** Puts rollback.yml's problems in the Problems panel, as the user types and on disk changes; the errors notice follows them. */
export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('rollback-pilot');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly workspace: RollbackWorkspace,
    /** Closed by the first diagnostics without an error. */
    private readonly notice?: ConfigErrorNotice,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.onEdit(d)),
      workspace.onDidChange(() => void this.fromWorkspace()),
    );
  }

  /** Publishes the diagnostics of the config on disk (or in an open editor). */
  async fromWorkspace(): Promise<void> {
    const loaded = await this.workspace.config();
    if (!loaded.fileExists) {
      this.collection.delete(this.workspace.configUri);
      this.notice?.update(false);
    } else this.publish(this.workspace.configUri, loaded.diagnostics);
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
    this.notice?.update(diagnostics.some((d) => d.severity === 'error'));
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
