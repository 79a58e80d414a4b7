// The brief investigation of runbook 000 ("roll back after brief investigation, ~5 minutes
// max"): a countdown in the status bar and in a notification, which ends — at zero, or when
// the operator presses "Decide now" — by asking the decision again.
import * as vscode from 'vscode';
import { investigationStatus } from '../core/decision/tree';

export function showInvestigation(lengthMs: number, startedAt: number, now: () => number = Date.now): Promise<'decide' | 'cancelled'> {
  const bar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 1000);
  bar.name = 'Rollback investigation';
  bar.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  const tick = (): ReturnType<typeof investigationStatus> => {
    const s = investigationStatus(startedAt, lengthMs, now());
    bar.text = `$(search) Investigating: ${s.label} left`;
    bar.tooltip = 'Brief investigation before deciding on a rollback. At zero the decision is asked again; if it is not clearly fixable by then, roll back.';
    return s;
  };
  tick();
  bar.show();
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Brief investigation', cancellable: true }, (progress, token) =>
      new Promise<'decide'>((resolve) => {
        const timer = setInterval(() => {
          const s = tick();
          progress.report({ message: `${s.label} left, then the decision again (Cancel: decide now)` });
          if (s.over) done();
        }, 1000);
        const sub = token.onCancellationRequested(() => done());
        function done(): void {
          clearInterval(timer);
          sub.dispose();
          resolve('decide');
        }
      }),
    ),
  ).finally(() => bar.dispose());
}
