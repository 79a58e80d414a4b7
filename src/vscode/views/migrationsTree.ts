import * as vscode from 'vscode';
import type { Migration, MigrationGroup, MigrationVerdict } from '../../core/migrations/types';
import type { AppliedMark, AppliedState } from '../../core/database';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { ContextKey } from '../contributions';
import { migrationItem } from './migrationItem';

export type MigrationsNode =
  | { kind: 'group'; group: MigrationGroup }
  | { kind: 'migration'; migration: Migration; group: MigrationGroup; verdict?: MigrationVerdict; applied?: AppliedMark }
  | { kind: 'problem'; message: string; severity?: 'warning' | 'info' };

/** Reads what the target database has applied for one group; undefined when nothing is configured to read it. */
export type AppliedStateReader = (group: MigrationGroup) => Promise<AppliedState | undefined>;

const TOOL_LABEL: Record<string, string> = {
  alembic: 'Alembic',
  prisma: 'Prisma',
  knex: 'Knex',
  'node-pg-migrate': 'node-pg-migrate',
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  sql: 'SQL files',
};

/** Every migration the project has, grouped by tool, in real apply order. */
export class MigrationsTreeProvider implements vscode.TreeDataProvider<MigrationsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<MigrationsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  private readonly applied = new Map<string, Promise<AppliedState | undefined>>();

  constructor(
    private readonly workspace: RollbackWorkspace | undefined,
    private readonly readApplied?: AppliedStateReader,
  ) {
    this.subscription = workspace?.onDidChange(() => this.changed.fire(undefined)) ?? new vscode.Disposable(() => {});
  }

  refresh(): void {
    this.applied.clear();
    this.changed.fire(undefined);
  }

  private appliedState(group: MigrationGroup): Promise<AppliedState | undefined> {
    const key = `${group.tool}:${group.dir}`;
    let p = this.applied.get(key);
    if (!p) {
      p = this.readApplied ? this.readApplied(group).catch((e: Error) => ({ readable: false, message: e.message, marks: new Map(), drift: [] })) : Promise.resolve(undefined);
      this.applied.set(key, p);
    }
    return p;
  }

  async getChildren(node?: MigrationsNode): Promise<MigrationsNode[]> {
    if (!this.workspace) return [];
    if (!node) {
      let groups: MigrationGroup[];
      try {
        const full = this.workspace.migrationsIfReady();
        // Paint from the shallow pass; the full one (content problems, then classes) refreshes the view when done.
        groups = full ?? (await this.workspace.migrationsShallow());
        if (!full) {
          void this.workspace.migrations().then(
            () => this.changed.fire(undefined),
            () => undefined,
          );
        }
      } catch (e) {
        return [{ kind: 'problem', message: `Could not read migrations: ${(e as Error).message}` }];
      }
      await vscode.commands.executeCommand('setContext', ContextKey.hasMigrations, groups.length > 0);
      return groups.map((group) => ({ kind: 'group', group }));
    }
    if (node.kind === 'group') {
      const problems: MigrationsNode[] = node.group.problems.map((message) => ({ kind: 'problem', message }));
      const state = await this.appliedState(node.group);
      if (state && !state.readable && state.message) problems.push({ kind: 'problem', message: `Applied state unknown: ${state.message}`, severity: 'info' });
      for (const d of state?.drift ?? []) problems.push({ kind: 'problem', message: `Drift: ${d}` });
      // Paint the list at once; classes fill in when classification (a parse per file) is done.
      const verdicts = this.workspace.verdictsIfReady();
      if (!verdicts) {
        void this.workspace.verdicts().then(
          () => this.changed.fire(undefined),
          () => undefined,
        );
      }
      return [...problems, ...node.group.migrations.map((migration) => ({ kind: 'migration' as const, migration, group: node.group, verdict: verdicts?.get(migration.file), applied: state?.readable ? state.marks.get(migration.id) : undefined }))];
    }
    return [];
  }

  getTreeItem(node: MigrationsNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const g = node.group;
      const item = new vscode.TreeItem(TOOL_LABEL[g.tool] ?? g.tool, vscode.TreeItemCollapsibleState.Expanded);
      const extra: string[] = [`${g.migrations.length} migrations`];
      if (g.heads && g.heads.length > 1) extra.push(`${g.heads.length} heads`);
      item.description = `${g.dir} · ${extra.join(' · ')}`;
      item.iconPath = new vscode.ThemeIcon('database');
      item.id = `group:${g.tool}:${g.dir}`;
      item.contextValue = 'migrationGroup';
      return item;
    }
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.severity === 'info' ? 'info' : 'warning');
      item.tooltip = node.message;
      return item;
    }
    const item = migrationItem(node.migration, this.workspace!.root, node.verdict);
    const g = node.group;
    const id = node.migration.id;
    const notes: string[] = [];
    if (g.branchPoints?.includes(id)) notes.push('branch point');
    if (g.merges?.includes(id)) notes.push('merge');
    if (node.applied === 'applied') notes.unshift('applied');
    if (node.applied === 'pending') notes.unshift('pending');
    if (g.heads?.includes(id)) notes.push('head');
    if (notes.length) item.description = [item.description, ...notes].filter(Boolean).join(' · ');
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
