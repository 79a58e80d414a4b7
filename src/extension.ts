// The composition root: builds every service by constructor, wires them together and
// hands each disposable to the extension context. No service locator.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerAnalyzeCommand } from './vscode/commands/analyzeMigration';
import { Previews } from './vscode/preview/previews';
import { createChecklistService, registerChecklistCommands, WEBHOOK_SECRET_KEY, type ChecklistDeps } from './vscode/commands/checklist';
import { registerHealthSecretCommand } from './vscode/commands/healthSecret';
import { registerConfigurationCommands } from './vscode/commands/configuration';
import { registerDatabaseEnvironmentCommand } from './vscode/commands/databaseEnvironment';
import { CommandId, ContextKey, ViewId } from './vscode/contributions';
import { registerLockCommand } from './vscode/commands/lock';
import { registerTeamJournalCommand } from './vscode/commands/teamJournal';
import { registerNavigationCommands } from './vscode/commands/navigation';
import { registerRecordCommands } from './vscode/commands/records';
import { registerFollowUpCommands, type FollowUpDeps } from './vscode/commands/followUp';
import { registerRevertCommitCommand } from './vscode/commands/revertCommit';
import { journalOrigin, registerResumeCommand } from './vscode/commands/resume';
import { chooseHowToStop, runInProgress } from './vscode/commands/stopChoice';
import { registerRollbackCommands } from './vscode/commands/rollback';
import { ChecklistJournalBridge } from './core/checklist';
import { RecordsStore } from './core/releases/recordsStore';
import { RedactingRollbackEvents, redactingJournalStore, Redactor, redactingWebhookHttp } from './core/redact';
import { resumableRuns, runProgress } from './core/run';
import { fileRecordsStorage } from './infra/files/recordsFileStorage';
import { SimpleGitPort } from './infra/git/simpleGitPort';
import { NodeHttp } from './infra/http';
import { FileJournalStore } from './infra/files/fileJournalStore';
import { copyingJournalStore } from './core/run/journalCopy';
import { refreshTeam } from './app/teamState';
import { confinedJournalStore, confinedRecordsStorage } from './infra/files/fsConfinement';
import { AppliedStateReader, type DatabaseEnvironmentChoice } from './app/appliedStateReader';
import { ConfigDiagnostics, configErrorNotice } from './vscode/configDiagnostics';
import { databaseSectionFor } from './app/databasePlan';
import type { DatabaseStepsFor } from './app/planning';
import { rehearsePlan, type RehearsalFlow } from './app/rehearsal';
import { PsqlScratchServer } from './infra/sql/psqlScratch';
import { registerRehearseCommand } from './vscode/commands/rehearse';
import { VsCodeDialogs, type RollbackDialogs } from './vscode/dialogs';
import { CommandRegistry, vscodeGuards } from './vscode/commandRegistry';
import { readSettings, SETTINGS_SECTION } from './vscode/settings';
import { KnownSecrets, redactingLogChannel } from './vscode/redaction';
import { operatorName, RollbackSessions } from './vscode/rollbackSessions';
import { readOperatorIdentity } from './app/operator';
import { RollbackWorkspace } from './vscode/rollbackWorkspace';
import { NodeFileSystem } from './infra/files/nodeFileSystem';
import { PgSqlParser } from './infra/sql/pgParser';
import { PsqlClient } from './infra/sql/pgClient';
import { isProcessGroupAlive, NodeLocalProcesses } from './infra/shell/localProcesses';
import { commandRunners } from './infra/runners';
import { MigrationsTreeProvider } from './vscode/views/migrationsTree';
import { ReleasesTreeProvider } from './vscode/views/releasesTree';
import { RunTerminal } from './vscode/views/runTerminal';
import { LogsTerminals } from './vscode/views/logsTerminal';
import { AnsiblePlaybookRunner } from './infra/ansible/ansiblePlaybook';
import { FleetStatus } from './app/fleetStatus';
import { EnvironmentStatus } from './app/environmentStatus';
import type { FleetFlowDeps } from './app/fleetFlow';

/** workspaceState key: the environment whose database the Migrations view reads. */
const DATABASE_ENVIRONMENT_KEY = 'rollbackPilot.databaseEnvironment';

/** What activate() returns: used by the integration suite, and by other extensions at their own risk. */
export interface RollbackPilotApi {
  readonly workspace: RollbackWorkspace | undefined;
  readonly releases: ReleasesTreeProvider;
  readonly migrations: MigrationsTreeProvider;
  readonly sessions: RollbackSessions | undefined;
  /** Replaces the dialogs (quick picks, input boxes, modals) every later command uses; the integration suite scripts the answers. */
  setDialogs(dialogs: RollbackDialogs | undefined): void;
  /** Milliseconds from activate() entry: activation done, first Releases level asked for, and produced. */
  readonly timings: { activateMs?: number; firstTreeRequestedMs?: number; firstTreeMs?: number };
}

