// The command line's composition root, beside extension.ts: the same services built by
// constructor over the same adapters, so a run from here writes the same journal
// (.rollback/journals), takes the same lock on the target and records the same outcome
// (.rollback/records.json and the team's copy) as a run from VS Code.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseSectionFor } from '../app/databasePlan';
import { KnownSecrets } from '../app/knownSecrets';
import { operatorGitIdentityRead, readOperatorIdentity } from '../app/operator';
import { silentLog, type AppLog } from '../app/log';
import type { RollbackFlowDeps } from '../app/rollbackFlow';
import { RollbackSessions } from '../app/sessions';
import type { FlowUi } from '../app/ui';
import { WorkspaceModel } from '../app/workspaceModel';
import type { UndoPath } from '../core/database';
import type { HttpPort } from '../core/ports';
import type { Cause, ConfigRemedy } from '../core/decision/tree';
import { ChecklistJournalBridge } from '../core/checklist';
import { RecordsStore } from '../core/releases/recordsStore';
import { RedactingRollbackEvents, redactingJournalStore, Redactor } from '../core/redact';
import { copyingJournalStore } from '../core/run/journalCopy';
import { FileJournalStore } from '../infra/files/fileJournalStore';
import { confinedJournalStore, confinedRecordsStorage } from '../infra/files/fsConfinement';
import { NodeFileSystem } from '../infra/files/nodeFileSystem';
import { fileRecordsStorage } from '../infra/files/recordsFileStorage';
import { SimpleGitPort, TAG_FORMAT, type PlainGitRead } from '../infra/git/simpleGitPort';
import { fileTagFieldsCache, tagCachePath } from '../infra/git/tagCache';
import { commandRunners, type SshSettings } from '../infra/runners';
import { ShellForkServer } from '../infra/shell/forkServer';
import { isProcessGroupAlive, NodeLocalProcesses } from '../infra/shell/localProcesses';
import { AnsiblePlaybookRunner } from '../infra/ansible/ansiblePlaybook';
import type { AnsiblePort } from '../core/fleet/ports';
import type { FleetFlowDeps } from '../app/fleetRun';
import { ansiblePluginRoot } from './ansiblePlugins';
import { LazyHttp } from './lazyHttp';
import { LazySqlParser } from './lazySqlParser';
import { cliNotifier } from './notify';
import { printRunOutput } from './runOutput';
import type { Terminal } from './terminal';
import { TerminalPresenter } from './terminalPresenter';
import { TerminalPrompter } from './terminalPrompter';

export interface GlobalOptions {
  /** The repository (any folder inside it); default: the current directory. */
  repo?: string;
  /** Relative to the repository root, as the extension's rollbackPilot.recordsFile setting. */
  recordsFile?: string;
  ssh: SshSettings;
  verbose: boolean;
  colour: boolean;
  /** Flag answers: the plan confirmation (--yes), the database undo path (--db-undo). */
  yes?: boolean;
  undo?: UndoPath;
  /** --cause and --remedy: the decision tree's answers (run). */
  cause?: Cause;
  remedy?: ConfigRemedy;
  showDiff?: boolean;
}

export interface CliServices {
  root: string;
  redactor: Redactor;
  records: RecordsStore;
  workspace: WorkspaceModel;
  sessions: RollbackSessions;
  flow: RollbackFlowDeps;
  ui: FlowUi & { prompter: TerminalPrompter; presenter: TerminalPresenter };
  http: HttpPort;
  /** The operator's git identity being read (operator.ts), started with the services; a command that records who ran it waits for it first. */
  operatorRead: Promise<void>;
  dispose(): Promise<void>;
}

export class NotARepositoryError extends Error {
  constructor(dir: string) {
    super(`${dir} is not inside a git repository (no .git found in it or above it); run rollback-pilot in your service's repository, or pass --repo DIR`);
    this.name = 'NotARepositoryError';
  }
}

