import * as vscode from 'vscode';
import { chooseEnvironment, environmentCwd } from '../../app/environments';
import { readRunningJournal } from '../../app/teamJournal';
import { lastTeamState } from '../../app/teamState';
import type { RollbackDialogs } from '../dialogs';
import type { RollbackSessions } from '../rollbackSessions';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import { CommandId } from '../contributions';
import type { CommandRegistry } from '../commandRegistry';

/** Documents of this scheme come from the provider below: VS Code opens them read-only, and no untitled file is left to save. */
export const TEAM_JOURNAL_SCHEME = 'rollback-journal';

class TeamJournalDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This journal was read in an earlier window; run Rollback: Open Running Rollback\'s Journal again to read it from the target.';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Open Running Rollback's Journal: the journal of the rollback holding the environment's lock
 * (another operator's, on another machine), read from its copy on the target and shown in a
 * read-only document. The environment the last Refresh saw a rollback in progress on comes first.
 */
export function registerTeamJournalCommand(registry: CommandRegistry, maybeWorkspace: RollbackWorkspace | undefined, maybeSessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs): vscode.Disposable[] {
  const documents = new TeamJournalDocuments();
  registry.register(CommandId.openRunningJournal, { needs: 'trust', what: "open the running rollback's journal" }, async () => {
    const workspace = maybeWorkspace!;
    const sessions = maybeSessions!;
    const { config } = await workspace.config();
    const seen = lastTeamState();
    const known = seen?.inProgress ? config.environments.find((e) => e.name === seen.environment) : undefined;
    const chosen = known ? { env: known, cwd: environmentCwd(known, workspace.root.fsPath) } : await chooseEnvironment(workspace, dialogs());
    if (!chosen) return;
    const read = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading the running rollback's journal on ${chosen.env.host}` }, () =>
      readRunningJournal((host) => sessions.runnerFor(host), chosen.env, chosen.cwd),
    );
    if ('none' in read) return void dialogs().info(read.none);
    const uri = vscode.Uri.from({ scheme: TEAM_JOURNAL_SCHEME, path: `/${read.title.replace(/[^A-Za-z0-9._-]+/g, '-')}.md`, query: `read=${Date.now()}` });
    documents.set(uri, sessions.redact(read.text));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
  });
  return [vscode.workspace.registerTextDocumentContentProvider(TEAM_JOURNAL_SCHEME, documents), documents];
}
