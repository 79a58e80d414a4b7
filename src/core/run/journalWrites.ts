import type { StepOutcome } from '../plan/types';
import type { RollbackJournal } from './journalTypes';

/** What one save that succeeded put on disk, enough to say afterwards what the file holds. */
export interface DurableState {
  at: string;
  status: RollbackJournal['status'];
  steps: Array<{ stepId: string; outcome: StepOutcome }>;
}

export function durableState(journal: RollbackJournal, at: number): DurableState {
  return { at: new Date(at).toISOString(), status: journal.status, steps: journal.steps.map((s) => ({ stepId: s.stepId, outcome: s.outcome })) };
}

/**
 * A journal save failed (disk full, folder gone, permissions). The run stops at once: a
 * step that started without a durable record of it could run twice after a crash. The
 * message says what ran, what is not recorded, and what the file on disk still holds.
 */
export class JournalWriteError extends Error {
  constructor(
    readonly failure: Error,
    readonly durable: DurableState | undefined,
    journal: RollbackJournal,
  ) {
    super(describeWriteFailure(journal, durable, failure));
    this.name = 'JournalWriteError';
  }

  /** The same account, for the journal as it stands in memory now (after the running step ended). */
  describe(journal: RollbackJournal): string {
    return describeWriteFailure(journal, this.durable, this.failure);
  }
}

export function describeWriteFailure(journal: RollbackJournal, durable: DurableState | undefined, cause: Error): string {
  const title = (id: string): string => `"${journal.plan.steps.find((s) => s.id === id)?.title ?? id}"`;
  const out = [`The journal of run ${journal.runId} could not be written (${cause.message}), so the rollback stopped at once: no step starts without a journal on disk that says where things stand.`];
  for (const js of journal.steps) {
    const onDisk = durable ? (durable.steps.find((d) => d.stepId === js.stepId)?.outcome ?? 'pending') : 'pending';
    if (js.outcome === onDisk) continue;
    if (js.outcome === 'running' && js.process) out.push(`${title(js.stepId)} was running (${js.process.command}); its outcome is not recorded.`);
    else if (js.outcome === 'running') out.push(`${title(js.stepId)} did not start: its start could not be recorded.`);
    else if (js.outcome !== 'pending') out.push(`${title(js.stepId)} was running and ended ${js.outcome}, but that outcome is not recorded.`);
  }
  if (!durable) {
    out.push('No save of this run reached the disk: there is no journal of it to resume.');
  } else {
    const done = durable.steps.filter((s) => s.outcome === 'ok' || s.outcome === 'skipped').length;
    const running = durable.steps.filter((s) => s.outcome === 'running' || s.outcome === 'unknown').map((s) => title(s.stepId));
    out.push(
      `The journal file on disk holds the last save that succeeded (${durable.at}, status ${durable.status}): ${done} of ${durable.steps.length} steps done${running.length ? `, ${running.join(', ')} recorded as running` : ''}.`,
      'Make room (or fix the folder), then Resume Rollback: a step recorded as running is checked, or you are asked, before it runs again.',
    );
  }
  return out.join(' ');
}
