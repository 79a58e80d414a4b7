import type { CommandRunner } from '../core/ports';
import { LocalCommandRunner } from './shell/localCommandRunner';
import { SshCommandRunner, type HostKeyPrompt } from './ssh';

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
 */
export function commandRunners(cwd: string, settings: () => SshSettings, hostKeyPrompt: () => HostKeyPrompt): (where: string, timeoutMs?: number) => CommandRunner {
  return (where, timeoutMs) => {
    if (where === 'local') return new LocalCommandRunner({ cwd, timeoutMs });
    const s = settings();
    return new SshCommandRunner({
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
