import * as vscode from 'vscode';
import type { StopControl } from '../../app/ui';
import type { RollbackSessions } from '../rollbackSessions';

export const STOP_AFTER_STEP = 'Stop after this step';
export const STOP_NOW = 'Stop now (kills the command)';

/**
 * The operator asked to cancel a running rollback: two different things, so ask which.
 * "Stop after this step" lets the running command finish (its outcome is recorded, nothing
 * after it starts); "Stop now" kills it part way (its outcome is then unknown, and a resume
 * checks it or asks before running it again). Escape cancels nothing. Says which happened.
 */
/**
 * The stop control of the run shown in the progress notification now (presenter.progress sets it):
 * a single host's run stops through the sessions, a fleet's by telling ansible-playbook to stop.
 */
let shownRun: StopControl | undefined;

export function showingRun(stop: StopControl | undefined): void {
  shownRun = stop;
}

export function runInProgress(): boolean {
  return shownRun !== undefined;
}

export async function chooseHowToStop(sessions: RollbackSessions, running: string | undefined, stop: StopControl | undefined = shownRun): Promise<'after-step' | 'now' | undefined> {
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
  if (!sessions.activeRun && !stop) return undefined;
  if (pick === STOP_NOW) {
    if (stop) stop.now();
    else sessions.cancel();
    void vscode.window.showInformationMessage(`Stopping now: the command of ${step} was killed part way; its outcome is unknown. Resume Rollback checks it, or asks you, before running it again.`);
    return 'now';
  }
  if (pick === STOP_AFTER_STEP) {
    if (stop) stop.afterStep();
    else sessions.stopAfterStep();
    void vscode.window.showInformationMessage(`Stopping after ${step} finishes: nothing after it starts. Resume Rollback continues from there.`);
    return 'after-step';
  }
  void vscode.window.showInformationMessage('Not stopped: the rollback goes on. "Rollback: Cancel Rollback" stops it later.');
  return undefined;
}
