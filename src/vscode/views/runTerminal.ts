import * as vscode from 'vscode';
import { oneLine, terminalSafe } from '../../core/redact/displayText';
import type { RollbackEvent, RollbackEvents } from '../../core/run/events';

/**
 * While a rollback runs, a terminal shows every command and its output as it streams,
 * so the operator can watch long builds; the log channel gets one line per step. It
 * follows the engine's events; nothing polls the run. (The checklist's status bar item
 * carries the timer and the current step.)
 */
export class RunTerminal implements vscode.Disposable {
  private readonly subscription: { dispose(): void };
  private terminal?: vscode.Terminal;
  private readonly write = new vscode.EventEmitter<string>();

  constructor(events: RollbackEvents, private readonly log: vscode.LogOutputChannel) {
    this.subscription = events.on((e) => this.onEvent(e));
  }

  private onEvent(e: RollbackEvent): void {
    switch (e.type) {
      case 'run-started':
        this.openTerminal(`Rollback ${e.plan.environment}: ${e.plan.from.name} → ${e.plan.to.name}`);
        this.print(`\x1b[1mRolling back ${e.plan.environment} (${e.plan.where}) from ${e.plan.from.name} to ${e.plan.to.name}\x1b[0m\r\nReason: ${e.plan.reason}\r\n`);
        break;
      case 'step-started':
        this.print(`\r\n\x1b[36m▶ ${e.step.title}\x1b[0m\r\n`);
        for (const c of e.step.commands) this.print(`\x1b[2m${c.where}$ ${c.command}\x1b[0m\r\n`);
        break;
      case 'step-output':
        this.print(e.chunk.replace(/\r?\n/g, '\r\n'));
        break;
      case 'step-finished': {
        const color = e.outcome === 'ok' ? 32 : e.outcome === 'skipped' ? 33 : 31;
        this.print(`\x1b[${color}m${e.outcome.toUpperCase()}\x1b[0m${e.detail ? ` ${e.detail}` : ''}\r\n`);
        this.log.info(`step ${e.stepId}: ${e.outcome}${e.detail ? ` (${oneLine(e.detail, 2000)})` : ''}`);
        break;
      }
      case 'plan-changed':
        this.print(`\r\n\x1b[33mThe plan changed (as previewed under its fallbacks); the steps are now:\x1b[0m\r\n${e.plan.steps.map((s, i) => `  ${i + 1}. ${s.title}`).join('\r\n')}\r\n`);
        this.log.info(`plan changed: ${e.plan.steps.map((s) => s.id).join(', ')}`);
        break;
      case 'health-probe':
        this.print(`  health ${e.url} → ${e.status ?? e.error ?? 'no answer'}${e.ok ? ' ✓' : ''}\r\n`);
        break;
      case 'check-result':
        this.print(`  ${e.outcome === 'ok' ? '✓' : e.outcome === 'skipped' ? '–' : '✗'} ${e.name}: ${e.detail}\r\n`);
        break;
      case 'run-finished':
        this.print(`\r\n\x1b[1m${e.success ? 'Rollback finished' : 'Rollback stopped'}:\x1b[0m ${e.state}\r\n`);
        break;
    }
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

  /** Commands' output and what hosts said (errors, a health answer) can carry escape sequences: only colours reach the terminal, never a cursor move or a lone \r (displayText.ts). */
  private print(text: string): void {
    this.write.fire(terminalSafe(text).replace(/\r?\n/g, '\r\n'));
  }

  dispose(): void {
    this.subscription.dispose();
    this.write.dispose();
    this.terminal?.dispose();
  }
}
