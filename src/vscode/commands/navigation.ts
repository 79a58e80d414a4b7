import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';
import { commitArg, fileArg } from '../commandArgs';
import type { Previews } from '../preview/previews';

/** Refresh, and what a click on a tree node does. */
export function registerNavigationCommands(registry: CommandRegistry, workspace: RollbackWorkspace | undefined, refreshViews: () => void, previews: Previews): void {
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
    // Read-only (src/vscode/preview): an untitled document would ask to be saved when closed.
    await previews.showText('commit', `${sha.slice(0, 12)}.diff`, stdout);
  });
}
