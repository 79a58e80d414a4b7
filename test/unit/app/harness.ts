// The application layer in plain Node: the same services extension.ts and cli/main.ts build,
// over the real adapters (git, /bin/sh, the journal files, HTTP), driven by the integration
// suite's own scripted dialogs and a presenter that records what it was asked to show.
import * as path from 'node:path';
import { databaseSectionFor } from '../../../src/app/databasePlan';
import type { RollbackFlowDeps } from '../../../src/app/rollbackFlow';
import { RollbackSessions } from '../../../src/app/sessions';
import type { FlowUi, Presenter, PreviewDocument, RollbackDialogs, StopControl } from '../../../src/app/ui';
import { WorkspaceModel } from '../../../src/app/workspaceModel';
import { RecordsStore } from '../../../src/core/releases/recordsStore';
import { RedactingRollbackEvents, redactingJournalStore, Redactor } from '../../../src/core/redact';
import type { RollbackJournal, UnreadableJournal } from '../../../src/core/run/journalTypes';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { fileRecordsStorage } from '../../../src/infra/files/recordsFileStorage';
import { SimpleGitPort } from '../../../src/infra/git/simpleGitPort';
import { NodeHttp } from '../../../src/infra/http';
import { commandRunners } from '../../../src/infra/runners';
import { NodeLocalProcesses } from '../../../src/infra/shell/localProcesses';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';

/** Shows nothing; keeps what it was given, and forwards messages to the dialogs (as VS Code's presenter does). */
export class RecordingPresenter implements Presenter {
  readonly previews: string[] = [];
  readonly diffs: string[] = [];
  readonly warnings: string[] = [];
  readonly opened: string[] = [];
  /** The progress title, then each step as it was reported. */
  readonly reported: string[] = [];
  readonly unfinished: Array<{ message: string; runId: string }> = [];
  /** The action an error's buttons answer with (VS Code: the button the operator pressed). */
  pick?: (message: string, actions: string[]) => string | undefined;
  /** Called while the run goes, with its stop control (a test presses "stop after this step"). */
  duringRun?: (stop: StopControl) => void;

  constructor(private readonly dialogs: RollbackDialogs) {}

  info(message: string): void {
    this.dialogs.info(message);
  }
  async error(message: string, ...actions: string[]): Promise<string | undefined> {
    await this.dialogs.error(message, ...actions);
    return this.pick?.(message, actions);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  async showPreview(doc: PreviewDocument): Promise<void> {
    this.previews.push(doc.text);
    if (doc.diff) this.diffs.push(`${doc.diff.title}\n${await doc.diff.text()}`);
  }
  async openFile(absPath: string): Promise<void> {
    this.opened.push(absPath);
  }
  async progress<T>(title: string, work: (report: (message: string, increment: number) => void) => Promise<T>, stop: StopControl): Promise<T> {
    this.reported.push(title);
    return work((message) => {
      this.reported.push(message);
      this.duringRun?.(stop);
    });
  }
  async pickRun(runs: RollbackJournal[], _unreadable: UnreadableJournal[]): Promise<{ journal: RollbackJournal } | undefined> {
    return runs[0] && { journal: runs[0] };
  }
  async runDidNotFinish(message: string, runId: string): Promise<void> {
    this.unfinished.push({ message, runId });
    await this.dialogs.error(message, 'Resume Rollback');
  }
}

export interface AppServices {
  workspace: WorkspaceModel;
  sessions: RollbackSessions;
  flow: RollbackFlowDeps;
  ui: FlowUi & { presenter: RecordingPresenter };
  redactor: Redactor;
  records: RecordsStore;
  dispose(): void;
}

/** The services for the repository at `root`, asking through `dialogs` (swappable, as the extension's setDialogs). */
export function appServices(root: string, dialogs: () => RollbackDialogs): AppServices {
  const redactor = new Redactor();
  const log = { info: () => undefined, warn: () => undefined };
  const records = new RecordsStore(fileRecordsStorage(path.join(root, '.rollback/records.json')));
  const workspace = new WorkspaceModel({ fsPath: root }, { gitPort: new SimpleGitPort(root), records, log, fileSystem: () => new NodeFileSystem(root), parser: new PgSqlParser() });
  const runnerFor = commandRunners(root, () => ({ connectTimeoutMs: 10_000 }), dialogs);
  const sessions = new RollbackSessions({
    root: { fsPath: root },
    journals: redactingJournalStore(new FileJournalStore(path.join(root, '.rollback/journals')), redactor),
    events: new RedactingRollbackEvents(redactor),
    prompter: dialogs,
    records,
    log,
    runnerFor,
    http: new NodeHttp(),
    processes: new NodeLocalProcesses(),
    redactor,
  });
  const flow: RollbackFlowDeps = { workspace, sessions, databaseSteps: async (input) => databaseSectionFor(workspace, (await workspace.config()).config, input) };
  const presenter = new RecordingPresenter(dialogs());
  return {
    workspace,
    sessions,
    flow,
    ui: { prompter: dialogs(), presenter },
    redactor,
    records,
    dispose: () => {
      sessions.dispose();
      workspace.dispose();
    },
  };
}
