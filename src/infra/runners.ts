import type { CommandRunner, ExecOptions, ExecResult } from '../core/ports';
import type { ShellForkServer } from './shell/forkServer';
import { LocalCommandRunner } from './shell/localCommandRunner';
import type { HostKeyPrompt, SshRunnerOptions } from './ssh';

/**
 * An SSH runner whose module (ssh2 and its crypto, the largest part of the bundle to start)
 * is loaded when the first command is sent: a plan for a local target, --help, and the
 * extension's activation never pay for it.
 */
class DeferredSshRunner implements CommandRunner {
  readonly where: string;
  private runner?: Promise<CommandRunner>;

  constructor(private readonly options: SshRunnerOptions) {
    this.where = options.destination;
  }

  private connect(): Promise<CommandRunner> {
    this.runner ??= import('./ssh/sshCommandRunner').then((m) => new m.SshCommandRunner(this.options));
    return this.runner;
  }

  async run(command: string, options?: ExecOptions): Promise<ExecResult> {
    return (await this.connect()).run(command, options);
  }

  async dispose(): Promise<void> {
    if (this.runner) await (await this.runner).dispose();
  }
}

/** The SSH settings both front ends share (VS Code: rollbackPilot.ssh.*; the CLI: --known-hosts, --ssh-config). */
export interface SshSettings {
  knownHostsFile?: string;
  sshConfigFile?: string;
  connectTimeoutMs: number;
}

/**
 * How both composition roots make a runner for "local" (/bin/sh in the workspace) or an SSH
 * destination (ssh2, host keys checked against the product's known_hosts, unknown keys asked).
 * Settings and the prompt are read per runner: a changed setting or front end counts at once.
 * With a fork server (the command line's: forkServer.ts), local commands that need no more are started by it.
 */
export function commandRunners(cwd: string, settings: () => SshSettings, hostKeyPrompt: () => HostKeyPrompt, forkServer?: ShellForkServer): (where: string, timeoutMs?: number) => CommandRunner {
  return (where, timeoutMs) => {
    if (where === 'local') return new LocalCommandRunner({ cwd, timeoutMs, forkServer });
    const s = settings();
    return new DeferredSshRunner({
      destination: where,
      hostKeyPrompt: hostKeyPrompt(),
      knownHostsFiles: s.knownHostsFile ? [s.knownHostsFile] : undefined,
      sshConfigFile: s.sshConfigFile,
      readyTimeoutMs: s.connectTimeoutMs,
      keepaliveIntervalMs: 10_000,
      keepaliveCountMax: 3,
      commandTimeoutMs: timeoutMs,
    });
  };
}
