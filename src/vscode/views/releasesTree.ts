import * as vscode from 'vscode';
import type { Release } from '../../core/releases';
import { moreLabel, releaseChangedFiles, releaseCommits } from '../../core/releases';
import { migrationsForFiles } from '../../core/migrations';
import type { Migration, MigrationVerdict } from '../../core/migrations/types';
import { summarize } from '../../core/classify';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId, ContextKey } from '../contributions';
import { relativeTime } from './relativeTime';
import { migrationItem } from './migrationItem';
import { releaseTooltipMarkdown } from './tooltipMarkdown';
import { noteText } from './noteText';
import { lastTeamState } from '../../app/teamState';
import type { FleetLine } from '../../app/fleetStatus';
import { environmentNotes, type EnvironmentLine } from '../../app/environmentStatus';

/** What the fleets' hosts ran when last read (src/app/fleetStatus.ts). */
export interface FleetLines {
  current(): FleetLine[];
  onDidChange(listener: () => void): { dispose(): void };
}

/** What each single-host environment ran when last read (src/app/environmentStatus.ts); read once after the first paint. */
export interface EnvironmentLines {
  current(): EnvironmentLine[];
  onDidChange(listener: () => void): { dispose(): void };
  afterFirstPaint(): void;
}

/** Nodes of the Releases view. Children are loaded only when a release is expanded. */
export type ReleasesNode =
  | { kind: 'note'; message: string; severity: 'info' | 'warning' }
  | { kind: 'release'; release: Release; previous?: Release }
  | { kind: 'section'; title: 'Commits' | 'Migrations'; release: Release; previous?: Release; summary?: string; migrations?: Migration[] }
  | { kind: 'commit'; sha: string; shortSha: string; subject: string; author: string; date: string }
  | { kind: 'more'; message: string }
  | { kind: 'migration'; migration: Migration; verdict?: MigrationVerdict };

const MARKER_LABEL: Record<string, string> = {
  deployed: 'deployed',
  'last-known-good': 'last-known-good',
  bad: 'bad',
  recorded: 'recorded deploy',
};

