import * as vscode from 'vscode';
import type { FlowUi, Presenter, PreviewDocument, RollbackDialogs, StopControl } from '../app/ui';
import type { RollbackSessions } from '../app/sessions';
import type { RollbackJournal, UnreadableJournal } from '../core/run/journalTypes';
import { runProgress } from '../core/run';
import { CommandId } from './contributions';
import { chooseHowToStop, showingRun } from './commands/stopChoice';
import type { Previews } from './preview/previews';
import { investigationLogsOpener, showInvestigation } from './investigation';
import type { InvestigationPageInfo } from '../core/decision/page';
import { notificationSafe } from '../core/redact/displayText';

/**
 * The application layer's Presenter in VS Code: messages go through the dialogs (so the
 * integration suite's scripted dialogs record them), previews open in the one preview panel, the run's
 * progress is a cancellable notification whose Cancel asks how to stop.
 */
export class VsCodePresenter implements Presenter {
  constructor(
    private readonly dialogs: RollbackDialogs,
    private readonly sessions: RollbackSessions,
    /** The one plan preview of the window (src/vscode/preview): rendered, reused, the diff one click away. */
    private readonly previews: Previews,
  ) {
    const dialogsSay = dialogs.configErrors?.bind(dialogs);
    if (dialogsSay) this.configErrors = dialogsSay;
  }

  /** rollback.yml has errors, said until they are fixed (when the dialogs can; the scripted ones say it as an error). */
  readonly configErrors?: (message: string) => void;

  info(message: string): void {
    this.dialogs.info(message);
  }

  error(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.dialogs.error(message, ...actions);
  }

  warn(message: string): void {
    void vscode.window.showWarningMessage(notificationSafe(this.sessions.redact(message)));
  }

  /** The readable plan (rendered, in the one preview panel), with the code diff the rollback will apply one click away. */
  async showPreview(doc: PreviewDocument): Promise<void> {
    const diff = doc.diff;
    await this.previews.show({
      kind: 'plan',
      markdown: doc.text,
      diff: diff && { title: diff.title.replace(/^#+\s*/, ''), text: async () => `${diff.title}\n${await diff.text()}` },
    });
  }

  /** The brief investigation's timer (the checklist page with the triggers and Open logs, the status bar, the notification): it ends with the page's choice, or on Cancel the decision is asked again. */
  investigate(lengthMs: number, startedAt: number, page?: InvestigationPageInfo): Promise<'decide' | 'roll-back' | 'cancelled'> {
    return showInvestigation(lengthMs, startedAt, { ...(page ? { page } : {}), redact: (t) => this.sessions.redact(t), openLogs: investigationLogsOpener(this.sessions) });
  }

  async openFile(absPath: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(absPath));
  }

  progress<T>(title: string, work: (report: (message: string, increment: number) => void) => Promise<T>, stop: StopControl): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      // Cancel is two different things: let the running command finish, or kill it. Ask which.
      const cancel = token.onCancellationRequested(() => void chooseHowToStop(this.sessions, stop.running(), stop));
      // Rollback: Cancel Rollback from the palette reaches this run too (a fleet's run is not the sessions' active run).
      showingRun(stop);
      try {
        return await work((message, increment) => progress.report({ message, increment }));
      } finally {
        showingRun(undefined);
        cancel.dispose();
      }
    }));
  }

  async pickRun(runs: RollbackJournal[], unreadable: UnreadableJournal[]): Promise<{ journal: RollbackJournal } | { unreadable: UnreadableJournal } | undefined> {
    type Item = vscode.QuickPickItem & { journal?: RollbackJournal; unreadable?: UnreadableJournal };
    const items: Item[] = [
      ...runs.map((r) => ({
        label: `${r.plan.environment}: ${r.plan.from.name} → ${r.plan.to.name}`,
        description: `${r.status} · ${runProgress(r)}`,
        detail: `${r.runId} · ${r.operator}${r.machine ? ` on ${r.machine}` : ''} · ${r.plan.reason}`,
        journal: r,
      })),
      ...unreadable.map((u) => ({ label: `$(warning) Cannot be read: ${vscode.workspace.asRelativePath(u.file)}`, detail: `${u.reason} (picking it opens the file)`, unreadable: u })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Resume which rollback?', ignoreFocusOut: true });
    if (picked?.unreadable) return { unreadable: picked.unreadable };
    return picked?.journal && { journal: picked.journal };
  }

  async runDidNotFinish(message: string, _runId: string): Promise<void> {
    const resume = 'Resume Rollback';
    const pick = await this.dialogs.error(message, resume);
    if (pick === resume) await vscode.commands.executeCommand(CommandId.resumeRollback);
  }
}

/** The flow's two sides in VS Code: the dialogs in force now (the integration suite may have swapped them) and the presenter over them. */
export function vscodeUi(dialogs: RollbackDialogs, sessions: RollbackSessions, previews: Previews): FlowUi {
  return { prompter: dialogs, presenter: new VsCodePresenter(dialogs, sessions, previews) };
}
