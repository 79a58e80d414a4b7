import * as vscode from 'vscode';
import { timerStatus, type ChecklistService, type ChecklistSession, type Escalation } from '../../core/checklist';

/**
 * The rollback timer in the status bar while a run is active, and the escalation prompts.
 * Ticks once a second only while there is an active run.
 */
export class ChecklistStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setInterval> | undefined;
  private session: ChecklistSession | undefined;
  private readonly prompted = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: ChecklistService,
    openChecklistCommand: string,
    private readonly onEscalation: (session: ChecklistSession, e: Escalation) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.item = vscode.window.createStatusBarItem('rollbackPilot.timer', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Rollback timer';
    this.item.command = openChecklistCommand;
    this.disposables.push(this.service.onDidStartRun((s) => this.track(s)));
    if (service.active) this.track(service.active);
  }

  private track(session: ChecklistSession): void {
    this.session = session;
    this.disposables.push(session.onDidChange(() => this.render()));
    this.timer ??= setInterval(() => this.render(), 1000);
    this.render();
  }

  private render(): void {
    const s = this.session;
    if (!s || s.state.runStatus !== 'running') {
      this.item.hide();
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const t = timerStatus(s.state.decidedAt, s.state.escalateAtMinutes, s.state.escalationsHandled, this.now());
    const current = s.state.steps.find((x) => x.outcome === 'running');
    this.item.text = `$(history) Rollback ${t.label}${current ? ` · ${current.title}` : ''}`;
    const c = s.state.context;
    this.item.tooltip = `${c ? `Rolling back ${c.from.name} to ${c.to.name} on ${c.environment}` : 'Rollback in progress'} — ${t.label} since the decision. Click for the checklist.`;
    this.item.backgroundColor = t.due.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    for (const e of t.due) {
      const key = `${s.runId}:${e.minute}`;
      if (this.prompted.has(key)) continue;
      this.prompted.add(key);
      this.onEscalation(s, e);
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.item.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
