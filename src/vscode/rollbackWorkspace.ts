import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, WorkspaceModel, type WorkspaceDeps, type WorkspacePart } from '../app/workspaceModel';

export { CONFIG_FILE, type LoadedConfig } from '../app/workspaceModel';

/**
 * The workspace model (src/app/workspaceModel.ts) in a VS Code window: its caches are dropped
 * when something it depends on changes on disk (rollback.yml, git refs, migration folders,
 * the records), and rollback.yml is read as the open editor shows it, unsaved edits included.
 */
export class RollbackWorkspace extends WorkspaceModel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    override readonly root: vscode.Uri,
    deps: Omit<WorkspaceDeps, 'unsavedText'>,
    /** The rollbackPilot.recordsFile setting: relative to the folder, or absolute (it may live outside it). */
    recordsFile = '.rollback/records.json',
  ) {
    super(root, {
      ...deps,
      unsavedText: (absPath) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === absPath)?.getText(),
    });
    this.watch(CONFIG_FILE, ['config', 'releases', 'migrations']);
    // Tags and HEAD move: loose refs, packed refs, HEAD itself.
    this.watch('.git/{HEAD,packed-refs,refs/tags/**,refs/heads/**}', ['releases']);
    this.watch('{alembic,prisma,migrations,db,*/alembic}/**', ['migrations']);
    const records = path.resolve(root.fsPath, recordsFile);
    this.watch(path.basename(records), ['releases'], vscode.Uri.file(path.dirname(records)));
  }

  private watch(glob: string, parts: WorkspacePart[], base: vscode.Uri = this.root): void {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, glob));
    const fire = () => this.invalidate(parts);
    this.disposables.push(w, w.onDidChange(fire), w.onDidCreate(fire), w.onDidDelete(fire));
  }

  get configUri(): vscode.Uri {
    return vscode.Uri.joinPath(this.root, CONFIG_FILE);
  }

  override dispose(): void {
    super.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
