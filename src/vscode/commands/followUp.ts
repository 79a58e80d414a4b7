// After the rollback (runbook 001): Check CI of the Rolled-back Release, and File Follow-up
// Issue. The logic is src/core/followUp; this asks which run, runs the configured commands on
// this machine in the repository, records the result in that run's checklist (and so in its
// journal), and opens what there is to open.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChecklistService } from '../../core/checklist';
import { checkCiStatus, describeCi, fileFollowUpIssue, followUpIssue, parseRemoteUrl, readOriginUrl, type CiResult, type RemoteRepo } from '../../core/followUp';
import { defaultPostmortemPath } from '../../core/postmortem';
import type { Redactor } from '../../core/redact';
import type { RollbackJournal } from '../../core/run/journalTypes';
import type { RollbackDialogs } from '../../app/ui';
import type { RollbackSessions } from '../rollbackSessions';
import type { RollbackWorkspace } from '../rollbackWorkspace';
import type { CommandRegistry } from '../commandRegistry';
import { runArg } from '../commandArgs';
import { CommandId } from '../contributions';
import type { Previews } from '../preview/previews';

export interface FollowUpDeps {
  workspace: RollbackWorkspace;
  sessions: RollbackSessions;
  checklist: ChecklistService;
  redactor: Redactor;
  dialogs: () => RollbackDialogs;
  previews: Previews;
}

/** The run a follow-up is about: the one named, else the newest finished rollback. */
export async function followUpRun(sessions: RollbackSessions, runId: string | undefined): Promise<RollbackJournal | undefined> {
  const all = await sessions.journals.list();
  if (runId) return all.find((j) => j.runId === runId);
  const finished = all.filter((j) => j.status === 'succeeded' || j.status === 'failed' || j.status === 'stopped');
  return finished.sort((a, b) => (b.finishedAt ?? b.decidedAt).localeCompare(a.finishedAt ?? a.decidedAt))[0];
}

/** Ticks (success) or un-ticks (anything else, if the extension ticked it) a checklist item and writes the result under it. */
async function record(checklist: ChecklistService, runId: string, itemId: string, text: string, done: boolean): Promise<void> {
  const session = await checklist.open(runId);
  if (!session || session.readOnly) return;
  session.apply({ type: 'edit-text', itemId, text });
  const item = session.state.items.find((i) => i.id === itemId);
  if (done && !item?.checked) session.apply({ type: 'toggle-item', itemId, checked: true, at: Date.now(), by: 'extension' });
  if (!done && item?.checked && item.checkedBy === 'extension') session.apply({ type: 'toggle-item', itemId, checked: false, at: Date.now(), by: 'extension' });
  await session.whenSaved();
}

export function registerFollowUpCommands(registry: CommandRegistry, maybeDeps: FollowUpDeps | undefined): void {
  // The last CI answer per run, for the issue's CI section.
  const lastCi = new Map<string, CiResult>();

  const context = async (deps: FollowUpDeps, runId: string | undefined): Promise<{ journal: RollbackJournal; remote?: RemoteRepo; cwd: string } | undefined> => {
    const journal = await followUpRun(deps.sessions, runId);
    if (!journal) {
      deps.dialogs().info(runId ? `There is no rollback journal for run ${runId} in .rollback/journals.` : 'No finished rollback in .rollback/journals yet: this is for after a rollback.');
      return undefined;
    }
    const cwd = deps.workspace.root.fsPath;
    const url = await readOriginUrl(deps.sessions.runnerFor('local'), cwd);
    return { journal, cwd, remote: url ? parseRemoteUrl(url) : undefined };
  };

  registry.register(CommandId.checkCiStatus, { needs: 'trust', what: 'check the CI of the rolled-back release', args: runArg }, async ({ runId }): Promise<CiResult | undefined> => {
    const deps = maybeDeps!;
    const c = await context(deps, runId);
    if (!c) return undefined;
    const config = (await deps.workspace.config()).config.followUp;
    const runner = deps.sessions.runnerFor('local');
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Asking CI about ${c.journal.plan.to.name}` }, () =>
      checkCiStatus({ runner, cwd: c.cwd, template: config?.ciStatus, release: c.journal.plan.to, remote: c.remote, timeoutMs: config?.timeoutMs }),
    );
    await runner.dispose();
    lastCi.set(c.journal.runId, result);
    const said = deps.redactor.redact(describeCi(result));
    await record(deps.checklist, c.journal.runId, 'ci-passed', said, result.state === 'success');
    if (result.state === 'success') deps.dialogs().info(`${said}.`);
    else {
      const file = 'File Follow-up Issue';
      const pick = await vscode.window.showWarningMessage(`${said}.`, ...(result.state === 'failure' ? [file] : []));
      if (pick === file) await vscode.commands.executeCommand(CommandId.fileFollowUpIssue, c.journal.runId);
    }
    return result;
  });

  registry.register(CommandId.fileFollowUpIssue, { needs: 'trust', what: 'file the follow-up issue', args: runArg }, async ({ runId }): Promise<{ url?: string; opened?: string } | undefined> => {
    const deps = maybeDeps!;
    const c = await context(deps, runId);
    if (!c) return undefined;
    const config = (await deps.workspace.config()).config.followUp;
    const postmortem = defaultPostmortemPath(c.journal);
    const issue = followUpIssue(c.journal, { redactor: deps.redactor, ci: lastCi.get(c.journal.runId), ...(existsSync(path.join(c.cwd, postmortem)) ? { postmortem } : {}) });
    await deps.previews.show({ kind: 'report', markdown: `# ${issue.title}\n\n${issue.body}`, note: config?.issue ? `Filed with followUp.issue once you confirm.` : 'Opens the new-issue page with this text once you confirm.' });
    const how = config?.issue ? `with followUp.issue (${config.issue})` : c.remote ? `on ${c.remote.web} (its new-issue page opens prefilled; you submit it there)` : '';
    if (!(await deps.dialogs().confirm(`File the follow-up issue "${issue.title}"?`, `The text beside this dialog comes from the journal of run ${c.journal.runId}. It is filed ${how || 'nowhere: set followUp.issue in rollback.yml'}.`, 'File Issue'))) return undefined;
    const runner = deps.sessions.runnerFor('local');
    const filed = await fileFollowUpIssue({ runner, cwd: c.cwd, template: config?.issue, issue, remote: c.remote, timeoutMs: config?.timeoutMs });
    await runner.dispose();
    if ('problem' in filed) {
      await deps.dialogs().error(`The follow-up issue was not filed: ${deps.redactor.redact(filed.problem)}`);
      return undefined;
    }
    if ('open' in filed) {
      await vscode.env.openExternal(vscode.Uri.parse(filed.open, true));
      await record(deps.checklist, c.journal.runId, 'follow-up-issue', `Opened the new-issue page of ${c.remote?.web ?? 'the repository'}, prefilled from the journal; tick this once it is submitted.`, false);
      return { opened: filed.open };
    }
    await record(deps.checklist, c.journal.runId, 'follow-up-issue', `Filed: ${filed.url ?? deps.redactor.redact(filed.output.split('\n').pop() ?? 'done')}`, true);
    const open = 'Open Issue';
    if (filed.url && (await vscode.window.showInformationMessage(`Follow-up issue filed: ${filed.url}`, open)) === open) await vscode.env.openExternal(vscode.Uri.parse(filed.url, true));
    return { url: filed.url };
  });
}
