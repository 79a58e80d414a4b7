// Open Running Rollback's Journal: the journal of the rollback that holds the environment's
// lock, read from its copy on the target (another operator's run), rendered for a read-only
// document. One short connection; nothing is written anywhere.
import type { EnvironmentConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';
import { notificationSafe, oneLine } from '../core/redact/displayText';
import { readRollbackInProgress } from '../core/run/rollbackInProgress';
import { renderTeamJournal } from '../core/run/teamJournalView';

export type RunningJournal = { text: string; title: string; summary: string } | { none: string };

export async function readRunningJournal(runnerFor: (host: string) => CommandRunner, env: Pick<EnvironmentConfig, 'name' | 'host' | 'records'>, cwd: string, now = () => new Date()): Promise<RunningJournal> {
  const runner = runnerFor(env.host);
  try {
    const p = await readRollbackInProgress(runner, { cwd, environment: env.name, records: env.records });
    if (!p) return { none: `Nobody is rolling back ${env.name}: ${runner.where}:${cwd} holds no rollback lock.` };
    // Shown in a notification: the lock's holder and the host's error are the target's words, so one line and no link (displayText.ts).
    if (p.journalText === undefined) return { none: notificationSafe(oneLine(`${p.summary}, but its journal cannot be shown: ${p.journalProblem ?? 'no copy was found'}.`, 600)) };
    return { text: renderTeamJournal(p.journalText, p.journalFile ?? runner.where, now(), p.summary), title: `${env.name} ${p.lock.runId}`, summary: notificationSafe(oneLine(p.summary, 300)) };
  } finally {
    await runner.dispose().catch(() => undefined);
  }
}
