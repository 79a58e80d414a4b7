import * as vscode from 'vscode';
import type { RollbackSessions } from '../rollbackSessions';

export const STOP_AFTER_STEP = 'Stop after this step';
export const STOP_NOW = 'Stop now (kills the command)';

/**
 * The operator asked to cancel a running rollback: two different things, so ask which.
 * "Stop after this step" lets the running command finish (its outcome is recorded, nothing
 * after it starts); "Stop now" kills it part way (its outcome is then unknown, and a resume
 * checks it or asks before running it again). Escape cancels nothing. Says which happened.
 */
export async function chooseHowToStop(sessions: RollbackSessions, running: string | undefined): Promise<'after-step' | 'now' | undefined> {
  const step = running ? `"${running}"` : 'the running step';
  const pick = await vscode.window.showWarningMessage(
    `Stop the rollback${running ? ` while ${step} runs` : ''}?`,
    {
      modal: true,
      detail: `${STOP_AFTER_STEP}: ${step} finishes and nothing after it starts.\n\n${STOP_NOW}: its command is killed part way; whether it took effect is then unknown, and Resume Rollback checks it, or asks you, before running it again.\n\nCancel: the rollback goes on.`,
    },
    STOP_AFTER_STEP,
    STOP_NOW,
  );
  if (!sessions.activeRun) return undefined;
  if (pick === STOP_NOW) {
    sessions.cancel();
    void vscode.window.showInformationMessage(`Stopping now: the command of ${step} was killed part way; its outcome is unknown. Resume Rollback checks it, or asks you, before running it again.`);
    return 'now';
  }
  if (pick === STOP_AFTER_STEP) {
    sessions.stopAfterStep();
    void vscode.window.showInformationMessage(`Stopping after ${step} finishes: nothing after it starts. Resume Rollback continues from there.`);
    return 'after-step';
  }
  void vscode.window.showInformationMessage('Not stopped: the rollback goes on. "Rollback: Cancel Rollback" stops it later.');
  return undefined;
}