/** The repository's top folder: the nearest folder at or above `dir` with a .git (a folder, or a worktree's file). No process is spawned. */
export function findRepositoryRoot(dir: string): string {
  let at = path.resolve(dir);
  for (let i = 0; i < 256; i++) {
    if (existsSync(path.join(at, '.git'))) return at;
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  throw new NotARepositoryError(path.resolve(dir));
}

/** Fleets (issue 15), as the extension runs them: Ansible with this command's SSH settings, the plugins shipped beside the bundle. */
function fleetDeps(root: string, ssh: SshSettings): FleetFlowDeps {
  const pluginRoot = ansiblePluginRoot(__dirname);
  return {
    ansible: (): AnsiblePort => {
      if (!pluginRoot) {
        const problem = `the Ansible plugins of rollback-pilot are missing (looked in ${path.join(__dirname, 'ansible')}): reinstall the package`;
        return { unavailable: () => Promise.resolve(problem), run: () => Promise.reject(new Error(problem)) };
      }
      return new AnsiblePlaybookRunner({
        pluginRoot,
        // Short: ssh's control sockets live under it, and a socket path has at most 107 bytes.
        workDir: path.join(os.tmpdir(), `rp-ansible-${process.pid}-${Date.now().toString(36)}`),
        knownHostsFiles: [ssh.knownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts')],
        sshConfigFile: ssh.sshConfigFile,
        cwd: root,
        connectTimeoutS: Math.ceil(ssh.connectTimeoutMs / 1000),
      });
    },
    isProcessGroupAlive,
  };
}

/** simple-git's own silence timeout for the same reads. */
const GIT_READ_TIMEOUT_MS = 60_000;
/** A tag listing is answered whole (about 100 bytes a tag); one larger than this is read through simple-git. */
const GIT_READ_KEEP_BYTES = 256 * 1024 * 1024;

export async function buildServices(options: GlobalOptions, term: Terminal): Promise<CliServices> {
  const root = findRepositoryRoot(options.repo ?? process.cwd());
  // The one redactor: everything written or shown (journal, log, output, preview, messages) passes through it.
  const redactor = new Redactor();
  const redact = (text: string): string => redactor.redact(text);
  const log: AppLog = options.verbose ? { info: (m) => term.err(term.style(redact(m), 'dim')), warn: (m) => term.err(term.style(`Warning: ${redact(m)}`, 'yellow')) } : { ...silentLog, warn: (m) => term.err(term.style(`Warning: ${redact(m)}`, 'yellow')) };

  const prompter = new TerminalPrompter(term, redact, { confirmPlan: options.yes, undo: options.undo, cause: options.cause, remedy: options.remedy });
  const presenter = new TerminalPresenter(term, redact, { showDiff: options.showDiff });
  const records = new RecordsStore(confinedRecordsStorage(fileRecordsStorage(path.resolve(root, options.recordsFile ?? '.rollback/records.json')), root));
  // What each tag's object reads as is kept between runs (tagCache.ts): a plan on 10,000 tags does not read 10,000 objects every time.
  const tagCacheFile = tagCachePath(root, TAG_FORMAT, term.io.env);
  // Local queries (the target's HEAD, the plan's git questions, the target's files, the tag names) are started by one small shell, not by forking this process each time (forkServer.ts).
  const forkServer = term.io.env.ROLLBACK_PILOT_FORK_SERVER === '0' ? undefined : ShellForkServer.start();
  const plainRead: PlainGitRead | undefined = forkServer && ((command) => forkServer.read(command, root, GIT_READ_TIMEOUT_MS, GIT_READ_KEEP_BYTES));
  const git = new SimpleGitPort(root, { ...(tagCacheFile ? { tagCache: fileTagFieldsCache(tagCacheFile) } : {}), ...(plainRead ? { plainRead } : {}) });
  const workspace = new WorkspaceModel({ fsPath: root }, { gitPort: git, records, log, fileSystem: () => new NodeFileSystem(root), parser: new LazySqlParser() });
  const runnerFor = commandRunners(root, () => options.ssh, () => prompter, forkServer);
  const events = new RedactingRollbackEvents(redactor);
  const journalsDir = path.join(root, '.rollback', 'journals');
  // The same journal store as the extension's (without its checklist bridge): durable files, confined to the repository, copied to the target for the team, redacted.
  // Saved through the checklist's bridge, as in the extension: the notify steps' results ride along in the journal.
  const journals = new ChecklistJournalBridge(redactingJournalStore(copyingJournalStore(confinedJournalStore(new FileJournalStore(journalsDir), root, journalsDir), { runnerFor: (where) => runnerFor(where), onCopyFailed: (m) => log.warn(`The team's copy of the journal is behind: ${m}`) }), redactor));
  const http = new LazyHttp();
  const notify = cliNotifier({ events, journals, http, redactor, config: () => workspace.currentConfig(), env: term.io.env, say: (m) => term.err(term.style(redact(m), 'yellow')), log: (l) => log.info(l) });
  // Read once, alongside the command's first reads (the target, the tags): planning waits for this read rather than asking git again.
  const identityRunner = runnerFor('local');
  // readOperatorIdentity never rejects: without a git identity the OS user stands in.
  const operatorRead = readOperatorIdentity(identityRunner, root).then(() => undefined);
  void operatorRead.finally(() => identityRunner.dispose().catch(() => undefined));
  const sessions = new RollbackSessions({ root: { fsPath: root }, journals, events, prompter: () => prompter, records, log, runnerFor, redactor, http, processes: new NodeLocalProcesses(), notify: notify.notifier, gitIdentity: () => operatorRead.then(operatorGitIdentityRead) });
  const output = printRunOutput(events, term);
  // The command line has no secret storage; the .env values among configFiles are redacted as in the extension.
  const secrets = new KnownSecrets(redactor, undefined, [], log, { root, config: async () => (await workspace.config()).config });
  await secrets.refresh();
  const flow: RollbackFlowDeps = { workspace, sessions, fleet: fleetDeps(root, options.ssh), databaseSteps: async (input) => databaseSectionFor(workspace, (await workspace.config()).config, input) };
  return {
    root,
    redactor,
    records,
    workspace,
    sessions,
    flow,
    ui: { prompter, presenter },
    http,
    operatorRead,
    dispose: async () => {
      output.dispose();
      notify.dispose();
      sessions.dispose();
      workspace.dispose();
      forkServer?.close();
    },
  };
}
