import * as vscode from 'vscode';
import { resumeFlow } from '../../app/resumeFlow';
import type { RollbackDialogs } from '../dialogs';
import type { RollbackSessions } from '../rollbackSessions';
import { CommandId } from '../contributions';
import { vscodeUi } from '../presenter';
import type { Previews } from '../preview/previews';
import { requireTrust } from './trust';

export { journalOrigin } from '../../app/resumeFlow';

/** Resume Rollback: continues an interrupted run from its journal (src/app/resumeFlow.ts); finished steps are not run again. */
export function registerResumeCommand(sessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs, previews: Previews): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.resumeRollback, async (runId?: string) => {
      if (!sessions || !requireTrust('resume a rollback')) return;
      await resumeFlow(sessions, vscodeUi(dialogs(), sessions, previews), typeof runId === 'string' ? runId : undefined);
    }),
  ];
}
