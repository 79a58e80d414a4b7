// The checklist page during runbook 000's brief investigation, before any rollback run (and so
// any journal) exists: the countdown to the configured limit, "Roll back now" and "Decide now"
// while it runs, and at zero "Time's up: roll back now"; beside it the triggers the decision
// offered and "Open logs" for the services with logs:. Same page bundle, CSP and protocol as
// the run's checklist. The host holds the clock: the page is unloaded while hidden
// (retainContextWhenHidden is off) and, shown again, says "ready" and gets the same deadline.
import * as vscode from 'vscode';
import { checklistHtml, newNonce } from './html';
import { CHECKLIST_VIEW_TYPE, describeRejected, isPageToHost, type HostToPage, type InvestigationChoice, type InvestigationView } from './protocol';

export interface InvestigationPanelOptions {
  startedAt: number;
  lengthMs: number;
  now?: () => number;
  log?: (line: string) => void;
  /** The triggers the decision offered, shown when they arrive (already redacted). Never rejects. */
  triggers?: Promise<string[]>;
  /** The services "Open logs" can stream. Never rejects. */
  logs?: Promise<string[]>;
  /** "Open logs" pressed for one of `logs`. */
  openLogs?(service: string): Promise<void>;
}

export class InvestigationPanel {
  /** Where the page bundle is (dist/webview): set once at activation, with the checklist's serializer. */
  private static extensionUri: vscode.Uri | undefined;
  private static current: InvestigationPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly choiceListeners = new Set<(c: InvestigationChoice) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;
  /** What has arrived of the triggers and the log streams (the page shows "reading" until then). */
  private triggers: string[] | undefined;
  private logs: string[] | undefined;

  static usePage(extensionUri: vscode.Uri): void {
    InvestigationPanel.extensionUri = extensionUri;
  }

  /** Opens the page beside the editor (one at a time), or undefined when the page's location is unknown (then the status bar and the notification carry the timer alone). */
  static open(options: InvestigationPanelOptions): InvestigationPanel | undefined {
    const root = InvestigationPanel.extensionUri && vscode.Uri.joinPath(InvestigationPanel.extensionUri, 'dist', 'webview');
    if (!root) return undefined;
    InvestigationPanel.current?.close();
    const panel = vscode.window.createWebviewPanel(CHECKLIST_VIEW_TYPE, 'Rollback: investigating', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [root],
    });
    const p = new InvestigationPanel(panel, root, options);
    InvestigationPanel.current = p;
    return p;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    root: vscode.Uri,
    private readonly options: InvestigationPanelOptions,
  ) {
    const webview = panel.webview;
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => this.disposed()),
    );
    webview.html = checklistHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      nonce: newNonce(),
    });
    // Each arrives in its own time; the page gets the view again with it (a page not loaded yet gets it with "ready").
    void options.triggers?.then((t) => this.update(() => (this.triggers = t)), () => this.update(() => (this.triggers = [])));
    void options.logs?.then((l) => this.update(() => (this.logs = l)), () => this.update(() => (this.logs = [])));
    if (!options.triggers) this.triggers = [];
    if (!options.logs) this.logs = [];
  }

  private update(set: () => void): void {
    set();
    if (!this.closed) this.post({ type: 'investigation', view: this.view() });
  }

  get open(): boolean {
    return !this.closed;
  }

  onChoice(listener: (c: InvestigationChoice) => void): void {
    this.choiceListeners.add(listener);
  }

  /** The operator closed the page (the status bar and the notification still count down). */
  onClosed(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  /** At zero: the page is brought to the front, so "Time's up: roll back now" is in view. */
  timeUp(): void {
    if (this.closed) return;
    this.panel.title = "Rollback: time's up";
    this.panel.reveal(undefined, true);
  }

  /** The investigation ended (a choice here, "Decide now" in the notification, or Cancel): the page goes. */
  close(): void {
    if (!this.closed) this.panel.dispose();
  }

  private view(): InvestigationView {
    const o = this.options;
    return { startedAt: o.startedAt, lengthMs: o.lengthMs, now: (o.now ?? Date.now)(), ...(this.triggers ? { triggers: this.triggers.slice(0, 50) } : {}), ...(this.logs ? { logs: this.logs.slice(0, 50) } : {}) };
  }

  private post(message: HostToPage): void {
    void this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.options.log?.(`investigation: could not post to the page: ${String(e)}`));
  }

  private receive(m: unknown): void {
    if (!isPageToHost(m)) {
      this.options.log?.(`investigation: dropped a malformed message from the page: ${describeRejected(m)}`);
      return;
    }
    // Every load (the first, and each time the hidden page is shown again) asks with "ready".
    if (m.type === 'ready') return this.post({ type: 'investigation', view: this.view() });
    if (m.type === 'investigation-choice') {
      for (const l of [...this.choiceListeners]) l(m.choice);
      return;
    }
    // Only a service the page was offered: the page cannot name another command to run.
    if (m.type === 'open-logs' && m.service && this.logs?.includes(m.service) && this.options.openLogs) {
      this.options.openLogs(m.service).catch((e: unknown) => this.options.log?.(`investigation: could not open the logs of ${m.service}: ${String(e)}`));
      return;
    }
    this.options.log?.(`investigation: ${m.type} has no meaning before the rollback runs; ignored`);
  }

  private disposed(): void {
    this.closed = true;
    if (InvestigationPanel.current === this) InvestigationPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const l of [...this.closeListeners]) l();
    this.closeListeners.clear();
    this.choiceListeners.clear();
  }
}
