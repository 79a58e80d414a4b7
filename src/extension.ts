// The composition root: builds every service by constructor, wires them together and
// hands each disposable to the extension context. No service locator.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ContextKey, ViewId } from './commands/ids';
import { registerConfigurationCommands } from './commands/configuration';
import { registerNavigationCommands } from './commands/navigation';
import { RecordsStore } from './core/releases/recordsStore';
import { fileRecordsStorage } from './infra/git/recordsFileStorage';
import { SimpleGitPort } from './infra/git/simpleGitPort';
import { ConfigDiagnostics } from './services/configDiagnostics';
import { RollbackWorkspace } from './services/rollbackWorkspace';
import { MigrationsTreeProvider } from './views/migrationsTree';
import { ReleasesTreeProvider } from './views/releasesTree';

/** What activate() returns: used by the integration suite, and by other extensions at their own risk. */
export interface RollbackPilotApi {
  readonly workspace: RollbackWorkspace | undefined;
  readonly releases: ReleasesTreeProvider;
  readonly migrations: MigrationsTreeProvider;
  /** Milliseconds from activate() entry to the first Releases tree level, once painted. */
  readonly timings: { activateMs?: number; firstTreeRequestedMs?: number; firstTreeMs?: number };
}

export function activate(context: vscode.ExtensionContext): RollbackPilotApi {
  const started = Date.now();
  const timings: RollbackPilotApi['timings'] = {};
  const log = vscode.window.createOutputChannel('Rollback Pilot', { log: true });
  context.subscriptions.push(log);

  const folder = vscode.workspace.workspaceFolders?.[0];
  let workspace: RollbackWorkspace | undefined;
  if (folder && folder.uri.scheme === 'file') {
    const root = folder.uri.fsPath;
    const git = new SimpleGitPort(root);
    const records = new RecordsStore(fileRecordsStorage(path.join(root, '.rollback', 'records.json')));
    workspace = new RollbackWorkspace(folder.uri, git, records, log);
    context.subscriptions.push(workspace);
  }
  void vscode.commands.executeCommand('setContext', ContextKey.releasesState, workspace ? 'loading' : 'noRepo');

  const releases = new ReleasesTreeProvider(workspace);
  const migrations = new MigrationsTreeProvider(workspace);
  releases.firstRequest = () => {
    timings.firstTreeRequestedMs = Date.now() - started;
  };
  releases.firstPaint = () => {
    timings.firstTreeMs = Date.now() - started;
    log.info(`First Releases tree level ready ${timings.firstTreeMs} ms after activation started (VS Code asked for it at ${timings.firstTreeRequestedMs} ms)`);
  };
  context.subscriptions.push(
    releases,
    migrations,
    vscode.window.createTreeView(ViewId.releases, { treeDataProvider: releases, showCollapseAll: true }),
    vscode.window.createTreeView(ViewId.migrations, { treeDataProvider: migrations, showCollapseAll: true }),
  );

  if (workspace) {
    const diagnostics = new ConfigDiagnostics(workspace);
    context.subscriptions.push(diagnostics);
    void diagnostics.fromWorkspace();
    void workspace.config().then((c) => vscode.commands.executeCommand('setContext', ContextKey.hasConfig, c.fileExists));
    context.subscriptions.push(workspace.onDidChange(() => void workspace!.config().then((c) => vscode.commands.executeCommand('setContext', ContextKey.hasConfig, c.fileExists))));
  }

  const refreshViews = () => {
    releases.refresh();
    migrations.refresh();
  };
  context.subscriptions.push(
    ...registerNavigationCommands(workspace, refreshViews),
    ...registerConfigurationCommands(workspace),
  );

  timings.activateMs = Date.now() - started;
  log.info(`Activated in ${timings.activateMs} ms${workspace ? ` for ${workspace.root.fsPath}` : ' (no folder open)'}`);
  return { workspace, releases, migrations, timings };
}

export function deactivate(): void {}
