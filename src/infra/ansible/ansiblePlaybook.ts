// Runs ansible-playbook for a fleet rollout: the generated playbook and inventory in a private
// folder, the product's callback plugin reporting every host × task event into events.jsonl
// (read here as it grows), and Ansible's ssh told to trust only the product's known_hosts
// (StrictHostKeyChecking=yes): a host whose key changed since the product verified it stops there.
//
// Speed (the bench note in issue 15): pipelining, one SSH master per host kept across tasks
// (ControlPersist), forks for a whole batch, no fact gathering.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnsiblePort, AnsibleRunRequest, AnsibleRunResult } from '../../core/fleet/ports';
import { ansibleProblem } from '../../core/fleet/ansibleVersion';
import { releaseVersionLine } from './ansibleVersionProbe';
import { parseEventLine, type AnsibleEvent } from '../../core/fleet/events';

export interface AnsibleOptions {
  /** The extension's media/ansible folder (holds callback_plugins/rollback_pilot.py). */
  pluginRoot: string;
  /** A folder of this run's own: playbook, inventory, events, Ansible's home and temp, SSH control sockets. */
  workDir: string;
  /** The product's known_hosts (the keys it verified, or the operator accepted): the only keys Ansible's ssh trusts. */
  knownHostsFiles: string[];
  /** Private keys to offer (otherwise the SSH agent and ssh's defaults). */
  identityFiles?: string[];
  /** An ssh config file for ssh (aliases); ssh's own default when absent. */
  sshConfigFile?: string;
  /** Where ansible-playbook runs (the repository, so a team inventory's relative paths work). */
  cwd?: string;
  /** ansible-playbook (default: from PATH). */
  program?: string;
  /** Seconds for the SSH connection to come up (Ansible's `timeout`). */
  connectTimeoutS?: number;
}

const OUTPUT_TAIL = 16 * 1024;
/** The variables of this process that ansible-playbook gets (everything else it is given is set below). */
const PASSED_ENV = /^(?:PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TERM|SSH_AUTH_SOCK|PYTHONPATH|PYTHONHOME|VIRTUAL_ENV|KRB5CCNAME)$/;

export class AnsiblePlaybookRunner implements AnsiblePort {
  private runs = 0;
  private checked?: Promise<string | undefined>;

  constructor(private readonly opts: AnsibleOptions) {}

  /** Asked once per instance (a Python start-up, ~0.2 s): the flow's check before planning, planFleet's for the preview and the rebuild share it. */
  unavailable(): Promise<string | undefined> {
    this.checked ??= this.checkVersion();
    return this.checked;
  }

  private async checkVersion(): Promise<string | undefined> {
    const program = this.opts.program ?? 'ansible-playbook';
    const env = this.env(join(this.opts.workDir, 'version'));
    // Its own Python asked for the release (a few ms) before the whole CLI is started for --version.
    const quick = await releaseVersionLine(program, env, 20_000);
    if (quick !== undefined) return ansibleProblem(quick);
    return new Promise((resolve) => {
      execFile(program, ['--version'], { timeout: 20_000, env }, (err, stdout) => {
        const missing = err && (err as NodeJS.ErrnoException).code === 'ENOENT';
        resolve(ansibleProblem(missing ? undefined : String(stdout), missing ? `no ${program} on PATH` : undefined));
      });
    });
  }

