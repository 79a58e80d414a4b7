import type { LocalProcesses } from '../../core/run/ports';

const POLL_MS = 100;

/** Process groups on this machine (POSIX): LocalCommandRunner starts every command in its own. */
export class NodeLocalProcesses implements LocalProcesses {
  isRunning(processGroup: number): boolean {
    try {
      process.kill(-processGroup, 0);
      return true;
    } catch (e) {
      // EPERM: it exists but belongs to someone else, which still means "running".
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  async terminate(processGroup: number, graceMs: number): Promise<void> {
    try {
      process.kill(-processGroup, 'SIGTERM');
    } catch {
      return; // already gone
    }
    for (let waited = 0; waited < graceMs && this.isRunning(processGroup); waited += POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    try {
      process.kill(-processGroup, 'SIGKILL');
    } catch {
      // ended on SIGTERM
    }
  }
}