export function activate(context: vscode.ExtensionContext): RollbackPilotApi {
  const started = Date.now();
  const timings: RollbackPilotApi['timings'] = {};
  // The one redactor: everything written or shown (journal, log, terminal, preview, post-mortem, messages) passes through it.
  const redactor = new Redactor();
  const log = redactingLogChannel(vscode.window.createOutputChannel('Rollback Pilot', { log: true }), redactor);
  context.subscriptions.push(log);

  const folder = vscode.workspace.workspaceFolders?.[0];
  // "rollback.yml has errors" is one notice that ConfigDiagnostics closes once the errors are fixed.
  const configNotice = configErrorNotice();
  const realDialogs = new VsCodeDialogs((text) => redactor.redact(text), configNotice);
  let dialogOverride: RollbackDialogs | undefined;
  const dialogs = (): RollbackDialogs => dialogOverride ?? realDialogs;
  const settings = () => {
    const c = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder?.uri);
    return readSettings((key) => c.get(key));
  };

  let workspace: RollbackWorkspace | undefined;
  let records: RecordsStore | undefined;
  let sessions: RollbackSessions | undefined;
  let followUp: FollowUpDeps | undefined;
  // Every command goes through it: an open folder and trust are checked there, once.
  const registry = new CommandRegistry(vscodeGuards(() => workspace !== undefined && sessions !== undefined, (line) => log.info(line)));
  context.subscriptions.push(registry);
  // The one plan preview and one report preview of the window (rendered, reused, read-only documents behind them).
  const previews = new Previews((line) => log.info(line));
  context.subscriptions.push(previews);
  if (folder && folder.uri.scheme === 'file') {
    const root = folder.uri.fsPath;
    const git = new SimpleGitPort(root);
    const { recordsFile } = settings();
    records = new RecordsStore(confinedRecordsStorage(fileRecordsStorage(path.resolve(root, recordsFile)), root));
    workspace = new RollbackWorkspace(folder.uri, { gitPort: git, records, log, fileSystem: () => new NodeFileSystem(root), parser: new PgSqlParser() }, recordsFile);
    const ws = workspace;
    const events = new RedactingRollbackEvents(redactor);
    // The engine saves journals through the checklist's bridge, so the checklist's state rides along in every save.
    const journals = new ChecklistJournalBridge(redactingJournalStore(copyingJournalStore(confinedJournalStore(new FileJournalStore(path.join(root, '.rollback', 'journals')), root, path.join(root, '.rollback', 'journals')), { runnerFor: (where) => sessions!.runnerFor(where), onCopyFailed: (m) => log.warn(`The team's copy of the journal is behind: ${m}`) }), redactor));
    const checklistDeps: ChecklistDeps = {
      redactor,
      extensionUri: context.extensionUri,
      secrets: context.secrets,
      output: log,
      events,
      journals,
      http: redactingWebhookHttp(new NodeHttp(), redactor),
      workspaceRoot: () => folder.uri,
      settings: () => {
        const c = ws.currentConfig();
        return { overrides: c?.checklist, escalateAtMinutes: c?.notify.escalateAtMinutes, webhook: c?.notify.webhook };
      },
      operator: operatorName,
      commitsBetween: async (fromSha, toSha) => (await git.commits({ from: toSha, to: fromSha }, { maxCount: 200 })).map((c) => ({ sha: c.sha, subject: c.subject })),
    };
    const checklist = createChecklistService(checklistDeps);
    sessions = new RollbackSessions({ root: folder.uri, journals, events, prompter: dialogs, records, log, runnerFor: commandRunners(root, settings, dialogs), redactor, http: new NodeHttp(), processes: new NodeLocalProcesses(), notify: checklist.notifier, secrets: context.secrets });
    context.subscriptions.push(workspace, sessions, new RunTerminal(events, log), { dispose: () => checklist.dispose() });
    followUp = { workspace, sessions, checklist, redactor, dialogs, previews };
    // "Open logs" in the checklist: the run's service logs, streamed where they run, in a terminal.
    const logs = new LogsTerminals({ journal: (runId) => journals.load(runId), config: () => ws.currentConfig(), runnerFor: (where) => sessions!.runnerFor(where), redactStream: () => redactor.stream() });
    context.subscriptions.push(logs, ...registerChecklistCommands(registry, { ...checklistDeps, service: checklist, openLogs: (runId, service) => logs.show(runId, service) }));
  } else {
    registerChecklistCommands(registry, undefined);
  }
  void vscode.commands.executeCommand('setContext', ContextKey.releasesState, workspace ? 'loading' : 'noRepo');

  const knownSecrets = new KnownSecrets(redactor, context.secrets, [WEBHOOK_SECRET_KEY], log, workspace && { root: workspace.root.fsPath, config: async () => (await workspace!.config()).config, onDidChange: workspace.onDidChange });
  context.subscriptions.push(knownSecrets);
  void knownSecrets.refresh();
  // The secret:NAME values health and smoke checks send (issue 13), kept in secret storage only.
  registerHealthSecretCommand(registry, { secrets: context.secrets, config: async () => (workspace ? (await workspace.config()).config : undefined), log: (line) => log.info(line) });

  const fleetStatus = workspace && sessions ? new FleetStatus(workspace, sessions) : undefined;
  // What each single host runs, read after the first paint without asking anything (an unknown host key waits for Refresh).
  const environmentStatus = workspace && sessions ? new EnvironmentStatus(workspace, sessions, { quietRunnerFor: commandRunners(workspace.root.fsPath, settings, () => ({ confirmUnknownHost: async () => 'reject' as const })) }) : undefined;
  const releases = new ReleasesTreeProvider(workspace, fleetStatus, environmentStatus, (text) => redactor.redact(text));
  const databaseChoice: DatabaseEnvironmentChoice = {
    get: () => context.workspaceState.get<string>(DATABASE_ENVIRONMENT_KEY),
    set: async (name) => context.workspaceState.update(DATABASE_ENVIRONMENT_KEY, name),
  };
  const applied = workspace && sessions ? new AppliedStateReader(workspace, sessions, databaseChoice, redactor, (runner, sql, o) => new PsqlClient(runner, sql, o)) : undefined;
  const migrations = new MigrationsTreeProvider(workspace, applied && ((g) => applied.read(g)));
  releases.firstRequest = () => {
    timings.firstTreeRequestedMs = Date.now() - started;
  };
  releases.firstPaint = () => {
    timings.firstTreeMs = Date.now() - started;
    log.info(`First Releases tree level ready ${timings.firstTreeMs} ms after activation started (VS Code asked for it at ${timings.firstTreeRequestedMs} ms)`);
  };
  context.subscriptions.push(
    releases,
    migrations,
    vscode.window.createTreeView(ViewId.releases, { treeDataProvider: releases, showCollapseAll: true }),
    vscode.window.createTreeView(ViewId.migrations, { treeDataProvider: migrations, showCollapseAll: true }),
  );

  if (workspace) {
    const diagnostics = new ConfigDiagnostics(workspace, configNotice);
    context.subscriptions.push(diagnostics);
    void diagnostics.fromWorkspace();
    void workspace.config().then((c) => vscode.commands.executeCommand('setContext', ContextKey.hasConfig, c.fileExists));
    context.subscriptions.push(workspace.onDidChange(() => void workspace!.config().then((c) => vscode.commands.executeCommand('setContext', ContextKey.hasConfig, c.fileExists))));
  }

  const refreshViews = () => {
    applied?.allowRemote();
    releases.refresh();
    migrations.refresh();
  };
  // Refresh (and only Refresh, or planning a rollback) reads the team's state on the target: records, lock, journal copy.
  registerNavigationCommands(registry, workspace, () => {
    refreshViews();
    void fleetStatus?.read();
    void environmentStatus?.read();
    if (workspace && sessions && records) void refreshTeam(workspace, records, (host) => sessions!.runnerFor(host)).then(() => releases.refresh(), (e: Error) => log.warn(`Could not read the team's state on the target: ${e.message}`));
  }, previews);
  registerConfigurationCommands(registry, workspace);
  registerLockCommand(registry, workspace, sessions, dialogs);
  context.subscriptions.push(...registerTeamJournalCommand(registry, workspace, sessions, dialogs));
  registerFollowUpCommands(registry, followUp);
  registerDatabaseEnvironmentCommand(registry, workspace, applied && databaseChoice, dialogs, refreshViews);
  registry.register(CommandId.cancelRollback, { needs: 'folder', what: 'cancel a rollback' }, async () => {
    if (!sessions?.activeRun && !runInProgress()) return void vscode.window.showInformationMessage('No rollback is running in this window.');
    await chooseHowToStop(sessions!, undefined);
  });
  // Rehearse Database Steps and "Rehearse first": the plan's database steps on the scratch server of migrations.scratch (this machine's psql).
  const rehearsal: RehearsalFlow | undefined =
    workspace && sessions
      ? {
          rehearse: async (plan, progress) => rehearsePlan(plan, (await workspace!.config()).config, { runnerFor: (where) => sessions!.runnerFor(where), parser: new PgSqlParser(), workspaceRoot: workspace!.root.fsPath, scratchServer: (url) => new PsqlScratchServer(url), progress }),
          show: (markdown) => previews.show({ kind: 'report', markdown }),
          redact: (text) => sessions!.redact(text),
          available: async () => !!(await workspace!.config()).config.migrations.scratch?.url,
        }
      : undefined;
  const fleet = folder && fleetStatus ? fleetDeps(context, folder.uri.fsPath, settings, fleetStatus) : undefined;
  // A single host's run or resume ended: what it runs is read again for its Releases line, asking nothing (fleets: fleetDeps' afterRun).
  const afterRun = (environment: string): void => void environmentStatus?.read({ environment, quiet: true });
  const flowDeps = workspace && sessions ? { workspace, sessions, dialogs, previews, rehearsal, fleet, afterRun, databaseSteps: async (input: Parameters<DatabaseStepsFor>[0]) => databaseSectionFor(workspace!, (await workspace!.config()).config, input) } : undefined;
  registerRehearseCommand(registry, flowDeps, rehearsal);
  registerRevertCommitCommand(registry, flowDeps);
  registerRollbackCommands(registry, flowDeps);
  registerResumeCommand(registry, sessions, dialogs, previews, fleet, afterRun);
  registerRecordCommands(registry, workspace, sessions, records, dialogs, new NodeHttp());
  context.subscriptions.push(...registerAnalyzeCommand(registry, workspace, previews));
  // The operator is the git identity (journals, locks, bad marks); read before the resume offer compares it with the journals'.
  if (sessions && folder) {
    const s = sessions;
    void readOperatorIdentity(s.runnerFor('local'), folder.uri.fsPath).then((who) => log.info(`Operator: ${who}`)).finally(() => void offerResume(s));
  }

  timings.activateMs = Date.now() - started;
  log.info(`Activated in ${timings.activateMs} ms${workspace ? ` for ${workspace.root.fsPath}` : ' (no folder open)'}`);
  return { workspace, releases, migrations, sessions, setDialogs: (d) => (dialogOverride = d), timings };
}

