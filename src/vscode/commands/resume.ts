import * as os from 'node:os';
import * as vscode from 'vscode';
import { foreignOrigin, renderResumeMarkdown, resumeListing, runProgress, trackedByGit, type RollbackJournal, type UnreadableJournal } from '../../core/run';
import type { RollbackDialogs } from '../dialogs';
import { operatorName, type RollbackSessions } from '../rollbackSessions';
import { CommandId } from '../contributions';
import { runWithProgress } from './rollbackFlow';
import { requireTrust } from './trust';

/**
 * Why this journal is not the record of a run started in this window's checkout by this
 * operator on this machine (empty when it is). The git check asks whether the journal file
 * is tracked: a journal that came with a clone or a pull is someone else's run.
 */
export async function journalOrigin(sessions: RollbackSessions, journal: RollbackJournal): Promise<string[]> {
  const rel = `.rollback/journals/${journal.runId}.json`;
  const tracked = await trackedByGit(sessions.runnerFor('local'), sessions.root.fsPath, rel);
  return foreignOrigin(journal, { operator: operatorName(), machine: os.hostname(), trackedAs: tracked ? rel : undefined });
}

function unreadableLines(unreadable: UnreadableJournal[]): string {
  return unreadable.map((u) => `${vscode.workspace.asRelativePath(u.file)}: ${u.reason}`).join('; ');
}

/** Resume Rollback: continues an interrupted run from its journal; finished steps are not run again. */
export function registerResumeCommand(sessions: RollbackSessions | undefined, dialogs: () => RollbackDialogs): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandId.resumeRollback, async (runId?: string) => {
      if (!sessions || !requireTrust('resume a rollback')) return;
      const { runs, unreadable } = await resumeListing(sessions.journals);
      if (runs.length === 0) {
        if (unreadable.length) {
          const open = await dialogs().error(`No rollback can be resumed, and ${unreadable.length} journal file(s) cannot be read: ${unreadableLines(unreadable)}. Look at the file: a run it recorded may have stopped part way.`, 'Open the file');
          if (open) await vscode.window.showTextDocument(vscode.Uri.file(unreadable[0].file));
        } else {
          dialogs().info('No interrupted rollback to resume: every journaled run finished or was abandoned.');
        }
        return;
      }
      // Shown, never dropped: a torn or empty journal may be the record of a run that stopped part way.
      if (unreadable.length) void vscode.window.showWarningMessage(`${unreadable.length} journal file(s) in .rollback/journals cannot be read and cannot be resumed: ${unreadableLines(unreadable)}`);
      let journal = typeof runId === 'string' ? runs.find((r) => r.runId === runId) : undefined;
      if (!journal) {
        type Item = vscode.QuickPickItem & { journal?: RollbackJournal; unreadable?: UnreadableJournal };
        const items: Item[] = [
          ...runs.map((r) => ({
            label: `${r.plan.environment}: ${r.plan.from.name} → ${r.plan.to.name}`,
            description: `${r.status} · ${runProgress(r)}`,
            detail: `${r.runId} · ${r.operator}${r.machine ? ` on ${r.machine}` : ''} · ${r.plan.reason}`,
            journal: r,
          })),
          ...unreadable.map((u) => ({ label: `$(warning) Cannot be read: ${vscode.workspace.asRelativePath(u.file)}`, detail: `${u.reason} (picking it opens the file)`, unreadable: u })),
        ];
        const picked = runs.length === 1 && unreadable.length === 0 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Resume which rollback?', ignoreFocusOut: true });
        if (picked?.unreadable) {
          await vscode.window.showTextDocument(vscode.Uri.file(picked.unreadable.file));
          return;
        }
        journal = picked?.journal;
      }
      if (!journal) return;
      const j = journal;
      const origin = await journalOrigin(sessions, j);
      // What is about to run, in the editor, before any question: the steps left, as the rollback preview shows them.
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: sessions.redact(renderResumeMarkdown(j, origin)) });
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
      const done = j.steps.filter((s) => s.outcome === 'ok' || s.outcome === 'skipped').length;
      const unknown = j.steps.filter((s) => s.outcome === 'unknown' || s.outcome === 'running').map((s) => s.stepId);
      const steps = `${done} of ${j.steps.length} steps are done and will not run again; ${j.steps.length - done} are left (the preview shows them).${unknown.length ? ` Steps with an unknown outcome (${unknown.join(', ')}) are checked first; one that cannot be checked is not run again without asking you.` : ''}`;
      const ok = origin.length
        ? await dialogs().confirm(
            `This rollback of ${j.plan.environment} to ${j.plan.to.name} was not started here. Resume it anyway?`,
            `Run ${j.runId}: ${origin.join('; ')}. Resuming runs its remaining steps on ${j.plan.where} from this machine. Make sure that run is really dead and that its steps are still what ${j.plan.environment} needs.\n\n${steps}`,
            'Resume anyway',
          )
        : await dialogs().confirm(`Resume the rollback of ${j.plan.environment} to ${j.plan.to.name}?`, steps, 'Resume');
      if (!ok) {
        dialogs().info('Nothing ran. The resume preview stays open for reference.');
        return;
      }
      await runWithProgress(sessions, j.plan, `Resuming the rollback of ${j.plan.environment}`, (s) => s.resume(j), dialogs());
    }),
  ];
}
