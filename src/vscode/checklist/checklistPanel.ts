import * as vscode from 'vscode';
import type { ChecklistService, ChecklistSession } from '../../core/checklist';
import { describeBlockers, explainBlockers } from '../../core/verification';
import { checklistHtml, newNonce } from './html';
import { CommandId } from '../contributions';
import { onTeamStateRead, otherRollbackNotice } from '../../app/teamState';
import type { RollbackJournal } from '../../core/run/journalTypes';
import type { RollbackEvents } from '../../core/run/events';
import { fleetGridView } from '../../core/fleet/gridView';
import { InvestigationPanel } from './investigationPanel';
import { CHECKLIST_VIEW_TYPE, describeRejected, isPageToHost, type ChecklistView, type HostToPage, type PageToHost } from './protocol';

/** How long a freshly loaded page may take to say "ready" before it is loaded again, and how often. */
const READY_WAIT_MS = 8_000;
const MAX_LOADS = 4;

export interface ChecklistPanelDeps {
  extensionUri: vscode.Uri;
  service: ChecklistService;
  secrets: vscode.SecretStorage;
  output: vscode.OutputChannel;
  /** Secret key under which the webhook URL is stored. */
  webhookSecretKey: string;
  operator(): string;
  /** Commands the page's buttons run (ids, so the panel does not import the command modules). */
  commands: { startPostmortem: string; setWebhookUrl: string; openLogs?: string };
  /** "Open logs": the run's service logs streamed into a terminal (vscode/views/logsTerminal.ts). */
  openLogs?(runId: string, service?: string): Promise<void>;
  now?: () => number;
  /** Fleet rollouts: the journal as last saved (the host × step grid is rebuilt from it) and the events that say it changed. */
  fleet?: { latestJournal(runId: string): RollbackJournal | undefined; events: RollbackEvents };
}

/** What the page stores with setState, so the serializer knows which run to bring back. */
interface PersistedPageState {
  runId?: string;
  readOnly?: boolean;
}

/** The checklist webview of one rollback run: at most one panel per run. */
export class ChecklistPanel {
  private static readonly panels = new Map<string, ChecklistPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private ready = false;
  private loads = 0;
  private readyWatch: ReturnType<typeof setTimeout> | undefined;
  private fleetTimer: ReturnType<typeof setTimeout> | undefined;

