import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { starterConfig } from '../../core/config';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';

/** Open Configuration: opens rollback.yml, offering to create it when it does not exist. Create Configuration: writes a commented starter. */
export function registerConfigurationCommands(registry: CommandRegistry, maybeWorkspace: RollbackWorkspace | undefined): void {
  // The registry's guard runs first: with no folder these handlers are never reached.
  const ws = (): RollbackWorkspace => maybeWorkspace!;
  registry.register(CommandId.openConfiguration, { needs: 'folder', what: 'open rollback.yml' }, async () => {
    const workspace = ws();
    const loaded = await workspace.config();
    if (!loaded.fileExists) {
      const create = 'Create rollback.yml';
      const pick = await vscode.window.showInformationMessage('This workspace has no rollback.yml; Rollback Pilot is using its embedded defaults.', create);
      if (pick !== create) return;
      return vscode.commands.executeCommand(CommandId.createConfiguration);
    }
    await vscode.window.showTextDocument(workspace.configUri);
  });
  registry.register(CommandId.createConfiguration, { needs: 'trust', what: 'create rollback.yml' }, async () => {
    const workspace = ws();
    const loaded = await workspace.config();
    if (loaded.fileExists) {
      await vscode.window.showTextDocument(workspace.configUri);
      void vscode.window.showInformationMessage('rollback.yml already exists; opened it instead of overwriting it.');
      return;
    }
    const groups = await workspace.migrations().catch(() => []);
    const serviceDirs = await listServiceDirs(workspace.root);
    const text = starterConfig({
      repoName: workspace.root.path.split('/').filter(Boolean).pop() ?? 'app',
      detectedMigrations: groups.map((g) => ({ tool: g.tool, dir: g.dir })),
      serviceDirs,
    });
    await vscode.workspace.fs.writeFile(workspace.configUri, new TextEncoder().encode(text));
    workspace.invalidate();
    await vscode.window.showTextDocument(workspace.configUri);
  });
}

/** Candidate services: folders under apps/ or services/ (a common monorepo layout). */
async function listServiceDirs(root: vscode.Uri): Promise<string[]> {
  const out: string[] = [];
  for (const parent of ['apps', 'services']) {
    // Node's fs, not workspace.fs: a missing folder is the normal case here and should not be logged as an error.
    const entries = await readdir(path.join(root.fsPath, parent), { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) out.push(`${parent}/${e.name}`);
  }
  return out;
}
