import * as vscode from 'vscode';
import { resumableRuns, runProgress } from '../core/run';
import type { RollbackDialogs } from '../services/dialogs';
import type { RollbackSessions } from '../services/rollbackSessions';
import { CommandId } from './ids';
import { runWithProgress } from './rollbackFlow';
import { requireTrust } from './trust';

/** Resume Rollback: continues an interrupted run from its journal; finished steps are not run again. */
export function registerResumeCommand(sessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.resumeRollback, async (runId?: string) => {
      if (!sessions || !requireTrust('resume a rollback')) return;
      const runs = await resumableRuns(sessions.journals);
      if (runs.length === 0) {
        dialogs().info('No interrupted rollback to resume: every journaled run finished or was abandoned.');
        return;
      }
      let journal = typeof runId === 'string' ? runs.find((r) => r.runId === runId) : undefined;
      if (!journal) {
        const picked = runs.length === 1 ? runs[0] : (await vscode.window.showQuickPick(
          runs.map((r) => ({
            label: `${r.plan.environment}: ${r.plan.from.name} → ${r.plan.to.name}`,
            description: `${r.status} · ${runProgress(r)}`,
            detail: `${r.runId} · ${r.operator} · ${r.plan.reason}`,
            journal: r,
          })),
          { title: 'Resume which rollback?', ignoreFocusOut: true },
        ))?.journal;
        journal = picked;
      }
      if (!journal) return;
      const done = journal.steps.filter((s) => s.outcome === 'ok' || s.outcome === 'skipped').length;
      const unknown = journal.steps.filter((s) => s.outcome === 'unknown' || s.outcome === 'running').map((s) => s.stepId);
      const ok = await dialogs().confirm(
        `Resume the rollback of ${journal.plan.environment} to ${journal.plan.to.name}?`,
        `${done} of ${journal.steps.length} steps are done and will not run again.${unknown.length ? ` Steps with an unknown outcome (${unknown.join(', ')}) are checked first and only run if their effect is missing.` : ''}`,
        'Resume',
      );
      if (!ok) return;
      const j = journal;
      await runWithProgress(sessions, j.plan, `Resuming the rollback of ${j.plan.environment}`, (s) => s.resume(j), dialogs());
    }),
  ];
}