  async run(req: AnsibleRunRequest): Promise<AnsibleRunResult> {
    const dir = join(this.opts.workDir, `run-${++this.runs}${req.check ? '-check' : ''}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const playbook = join(dir, 'playbook.yml');
    const inventory = join(dir, 'inventory.yml');
    const eventsFile = join(dir, 'events.jsonl');
    writeFileSync(playbook, req.playbook, { mode: 0o600 });
    writeFileSync(inventory, req.inventory, { mode: 0o600 });
    writeFileSync(eventsFile, '', { mode: 0o600 });
    const args = [...(req.userInventory ? ['-i', req.userInventory] : []), '-i', inventory];
    // Secrets go to Ansible in a file only its user can read, in a folder only its user can enter,
    // for as long as Ansible takes to read it (VariableManager loads extra vars before the
    // playbook starts, so it is gone by the first event): never the environment (/proc/PID/environ,
    // lookup('env')), the command line (ps) or the playbook and inventory (kept for the journal).
    const extraVars = req.extraVars !== undefined ? join(dir, 'run-vars.yml') : undefined;
    if (extraVars) {
      writeFileSync(extraVars, req.extraVars!, { mode: 0o600 });
      args.push('--extra-vars', `@${extraVars}`);
    }
    const forget = (): void => {
      if (extraVars) rmSync(extraVars, { force: true });
    };
    if (req.limit) args.push('--limit', req.limit.join(','));
    if (req.check) args.push('--check', '--diff');
    args.push(playbook);
    const program = this.opts.program ?? 'ansible-playbook';
    // setpriv --pdeathsig: if the product dies (a crash, SIGKILL), Ansible dies with it instead of
    // rolling on unwatched; the resume then sees from the journal what was left unknown.
    const withDeathSig = existsSync('/usr/bin/setpriv');
    const cmd = withDeathSig ? '/usr/bin/setpriv' : program;
    const cmdArgs = withDeathSig ? ['--pdeathsig', 'KILL', '--', program, ...args] : args;

    const events: AnsibleEvent[] = [];
    let unreadable = 0;
    let offset = 0;
    let partial = '';
    const drain = (final: boolean): void => {
      const fd = openSync(eventsFile, 'r');
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, offset);
          if (n <= 0) break;
          offset += n;
          partial += buf.subarray(0, n).toString('utf8');
        }
      } finally {
        closeSync(fd);
      }
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      if (final && partial !== '') {
        lines.push(partial);
        partial = '';
      }
      for (const line of lines) {
        if (line.trim() === '') continue;
        const e = parseEventLine(line);
        if (!e) {
          unreadable++;
          continue;
        }
        // The callback's first event comes after Ansible has read its variables.
        if (events.length === 0) forget();
        events.push(e);
        req.onEvent?.(e);
      }
    };

    try {
      let output = '';
      const child = spawn(cmd, cmdArgs, { cwd: this.opts.cwd ?? dir, env: this.env(dir, eventsFile, req.forks), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid) req.onStarted?.(child.pid);
      // Whole lines only reach onOutput, each stream on its own: the caller redacts what it is
      // given, and a secret a task printed must not arrive cut in two by a pipe's chunk boundary.
      const held = { stdout: '', stderr: '' };
      const onChunk = (stream: 'stdout' | 'stderr') => (d: Buffer): void => {
        const s = d.toString('utf8');
        output = (output + s).slice(-OUTPUT_TAIL);
        const text = held[stream] + s;
        const cut = text.lastIndexOf('\n') + 1;
        held[stream] = text.slice(cut);
        if (cut > 0) req.onOutput?.(text.slice(0, cut));
      };
      child.stdout.on('data', onChunk('stdout'));
      child.stderr.on('data', onChunk('stderr'));
      const poll = setInterval(() => drain(false), 100);
      const abort = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGINT');
        } catch {
          // already gone
        }
      };
      req.signal?.addEventListener('abort', abort, { once: true });
      const exit = await new Promise<{ code: number | null; signal: string | null; spawnError?: string }>((resolve) => {
        child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e.message }));
        child.once('close', (code, signal) => resolve({ code, signal }));
      });
      clearInterval(poll);
      req.signal?.removeEventListener('abort', abort);
      for (const rest of [held.stdout, held.stderr]) if (rest) req.onOutput?.(rest);
      drain(true);
      // The events hold what every task printed, as printed (the callback cannot redact): what the
      // journal needs of them it now has, redacted by its store; the raw copy does not stay on disk.
      rmSync(eventsFile, { force: true });
      return { code: exit.code, signal: exit.signal, events, unreadableLines: unreadable, outputTail: output, dir, internalError: internalError(exit, events, output) };
    } finally {
      forget();
    }
  }

  private env(dir: string, eventsFile?: string, forks = 5): NodeJS.ProcessEnv {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const o = this.opts;
    const sshArgs = [
      '-o ControlMaster=auto',
      '-o ControlPersist=60s',
      '-o StrictHostKeyChecking=yes',
      // ssh reads several files from one space-separated value, which must stay one word for shlex.
      `-o ${sshQuote(`UserKnownHostsFile=${o.knownHostsFiles.join(' ')}`)}`,
      '-o GlobalKnownHostsFile=/dev/null',
      '-o ForwardAgent=no',
      '-o BatchMode=yes',
      ...(o.identityFiles ?? []).map((f) => `-o ${sshQuote(`IdentityFile=${f}`)}`),
      ...(o.identityFiles?.length ? ['-o IdentitiesOnly=yes'] : []),
      // ssh refuses a -F file that does not exist; the product's meaning of one is "no ssh config".
      ...(o.sshConfigFile ? [`-F ${sshQuote(existsSync(o.sshConfigFile) ? o.sshConfigFile : '/dev/null')}`] : []),
    ].join(' ');
    // Only what ansible-playbook and ssh need from this process (where programs are, the user, the
    // locale Ansible insists on, the agent): the extension host's environment may hold a
    // PGPASSWORD, a token or a cloud key, which a lookup('env') or a local task would read, and the
    // operator's own ANSIBLE_* would change what runs.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => PASSED_ENV.test(k)));
    return {
      ...base,
      ANSIBLE_HOME: join(dir, 'home'),
      ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
      ANSIBLE_SSH_ARGS: sshArgs,
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_FORKS: String(Math.max(1, forks)),
      ANSIBLE_GATHERING: 'explicit',
      ANSIBLE_TIMEOUT: String(o.connectTimeoutS ?? 10),
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_NOCOLOR: 'True',
      ANSIBLE_DEPRECATION_WARNINGS: 'False',
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      ANSIBLE_CALLBACK_PLUGINS: join(o.pluginRoot, 'callback_plugins'),
      // rollback_pilot_json: a health check's JSON expectations, judged as for a single host.
      ANSIBLE_FILTER_PLUGINS: join(o.pluginRoot, 'filter_plugins'),
      ANSIBLE_CALLBACKS_ENABLED: 'rollback_pilot',
      ANSIBLE_CONFIG: join(dir, 'no-ansible.cfg'),
      ...(eventsFile ? { ROLLBACK_PILOT_EVENTS: eventsFile } : {}),
    };
  }
}

/** Ansible failed as a program (exit 1, 4 without any host event, 5, 250, or could not start), not because a host did. */
function internalError(exit: { code: number | null; signal: string | null; spawnError?: string }, events: AnsibleEvent[], output: string): string | undefined {
  if (exit.spawnError) return `ansible-playbook could not start: ${exit.spawnError}`;
  const ended = events.some((e) => e.event === 'end');
  const tail = output.trim().split('\n').slice(-6).join('\n');
  if (exit.code === 0 && events.length === 0) return `ansible-playbook ran but none of its events arrived: the rollback_pilot callback plugin was not loaded (ANSIBLE_CALLBACK_PLUGINS)\n${tail}`;
  if (exit.code === 0 || exit.code === 2 || exit.code === 4 || exit.code === 8) {
    if (ended) return undefined;
    if (exit.code === 4 && !events.some((e) => e.host)) return `ansible-playbook could not read the playbook or inventory (exit 4):\n${tail}`;
    if (exit.code !== 0) return undefined;
  }
  if (exit.code === null) return undefined; // ended by a signal: the run was stopped, not broken
  return `ansible-playbook failed by itself (exit ${exit.code}), not on a host:\n${tail}`;
}

/** One argument inside ANSIBLE_SSH_ARGS, which Ansible splits like a shell (shlex). */
function sshQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
