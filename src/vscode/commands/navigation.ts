import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';

/** Refresh, and what a click on a tree node does. */
export function registerNavigationCommands(workspace: RollbackWorkspace | undefined, refreshViews: () => void): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.refresh, () => {
      workspace?.invalidate();
      refreshViews();
    }),
    vscode.commands.registerCommand(CommandId.openMigration, async (target?: vscode.Uri | { resourceUri?: vscode.Uri }) => {
      const uri = target instanceof vscode.Uri ? target : target?.resourceUri;
      if (!uri) return;
      await vscode.window.showTextDocument(uri, { preview: true });
    }),
    vscode.commands.registerCommand(CommandId.revealReleaseCommit, async (sha?: string) => {
      if (!workspace || typeof sha !== 'string' || !/^[0-9a-f]{7,64}$/i.test(sha)) return;
      // git show in a read-only document: works without the git extension (code-server included).
      const { stdout } = await promisify(execFile)('git', ['show', '--stat', '--patch', '--end-of-options', sha], { cwd: workspace.root.fsPath, maxBuffer: 16 * 1024 * 1024 });
      const doc = await vscode.workspace.openTextDocument({ content: stdout, language: 'diff' });
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  ];
}