/** After a reload or crash mid-rollback, say so at once and offer to resume. */
async function offerResume(sessions: RollbackSessions): Promise<void> {
  // A journal torn or emptied by the crash is said at once, not left out: its run may have stopped part way.
  const unreadable = await sessions.journals.problems().catch(() => []);
  if (unreadable.length) void vscode.window.showWarningMessage(`${unreadable.length} rollback journal file(s) cannot be read: ${unreadable.map((u) => `${vscode.workspace.asRelativePath(u.file)} (${u.reason})`).join('; ')}. A run recorded there may have stopped part way; Resume Rollback lists them.`);
  const runs = await resumableRuns(sessions.journals).catch(() => []);
  const interrupted = runs.filter((r) => r.status === 'running');
  if (interrupted.length === 0) return;
  const r = interrupted[0];
  // A journal that came with a pull, or from another operator or machine, is never continued from a one-click offer.
  const origin = await journalOrigin(sessions, r).catch(() => ['its origin could not be checked']);
  if (origin.length) {
    const review = 'Review…';
    const answer = await vscode.window.showWarningMessage(
      `A rollback journal marked "running" is in .rollback/journals (run ${r.runId}: ${r.plan.environment} to ${r.plan.to.name}, ${runProgress(r)}), but it was not started here: ${origin.join('; ')}. Nothing runs without its preview and an explicit "Resume anyway".`,
      review,
    );
    if (answer === review) await vscode.commands.executeCommand(CommandId.resumeRollback, r.runId);
    return;
  }
  const resume = 'Resume Rollback';
  const pick = await vscode.window.showWarningMessage(
    `A rollback of ${r.plan.environment} to ${r.plan.to.name} was interrupted (run ${r.runId}, ${runProgress(r)}).`,
    resume,
  );
  if (pick === resume) await vscode.commands.executeCommand(CommandId.resumeRollback, r.runId);
}

/** Fleets (issue 15): Ansible made per run with the SSH settings in force then; the hosts read again after a run. */
function fleetDeps(context: vscode.ExtensionContext, root: string, settings: () => { knownHostsFile?: string; sshConfigFile?: string; connectTimeoutMs: number }, status: FleetStatus): FleetFlowDeps {
  return {
    ansible: () => {
      const s = settings();
      return new AnsiblePlaybookRunner({
        pluginRoot: path.join(context.extensionUri.fsPath, 'media', 'ansible'),
        // Short: ssh's control sockets live under it, and a socket path has at most 107 bytes (the extension's storage path is too long).
        workDir: path.join(os.tmpdir(), `rp-ansible-${Date.now().toString(36)}`),
        knownHostsFiles: [s.knownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts')],
        sshConfigFile: s.sshConfigFile,
        cwd: root,
        connectTimeoutS: Math.ceil(s.connectTimeoutMs / 1000),
      });
    },
    isProcessGroupAlive,
    afterRun: (environment) => void status.read(environment),
  };
}

export function deactivate(): void {}
