import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';
import { commitArg, fileArg } from '../commandArgs';

/** Refresh, and what a click on a tree node does. */
export function registerNavigationCommands(registry: CommandRegistry, workspace: RollbackWorkspace | undefined, refreshViews: () => void): void {
  registry.register(CommandId.refresh, { needs: 'nothing', what: 'refresh the views' }, () => {
    workspace?.invalidate();
    refreshViews();
  });
  registry.register(CommandId.openMigration, { needs: 'nothing', what: 'open the migration', args: fileArg }, async (uri) => {
    if (uri) await vscode.window.showTextDocument(uri, { preview: true });
  });
  registry.register(CommandId.revealReleaseCommit, { needs: 'folder', what: 'show the commit', args: commitArg }, async (sha) => {
    // git show in a read-only document: works without the git extension (code-server included).
    const { stdout } = await promisify(execFile)('git', ['show', '--stat', '--patch', '--end-of-options', sha], { cwd: workspace!.root.fsPath, maxBuffer: 16 * 1024 * 1024 });
    const doc = await vscode.workspace.openTextDocument({ content: stdout, language: 'diff' });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}