  static async show(deps: ChecklistPanelDeps, runId: string, options: { readOnly?: boolean; preserveFocus?: boolean } = {}): Promise<ChecklistPanel | undefined> {
    const key = ChecklistPanel.key(runId, options.readOnly);
    const existing = ChecklistPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, options.preserveFocus);
      return existing;
    }
    const session = await deps.service.open(runId, { readOnly: options.readOnly });
    if (!session) {
      void vscode.window.showErrorMessage(`Rollback Pilot: no journal found for run ${runId}.`);
      return undefined;
    }
    const panel = vscode.window.createWebviewPanel(CHECKLIST_VIEW_TYPE, ChecklistPanel.title(session), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false }, ChecklistPanel.webviewOptions(deps.extensionUri));
    return new ChecklistPanel(panel, session, deps);
  }

  /** Brings the panels back after a window reload; register once at activation. */
  static registerSerializer(deps: ChecklistPanelDeps): vscode.Disposable {
    // The investigation's page is this page too (before any run): it needs to know where the bundle is.
    InvestigationPanel.usePage(deps.extensionUri);
    return vscode.window.registerWebviewPanelSerializer(CHECKLIST_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const persisted = (typeof state === 'object' && state !== null ? state : {}) as PersistedPageState;
        const session = typeof persisted.runId === 'string' ? await deps.service.open(persisted.runId, { readOnly: persisted.readOnly === true }) : undefined;
        if (!session) {
          // Nothing to restore (journal gone or never saved): close rather than show an empty panel.
          panel.dispose();
          return;
        }
        if (ChecklistPanel.panels.has(ChecklistPanel.key(session.runId, session.readOnly))) {
          panel.dispose();
          return;
        }
        panel.webview.options = ChecklistPanel.webviewOptions(deps.extensionUri);
        new ChecklistPanel(panel, session, deps);
      },
    });
  }

  static disposeAll(): void {
    for (const p of [...ChecklistPanel.panels.values()]) p.panel.dispose();
  }

  private static key(runId: string, readOnly?: boolean): string {
    return readOnly ? `${runId}#history` : runId;
  }

  private static title(session: ChecklistSession): string {
    const c = session.state.context;
    return `${session.readOnly ? 'Rollback history' : 'Rollback'}: ${c ? `${c.from.name} → ${c.to.name}` : session.runId}`;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly session: ChecklistSession,
    private readonly deps: ChecklistPanelDeps,
  ) {
    ChecklistPanel.panels.set(ChecklistPanel.key(session.runId, session.readOnly), this);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      session.onDidChange(() => void this.push('state-update')),
      // Another operator's rollback seen by a Refresh is said in the banner (app/teamState.ts).
      onTeamStateRead(() => void this.push('state-update')),
      panel.onDidDispose(() => this.dispose()),
    );
    // A fleet's grid changes with every host × step event: redrawn at most every 300 ms.
    const fleetEvents = deps.fleet?.events.on((e) => {
      if (e.type !== 'step-output' && e.type !== 'run-finished') return;
      if (e.runId !== session.runId || this.fleetTimer) return;
      this.fleetTimer = setTimeout(() => {
        this.fleetTimer = undefined;
        void this.push('state-update');
      }, 300);
    });
    if (fleetEvents) this.disposables.push(new vscode.Disposable(() => fleetEvents.dispose()));
    this.load();
  }

  /**
   * Sets the page, and sets it again if it never says "ready": right after a reload or an
   * extension host crash the page's script can fail to load (its resources come through the
   * remote connection that is still coming back), or its "ready" be lost, which would leave
   * "Loading the checklist…" on screen for good. A new load sends "ready" again too.
   */
  private load(): void {
    const webview = this.panel.webview;
    const root = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    this.loads++;
    webview.html = checklistHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      nonce: newNonce(),
    });
    this.watchReady(READY_WAIT_MS * 2 ** (this.loads - 1));
  }

  /**
   * Loads the page again when it has not said ready in time: 8 s, then 16, 32 (a loaded machine
   * starts a webview slowly, and reloading it sooner only started it over). A webview that is not visible
   * is not loaded by VS Code at all, so while it is hidden the wait starts over instead.
   */
  private watchReady(waitMs: number): void {
    clearTimeout(this.readyWatch);
    this.readyWatch = setTimeout(() => {
      if (this.ready) return;
      if (!this.panel.visible) return this.watchReady(waitMs);
      if (this.loads >= MAX_LOADS) {
        this.deps.output.appendLine(`checklist: the page of ${this.session.runId} did not start after ${MAX_LOADS} loads; close it and run Rollback: Open Checklist`);
        return;
      }
      this.deps.output.appendLine(`checklist: the page of ${this.session.runId} did not say ready within ${waitMs} ms; loading it again (${this.loads + 1}/${MAX_LOADS})`);
      this.load();
    }, waitMs);
  }

  get runId(): string {
    return this.session.runId;
  }

  private async view(): Promise<ChecklistView> {
    const url = await this.deps.secrets.get(this.deps.webhookSecretKey);
    return {
      state: this.session.state,
      readOnly: this.session.readOnly,
      webhookConfigured: !!url,
      drafts: this.session.drafts(),
      now: (this.deps.now ?? Date.now)(),
      ...withNotice(this.session.notice, otherRollbackNotice(this.session.runId)),
      ...(this.session.saveError ? { saveError: this.session.saveError } : {}),
      ...this.fleetView(),
    };
  }

  private fleetView(): { fleet?: ChecklistView['fleet'] } {
    const journal = this.deps.fleet?.latestJournal(this.session.runId);
    const fleet = journal && fleetGridView(journal);
    return fleet ? { fleet } : {};
  }

  private post(message: HostToPage): void {
    // The session outlives its page: an update can arrive after the user closed it (VS Code then throws "Webview is disposed").
    if (this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.deps.output.appendLine(`checklist: could not post to the page: ${String(e)}`));
  }

  private async push(type: 'init' | 'state-update'): Promise<void> {
    if (this.disposed || (!this.ready && type === 'state-update')) return; // the page asks with `ready` and gets everything then
    this.panel.title = ChecklistPanel.title(this.session);
    const view = await this.view();
    this.post({ type, view });
  }

  private receive(m: unknown): void {
    if (!isPageToHost(m)) {
      this.deps.output.appendLine(`checklist: dropped a malformed message from the page: ${describeRejected(m)}`);
      return;
    }
    this.handle(m).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      this.deps.output.appendLine(`checklist: ${m.type} failed: ${message}`);
      this.post({ type: 'toast', level: 'error', message });
    });
  }

  private async handle(m: PageToHost): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    const s = this.session;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        return this.push('init');
      case 'toggle-item':
        return s.apply({ type: 'toggle-item', itemId: m.itemId, checked: m.checked, at: now, by: this.deps.operator() });
      case 'edit-text':
        return s.apply({ type: 'edit-text', itemId: m.itemId, text: m.text });
      case 'add-action-item':
        return s.apply({ type: 'add-action-item', id: `a-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`, text: m.text.trim(), at: now, ...(m.owner ? { owner: m.owner } : {}) });
      case 'edit-action-item':
        return s.apply({ type: 'edit-action-item', id: m.id, ...(m.text !== undefined ? { text: m.text } : {}), ...(m.owner !== undefined ? { owner: m.owner } : {}), ...(m.done !== undefined ? { done: m.done } : {}) });
      case 'remove-action-item':
        return s.apply({ type: 'remove-action-item', id: m.id });
      case 'escalation-handled':
        return s.apply({ type: 'escalation-handled', minute: m.minute });
      case 'send-notification':
      case 'retry-notification':
        return this.send(m);
      case 'copy-message':
        await vscode.env.clipboard.writeText(m.text);
        if (!s.readOnly) s.recordCopied(m.kind, m.text);
        this.post({ type: 'toast', level: 'info', message: 'Message copied: paste it into the incident channel, then tick the item.' });
        return;
      case 'open-logs':
        if (this.deps.openLogs) await this.deps.openLogs(s.runId, m.service);
        else if (this.deps.commands.openLogs) await vscode.commands.executeCommand(this.deps.commands.openLogs);
        else this.deps.output.show(true);
        return;
      case 'set-webhook':
        await vscode.commands.executeCommand(this.deps.commands.setWebhookUrl);
        return this.push('state-update');
      case 'start-postmortem':
        await vscode.commands.executeCommand(this.deps.commands.startPostmortem, s.runId);
        return;
      case 'check-ci':
        await vscode.commands.executeCommand(CommandId.checkCiStatus, s.runId);
        return;
      case 'file-follow-up':
        await vscode.commands.executeCommand(CommandId.fileFollowUpIssue, s.runId);
        return;
    }
  }

  private async send(m: Extract<PageToHost, { type: 'send-notification' | 'retry-notification' }>): Promise<void> {
    if (this.session.readOnly) return;
    if (!vscode.workspace.isTrusted) {
      this.post({ type: 'toast', level: 'error', message: 'Sending notifications needs a trusted workspace.' });
      return;
    }
    const kind = m.type === 'send-notification' ? m.kind : this.session.state.notifications.find((n) => n.id === m.notificationId)?.kind;
    if (!kind) return;
    // The all-clear is earned (issue 13): with a check failed, skipped or not run, it goes out only with the operator's reason.
    const blockers = kind === 'all-clear' && m.type === 'send-notification' ? this.session.allClearBlockers() : [];
    let exceptReason: string | undefined;
    if (blockers.length) {
      exceptReason = (await vscode.window.showInputBox({
        title: `The all-clear is not earned: ${describeBlockers(blockers)}`,
        prompt: `${explainBlockers(blockers)}. Type why it may go out anyway (the message, the journal and the post-mortem say so), or press Escape to keep it back.`,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim().length < 3 ? 'Say in a few words why, or press Escape' : undefined),
      }))?.trim();
      if (!exceptReason) {
        this.post({ type: 'toast', level: 'info', message: `The all-clear was not sent: ${describeBlockers(blockers)}.` });
        return;
      }
    }
    this.post({ type: 'busy', kind });
    try {
      const record = m.type === 'send-notification' ? await this.session.send(m.kind, m.text, exceptReason ? { exceptReason } : {}) : await this.session.retry(m.notificationId);
      if (record?.result === 'failed') this.post({ type: 'toast', level: 'error', message: `${record.error ?? 'The message was not sent.'} Use Retry, or Copy to paste it yourself.` });
    } finally {
      this.post({ type: 'busy', kind: null });
    }
  }

  private dispose(): void {
    this.disposed = true;
    clearTimeout(this.readyWatch);
    clearTimeout(this.fleetTimer);
    ChecklistPanel.panels.delete(ChecklistPanel.key(this.session.runId, this.session.readOnly));
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The banner: the checklist's own notice and the line about another operator's rollback, whichever there are. */
function withNotice(...notices: Array<string | undefined>): { notice?: string } {
  const text = notices.filter(Boolean).join(' ');
  return text ? { notice: text } : {};
}
