import { readFileSync } from 'node:fs';
import type { ProcessGroups } from '../../core/run/ports';

const POLL_MS = 100;

/**
 * A process's start time in clock ticks since boot: field 22 of /proc/<pid>/stat (Linux).
 * Counted after the last ")" because the command name in field 2 may hold spaces.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Process groups on this machine (POSIX): LocalCommandRunner starts every command in its own. */
export class NodeLocalProcesses implements ProcessGroups {
  isRunning(processGroup: number, startTicks?: string): Promise<boolean> {
    return Promise.resolve(this.alive(processGroup, startTicks));
  }

  async terminate(processGroup: number, graceMs: number, startTicks?: string): Promise<void> {
    if (!this.alive(processGroup, startTicks)) return; // gone, or its pid is someone else's now
    try {
      process.kill(-processGroup, 'SIGTERM');
    } catch {
      return; // already gone
    }
    for (let waited = 0; waited < graceMs && this.alive(processGroup); waited += POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      process.kill(-processGroup, 'SIGKILL');
    } catch {
      // ended on SIGTERM
    }
  }

  private alive(processGroup: number, startTicks?: string): boolean {
    // A leader with the same pid but another start time is a later process: the group we knew has ended.
    const now = startTicks ? processStartTicks(processGroup) : undefined;
    if (now && now !== startTicks) return false;
    return isProcessGroupAlive(processGroup);
  }
}

/** Whether a process group of this machine still has a process (an interrupted run's ansible-playbook, say). */
export function isProcessGroupAlive(processGroup: number): boolean {
  try {
    process.kill(-processGroup, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else, which still means "running".
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
