import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ChecklistService, type ChecklistJournalBridge, type ChecklistSession, type Escalation } from '../../core/checklist';
import { validateWebhookUrl, WebhookSender } from '../../core/notify';
import type { HttpPort } from '../../core/ports';
import type { RollbackEvents } from '../../core/run/events';
import { ChecklistPanel, type ChecklistPanelDeps } from '../checklist/checklistPanel';
import { ChecklistStatusBar } from '../checklist/statusBar';
import { CommandId } from '../contributions';
import { pickRun, PROPOSAL_SCHEME, ProposalContentProvider, proposeChangelog, startPostmortem, type PostmortemDeps } from './postmortem';
import type { CommandRegistry } from '../commandRegistry';
import { runArg } from '../commandArgs';

/** The checklist's commands, as named in the one typed list of command ids. */
export const ChecklistCommandId = {
  openChecklist: CommandId.openChecklist,
  startPostmortem: CommandId.startPostmortem,
  setWebhookUrl: CommandId.setWebhookUrl,
  proposeChangelogNote: CommandId.proposeChangelogNote,
} as const;

/** SecretStorage key of the team's webhook URL; never in settings, rollback.yml or logs. */
export const WEBHOOK_SECRET_KEY = 'rollbackPilot.notify.webhookUrl';

export interface ChecklistDeps {
  extensionUri: vscode.Uri;
  secrets: vscode.SecretStorage;
  output: vscode.OutputChannel;
  events: RollbackEvents;
  /** The same bridge the RollbackRunner saves through (see ChecklistJournalBridge). */
  journals: ChecklistJournalBridge;
  http: HttpPort;
  workspaceRoot(): vscode.Uri | undefined;
  /** From the parsed rollback.yml: `checklist` overrides and `notify` settings. */
  settings(): { overrides?: unknown; escalateAtMinutes?: number[]; webhook?: boolean };
  /** "user@machine", as recorded in journals. */
  operator(): string;
  commitsBetween?(fromSha: string, toSha: string): Promise<Array<{ sha: string; subject: string }>>;
  /** A command that shows the service logs; without it the output channel is shown. */
  openLogsCommand?: string;
  /** "Open logs": the run's service logs in a terminal (vscode/views/logsTerminal.ts); preferred over openLogsCommand. */
  openLogs?(runId: string, service?: string): Promise<void>;
  /** The product's one redactor, for the post-mortem and the CHANGELOG note. */
  redactor?: PostmortemDeps['redactor'];
}

/** Build once at activation; give `service.notifier` to the RollbackRunner as `notify`. */
export function createChecklistService(deps: ChecklistDeps): ChecklistService {
  return new ChecklistService({
    events: deps.events,
    journals: deps.journals,
    sender: new WebhookSender(deps.http),
    webhookUrl: async () => ((deps.settings().webhook ?? true) ? deps.secrets.get(WEBHOOK_SECRET_KEY) : undefined),
    settings: () => {
      const s = deps.settings();
      return { overrides: s.overrides, ...(s.escalateAtMinutes ? { escalateAtMinutes: s.escalateAtMinutes } : {}) };
    },
    now: () => Date.now(),
    newId: () => randomUUID(),
    log: (line) => deps.output.appendLine(`checklist: ${line}`),
    copyInstead: async (text) => {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`No webhook is set (Rollback: Set Webhook URL), so the message is on the clipboard: paste it into the incident channel. "${text}"`);
    },
  });
}

