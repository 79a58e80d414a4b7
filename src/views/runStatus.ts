import * as vscode from 'vscode';
import type { RollbackEvent, RollbackEvents } from '../core/run/events';
import { CommandId } from '../commands/ids';

/**
 * While a rollback runs: a status bar item with the elapsed time and the current step,
 * and a terminal that shows every command and its output as it streams, so the
 * operator can watch long builds. Both follow the engine's events; nothing polls the run.
 */
export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rollbackPilot.run', vscode.StatusBarAlignment.Left, 100);
  private readonly subscription: { dispose(): void };
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private current = '';
  private terminal?: vscode.Terminal;
  private readonly write = new vscode.EventEmitter<string>();

  constructor(events: RollbackEvents, private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'Rollback in progress';
    this.item.command = CommandId.cancelRollback;
    this.subscription = events.on((e) => this.onEvent(e));
  }

  private onEvent(e: RollbackEvent): void {
    switch (e.type) {
      case 'run-started':
        this.startedAt = e.at;
        this.current = 'starting';
        this.openTerminal(`Rollback ${e.plan.environment}: ${e.plan.from.name} → ${e.plan.to.name}`);
        this.print(`\x1b[1mRolling back ${e.plan.environment} (${e.plan.where}) from ${e.plan.from.name} to ${e.plan.to.name}\x1b[0m\r\nReason: ${e.plan.reason}\r\n`);
        this.timer = setInterval(() => this.render(), 1000);
        this.render();
        this.item.show();
        break;
      case 'step-started':
        this.current = e.step.title;
        this.print(`\r\n\x1b[36m▶ ${e.step.title}\x1b[0m\r\n`);
        for (const c of e.step.commands) this.print(`\x1b[2m${c.where}$ ${c.command}\x1b[0m\r\n`);
        this.render();
        break;
      case 'step-output':
        this.print(e.chunk.replace(/\r?\n/g, '\r\n'));
        break;
      case 'step-finished': {
        const color = e.outcome === 'ok' ? 32 : e.outcome === 'skipped' ? 33 : 31;
        this.print(`\x1b[${color}m${e.outcome.toUpperCase()}\x1b[0m${e.detail ? ` ${e.detail}` : ''}\r\n`);
        this.log.info(`step ${e.stepId}: ${e.outcome}${e.detail ? ` (${e.detail})` : ''}`);
        break;
      }
      case 'health-probe':
        this.print(`  health ${e.url} → ${e.status ?? e.error ?? 'no answer'}${e.ok ? ' ✓' : ''}\r\n`);
        break;
      case 'run-finished':
        clearInterval(this.timer);
        this.print(`\r\n\x1b[1m${e.success ? 'Rollback finished' : 'Rollback stopped'}:\x1b[0m ${e.state}\r\n`);
        this.item.hide();
        break;
    }
  }

  private render(): void {
    const s = Math.floor((Date.now() - this.startedAt) / 1000);
    const mm = String(Math.floor(s / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    this.item.text = `$(sync~spin) Rollback ${mm}:${ss} · ${this.current}`;
    this.item.tooltip = 'Rollback in progress — click to cancel after the current step';
  }

  private openTerminal(name: string): void {
    this.terminal?.dispose();
    const write = this.write;
    this.terminal = vscode.window.createTerminal({
      name,
      iconPath: new vscode.ThemeIcon('history'),
      pty: { onDidWrite: write.event, open: () => undefined, close: () => undefined },
    });
    this.terminal.show(true);
  }

  private print(text: string): void {
    this.write.fire(text);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.item.dispose();
    this.write.dispose();
    this.terminal?.dispose();
  }
}
