import * as os from 'node:os';
import type { CommandRunner } from '../core/ports';
import { operatorLabel } from '../core/plan/operatorIdentity';
import { operatorGitIdentity } from '../core/plan/preflight';

/** The operator's git identity, read by readOperatorIdentity (the composition roots call it at start). */
let gitIdentity: { name: string; email: string } | undefined;

/**
 * Reads the operator's git identity (`git config` in the workspace: its config, then the
 * global one) for operatorName. Until it has run, and when git has none, the OS user stands in.
 */
export async function readOperatorIdentity(runner: CommandRunner, cwd: string): Promise<string> {
  gitIdentity = await operatorGitIdentity(runner, cwd).catch(() => undefined);
  return operatorName();
}

/** The git identity readOperatorIdentity found (undefined before it has run, or when git has none). */
export function operatorGitIdentityRead(): { name: string; email: string } | undefined {
  return gitIdentity;
}

/**
 * Who is at the keyboard, as recorded in journals, locks and bad marks: the same words from
 * the extension and the command line. The git identity ("Dana <dana@example.com>"), the one
 * the revert commits carry; `user@host` only when git has none.
 */
export function operatorName(): string {
  return operatorLabel(gitIdentity, () => ({ user: osUser(), host: os.hostname() }));
}

/** The OS user, looked up once per process (a passwd lookup, NSS modules loaded the first time). */
let osUserName: string | undefined;

function osUser(): string {
  if (osUserName === undefined) {
    try {
      osUserName = os.userInfo().username;
    } catch {
      // Containers without a passwd entry.
      osUserName = 'unknown';
    }
  }
  return osUserName;
}

/** The machine, as journals record it (foreignOrigin compares it). */
export function machineName(): string {
  return os.hostname();
}