export class ReleasesTreeProvider implements vscode.TreeDataProvider<ReleasesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ReleasesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly fleetSubscription?: { dispose(): void };
  private readonly environmentSubscription?: { dispose(): void };
  /** Called once when VS Code first asks for the first level, and once when it is produced (activation timing). */
  firstRequest?: () => void;
  firstPaint?: () => void;

  /** `redact`: the product's redactor for the notes (hosts' words); without it, the redactor's pattern families. */
  constructor(private readonly workspace: RollbackWorkspace | undefined, private readonly fleets?: FleetLines, private readonly environments?: EnvironmentLines, private readonly redact?: (text: string) => string) {
    this.subscription = workspace?.onDidChange(() => this.changed.fire(undefined)) ?? new vscode.Disposable(() => {});
    this.fleetSubscription = fleets?.onDidChange(() => this.changed.fire(undefined));
    this.environmentSubscription = environments?.onDidChange(() => this.changed.fire(undefined));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: ReleasesNode): Promise<ReleasesNode[]> {
    if (!this.workspace) {
      setState('noRepo');
      return [];
    }
    if (!node) return this.rootNodes();
    if (node.kind === 'release') {
      const added = await this.addedMigrations(node.release, node.previous).catch(() => undefined);
      let summary: string | undefined;
      if (added && added.length) {
        const verdicts = await this.workspace.verdicts().catch(() => new Map<string, MigrationVerdict>());
        const vs = added.map((m) => verdicts.get(m.file)).filter((v): v is MigrationVerdict => !!v);
        summary = vs.length === added.length ? summarize(vs) : `${added.length} migrations`;
      }
      return [
        { kind: 'section', title: 'Commits', release: node.release, previous: node.previous },
        { kind: 'section', title: 'Migrations', release: node.release, previous: node.previous, summary: summary ?? 'none', migrations: added },
      ];
    }
    if (node.kind === 'section' && node.title === 'Commits') {
      const { commits, more: remaining } = await releaseCommits(this.workspace.gitPort, node.release, node.previous);
      const items: ReleasesNode[] = commits.map((c) => ({
        kind: 'commit',
        sha: c.sha,
        shortSha: c.shortSha,
        subject: c.subject,
        author: c.author,
        date: c.date,
      }));
      const more = moreLabel({ commits, more: remaining });
      if (more) items.push({ kind: 'more', message: more });
      return items;
    }
    if (node.kind === 'section' && node.title === 'Migrations') {
      // Found already when the release was expanded (for its summary); found again only if that failed.
      const added = node.migrations ?? (await this.addedMigrations(node.release, node.previous));
      if (added.length === 0) return [{ kind: 'more', message: 'No migrations in this release' }];
      const verdicts = await this.workspace.verdicts().catch(() => new Map<string, MigrationVerdict>());
      return added.map((migration) => ({ kind: 'migration', migration, verdict: verdicts.get(migration.file) }));
    }
    return [];
  }

  private async addedMigrations(release: Release, previous?: Release): Promise<Migration[]> {
    const files = await releaseChangedFiles(this.workspace!.gitPort, release, previous);
    return migrationsForFiles(await this.workspace!.migrations(), files);
  }

  private async rootNodes(): Promise<ReleasesNode[]> {
    this.firstRequest?.();
    this.firstRequest = undefined;
    const ws = this.workspace!;
    try {
      const listing = await ws.releases();
      const nodes: ReleasesNode[] = listing.notes.map((message) => ({ kind: 'note', message, severity: 'warning' }));
      const { fellBackToDefault } = await ws.config();
      if (fellBackToDefault) {
        nodes.unshift({ kind: 'note', message: 'rollback.yml has errors (see Problems); showing the embedded defaults', severity: 'warning' });
      }
      // Each single host: what it runs, and a warning when the checkout here is at another commit (after the team's and fleets' notes).
      nodes.unshift(...environmentNotes(this.environments?.current() ?? []).map((n): ReleasesNode => ({ kind: 'note', ...n })));
      // What the last Refresh read on the environment's target: another operator's rollback there comes first.
      const team = lastTeamState();
      if (team?.inProgress) nodes.unshift({ kind: 'note', message: `${team.environment} on ${team.where}: ${team.inProgress.summary} — read ${relativeTime(team.readAt)}`, severity: 'warning' });
      if (team?.inProgress?.journalProblem) nodes.splice(1, 0, { kind: 'note', message: team.inProgress.journalProblem, severity: 'info' });
      if (team?.problem) nodes.unshift({ kind: 'note', message: `Could not read the rollback lock of ${team.environment} on ${team.where}: ${team.problem}`, severity: 'warning' });
      // Each fleet: what its hosts ran when last read; hosts on different releases are a warning.
      const fleetNotes: ReleasesNode[] = (this.fleets?.current() ?? []).map((l) => ({ kind: 'note', message: `${l.text} — read ${relativeTime(l.readAt)}`, severity: l.mixed ? 'warning' : 'info' }));
      nodes.unshift(...fleetNotes);
      const rs = listing.releases;
      rs.forEach((release, i) => nodes.push({ kind: 'release', release, previous: rs[i + 1] }));
      setState(listing.notRepository ? 'noRepo' : rs.length === 0 ? 'noReleases' : 'ready');
      return listing.notRepository ? [] : nodes;
    } catch (e) {
      setState('ready');
      return [{ kind: 'note', message: `Could not list releases: ${(e as Error).message}`, severity: 'warning' }];
    } finally {
      this.firstPaint?.();
      this.firstPaint = undefined;
      this.environments?.afterFirstPaint();
    }
  }

  getTreeItem(node: ReleasesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'note': {
        // A note quotes what a host said (an image reference, a lock's holder, an error): redacted, one line, bounded (noteText.ts).
        const { label, tooltip } = noteText(node.message, this.redact);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.severity === 'warning' ? 'warning' : 'info');
        item.tooltip = tooltip;
        item.contextValue = 'note';
        return item;
      }
      case 'release': {
        const r = node.release;
        const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.Collapsed);
        const markers = r.markers.map((m) => MARKER_LABEL[m] ?? m);
        item.description = [...markers, relativeTime(r.date)].filter(Boolean).join(' · ');
        item.iconPath = releaseIcon(r);
        item.id = `release:${r.source}:${r.name}:${r.sha}`;
        item.contextValue = ['release', ...r.markers].join(' ');
        item.tooltip = new vscode.MarkdownString(releaseTooltipMarkdown(r, markers, node.previous?.name));
        return item;
      }
      case 'section': {
        const item = new vscode.TreeItem(node.title, vscode.TreeItemCollapsibleState.Collapsed);
        if (node.summary) item.description = node.summary;
        item.iconPath = new vscode.ThemeIcon(node.title === 'Commits' ? 'git-commit' : 'database');
        item.id = `section:${node.title}:${node.release.sha}:${node.release.name}`;
        item.contextValue = `section-${node.title.toLowerCase()}`;
        return item;
      }
      case 'commit': {
        const item = new vscode.TreeItem(node.subject, vscode.TreeItemCollapsibleState.None);
        item.description = `${node.shortSha} · ${node.author} · ${relativeTime(node.date)}`;
        item.iconPath = new vscode.ThemeIcon('git-commit');
        item.tooltip = `${node.sha}\n${node.author}, ${node.date}\n\n${node.subject}`;
        item.contextValue = 'commit';
        item.command = { command: CommandId.revealReleaseCommit, title: 'Show Commit', arguments: [node.sha] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.contextValue = 'more';
        return item;
      }
      case 'migration':
        return migrationItem(node.migration, this.workspace!.root, node.verdict);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.fleetSubscription?.dispose();
    this.environmentSubscription?.dispose();
    this.changed.dispose();
  }
}

function releaseIcon(r: Release): vscode.ThemeIcon {
  if (r.markers.includes('bad')) return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  if (r.markers.includes('deployed')) return new vscode.ThemeIcon('rocket', new vscode.ThemeColor('charts.blue'));
  if (r.markers.includes('last-known-good')) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  return new vscode.ThemeIcon(r.source === 'deploy-record' ? 'history' : 'tag');
}

/**
 * Not awaited: setContext is a round trip to the workbench, which is at its busiest while
 * the window starts (130–480 ms measured in code-server). The tree must not wait for it;
 * the welcome content follows the key when it lands (messages keep their order).
 */
function setState(state: 'ready' | 'noRepo' | 'noReleases'): void {
  void vscode.commands.executeCommand('setContext', ContextKey.releasesState, state);
}