/** The checklist's commands; without a folder (no journals) they are registered all the same and the registry's guard says why they cannot run. */
export function registerChecklistCommands(registry: CommandRegistry, maybeDeps: (ChecklistDeps & { service: ChecklistService }) | undefined): vscode.Disposable[] {
  if (!maybeDeps) {
    for (const [id, what] of checklistCommandWork) registry.register(id, { needs: 'folder', what }, () => undefined);
    return [];
  }
  const deps = maybeDeps;
  const { service } = deps;
  const proposals = new ProposalContentProvider();
  const pmDeps = { journals: deps.journals, service, output: deps.output, workspaceRoot: deps.workspaceRoot, operator: deps.operator, proposals, ...(deps.commitsBetween ? { commitsBetween: deps.commitsBetween } : {}), ...(deps.redactor ? { redactor: deps.redactor } : {}) };
  const panelDeps: ChecklistPanelDeps = {
    extensionUri: deps.extensionUri,
    service,
    secrets: deps.secrets,
    output: deps.output,
    webhookSecretKey: WEBHOOK_SECRET_KEY,
    operator: deps.operator,
    commands: { startPostmortem: ChecklistCommandId.startPostmortem, setWebhookUrl: ChecklistCommandId.setWebhookUrl, ...(deps.openLogsCommand ? { openLogs: deps.openLogsCommand } : {}) },
    ...(deps.openLogs ? { openLogs: deps.openLogs } : {}),
    // A fleet run's host × step grid comes from its journal as saved, redrawn on the run's events.
    fleet: { latestJournal: (id) => deps.journals.latestJournal(id), events: deps.events },
  };
  const report = (what: string) => (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    deps.output.appendLine(`${what} failed: ${message}`);
    void vscode.window.showErrorMessage(`Rollback Pilot: ${what} failed: ${message}`);
  };

  const onEscalation = (session: ChecklistSession, e: Escalation): void => {
    void vscode.window.showWarningMessage(e.suggestion, 'Post Update', 'Open Checklist', 'Dismiss').then(async (choice) => {
      if (choice === 'Open Checklist') return void (await ChecklistPanel.show(panelDeps, session.runId));
      if (choice === 'Dismiss') return session.apply({ type: 'escalation-handled', minute: e.minute });
      if (choice !== 'Post Update') return;
      session.apply({ type: 'escalation-handled', minute: e.minute });
      const text = session.drafts().escalation;
      const url = await deps.secrets.get(WEBHOOK_SECRET_KEY);
      if (url && vscode.workspace.isTrusted) {
        const r = await session.send('escalation', text);
        if (r.result === 'failed') void vscode.window.showErrorMessage(`${r.error ?? 'The update was not sent.'} Retry it from the checklist.`, 'Open Checklist').then((c) => c && ChecklistPanel.show(panelDeps, session.runId));
      } else {
        await vscode.env.clipboard.writeText(text);
        session.recordCopied('escalation', text);
        void vscode.window.showInformationMessage('The update is on the clipboard: paste it into the incident channel.');
      }
    }, report('escalation'));
  };

  const disposables: vscode.Disposable[] = [
    ChecklistPanel.registerSerializer(panelDeps),
    new ChecklistStatusBar(service, ChecklistCommandId.openChecklist, onEscalation),
    // The panel opens by itself when a rollback starts, without taking focus from the run's prompts.
    service.onDidStartRun((s) => void ChecklistPanel.show(panelDeps, s.runId, { preserveFocus: true }).catch(report('opening the checklist'))),
    vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, proposals),
    proposals,
  ];
  registry.register(CommandId.openChecklist, { needs: 'folder', what: 'open the checklist', args: runArg }, async (a) => {
    const runId = a.runId ?? service.active?.runId ?? (await pickRun(deps.journals, 'Open the checklist of which rollback?'));
    if (runId) await ChecklistPanel.show(panelDeps, runId, { readOnly: a.readOnly === true }).catch(report('opening the checklist'));
  });
  registry.register(CommandId.startPostmortem, { needs: 'folder', what: 'write the post-mortem', args: runArg }, async (a) => {
    await startPostmortem(pmDeps, a.runId).catch(report('writing the post-mortem'));
  });
  registry.register(
    CommandId.proposeChangelogNote,
    { needs: 'folder', what: 'propose a CHANGELOG note', args: (raw) => ({ ...runArg(raw), postmortemPath: typeof raw[1] === 'string' ? raw[1] : undefined }) },
    async (a) => {
      const runId = a.runId ?? service.active?.runId ?? (await pickRun(deps.journals, 'Note which rollback in the CHANGELOG?'));
      const journal = runId ? await deps.journals.load(runId) : undefined;
      if (!journal) return;
      await proposeChangelog(pmDeps, journal, a.postmortemPath).catch(report('the CHANGELOG proposal'));
    },
  );
  registry.register(CommandId.setWebhookUrl, { needs: 'nothing', what: 'set the webhook URL' }, async () => {
      const had = !!(await deps.secrets.get(WEBHOOK_SECRET_KEY));
      const value = await vscode.window.showInputBox({
        title: 'Rollback: Set Webhook URL',
        prompt: had ? 'A URL is stored. Paste a new one to replace it, or leave empty and press Enter to remove it.' : 'Incoming-webhook URL of the incident channel (Slack-compatible). Stored in the editor\'s secret storage only.',
        placeHolder: 'https://hooks.slack.com/services/…',
        password: true,
        ignoreFocusOut: true,
        validateInput: validateWebhookUrl,
      });
      if (value === undefined) return;
      if (!value.trim()) {
        if (had) {
          await deps.secrets.delete(WEBHOOK_SECRET_KEY);
          void vscode.window.showInformationMessage('Rollback Pilot: the webhook URL was removed.');
        }
        return;
      }
      await deps.secrets.store(WEBHOOK_SECRET_KEY, value.trim());
      deps.output.appendLine('checklist: webhook URL updated (stored in secret storage)');
      void vscode.window.showInformationMessage('Rollback Pilot: webhook URL saved in secret storage.');
  });
  return disposables;
}

const checklistCommandWork: ReadonlyArray<readonly [CommandId, string]> = [
  [CommandId.openChecklist, 'open a rollback checklist'],
  [CommandId.startPostmortem, 'write a post-mortem'],
  [CommandId.proposeChangelogNote, 'propose a CHANGELOG note'],
  [CommandId.setWebhookUrl, 'set the webhook URL'],
];
