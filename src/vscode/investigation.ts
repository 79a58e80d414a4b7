// The brief investigation of runbook 000 ("roll back after brief investigation, ~5 minutes
// max"): a countdown in the checklist page, the status bar and a notification. It ends when the
// operator chooses in the page ("Roll back now", "Decide now", at zero "Time's up: roll back
// now") or presses Cancel ("decide now") in the notification. At zero with the page open the
// page is brought forward and waits for the operator (the rollback it offers is one click); with
// the page closed the decision is asked again, as before there was a page. The page shows the
// triggers the decision offered and streams the services' logs from "Open logs".
import * as vscode from 'vscode';
import { investigationStatus } from '../core/decision/tree';
import { InvestigationPanel } from './checklist/investigationPanel';
import type { InvestigationChoice } from './checklist/protocol';
import type { InvestigationPageInfo } from '../core/decision/page';
import type { LogWatchService } from '../core/logs/types';
import { StreamRedactor } from '../core/redact';
import type { RollbackSessions } from '../app/sessions';
import { LogsTerminals } from './views/logsTerminal';

export type InvestigationEnd = 'decide' | 'roll-back' | 'cancelled';

const TIP = 'Brief investigation before deciding on a rollback. If it is not clearly fixable by the end, roll back.';

export interface InvestigationOptions {
  now?: () => number;
  log?: (line: string) => void;
  /** The triggers and log streams the application layer gives the page. */
  page?: InvestigationPageInfo;
  /** Text from logs and commands, before the page shows it. */
  redact?: (text: string) => string;
  /** Streams one of `page.logs` in a terminal (vscode/views/logsTerminal.ts, the checklist's "Open logs"). */
  openLogs?(all: LogWatchService[], service: string): Promise<void>;
}

export function showInvestigation(lengthMs: number, startedAt: number, options: InvestigationOptions = {}): Promise<InvestigationEnd> {
  const now = options.now ?? Date.now;
  const redact = options.redact ?? ((t: string) => t);
  const streams = options.page?.logs?.catch(() => []);
  const openLogs = options.openLogs;
  const bar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 1000);
  bar.name = 'Rollback investigation';
  bar.tooltip = TIP;
  bar.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  const page = InvestigationPanel.open({
    startedAt,
    lengthMs,
    now,
    log: options.log,
    ...(options.page?.triggers ? { triggers: options.page.triggers.then((t) => t.map(redact), () => []) } : {}),
    ...(streams && openLogs ? { logs: streams.then((all) => all.map((w) => w.service)), openLogs: async (service: string) => openLogs(await streams, service) } : {}),
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  let finish: (end: InvestigationEnd) => void = () => {};
  const ended = new Promise<InvestigationEnd>((resolve) => {
    let done = false;
    finish = (end) => {
      if (done) return;
      done = true;
      resolve(end);
    };
  });
  page?.onChoice((c: InvestigationChoice) => finish(c));

  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Brief investigation', cancellable: true }, (progress, token) => {
    let overSaid = false;
    const tick = (): void => {
      const s = investigationStatus(startedAt, lengthMs, now());
      if (!s.over) {
        bar.text = `$(search) Investigating: ${s.label} left`;
        progress.report({ message: `${s.label} left, then the decision again${page?.open ? ' (the checklist beside offers the rollback)' : ''}. Cancel: decide now` });
        return;
      }
      if (!page?.open) return finish('decide');
      if (overSaid) return;
      overSaid = true;
      bar.text = "$(warning) Time's up: roll back now?";
      bar.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      progress.report({ message: "Time's up. If it is not clearly fixable, roll back: the checklist beside offers it. Cancel: ask me again" });
      page.timeUp();
    };
    tick();
    bar.show();
    timer = setInterval(tick, 1000);
    // The page closed by the operator: the countdown goes on here, and at zero the decision is asked.
    page?.onClosed(() => tick());
    const sub = token.onCancellationRequested(() => finish('decide'));
    return ended.finally(() => sub.dispose());
  });

  return ended.finally(() => {
    clearInterval(timer);
    bar.dispose();
    page?.close();
  });
}

/** The investigation's log terminals: one per service, kept after it ends (closing one stops its command). */
let terminals: { sessions: Pick<RollbackSessions, 'runnerFor' | 'redact'>; logs: LogsTerminals } | undefined;

/** "Open logs" before any run: the same terminal as the checklist's, over this window's runners and redactor. */
export function investigationLogsOpener(sessions: Pick<RollbackSessions, 'runnerFor' | 'redact'>): (all: LogWatchService[], service: string) => Promise<void> {
  return (all, service) => {
    if (terminals?.sessions !== sessions) {
      terminals = {
        sessions,
        logs: new LogsTerminals({ journal: async () => undefined, config: () => undefined, runnerFor: (where) => sessions.runnerFor(where), redactStream: () => new StreamRedactor((t) => sessions.redact(t)) }),
      };
    }
    return terminals.logs.showOf('investigation', all, service);
  };
}
