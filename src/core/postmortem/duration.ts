// How long the rollback took, said the way the team was told. The all-clear message says
// "Took 1:53 from the decision" at the moment it goes out; the run ends a moment later (the
// last step, the journal's finishedAt), so "decision to end" read 1:54 in the post-mortem of
// the same incident. The post-mortem now measures to the all-clear, with the same formatter,
// and says when the run ended beside it.
import { formatElapsed } from '../checklist/timer';
import type { ChecklistState } from '../checklist/types';
import type { RollbackJournal } from '../run/journalTypes';

/** "1:53 from the decision to the all-clear (the run ended at 1:54)", "9:30 from decision to end", or undefined for a run that has not ended. */
export function rollbackDuration(journal: Pick<RollbackJournal, 'decidedAt' | 'finishedAt'>, checklist: Pick<ChecklistState, 'notifications'> | undefined): string | undefined {
  const decided = Date.parse(journal.decidedAt);
  const allClear = checklist?.notifications.find((n) => n.kind === 'all-clear' && n.result !== 'failed');
  const ended = journal.finishedAt ? formatElapsed(Date.parse(journal.finishedAt) - decided) : undefined;
  if (allClear) {
    const told = formatElapsed(Date.parse(allClear.at) - decided);
    return `${told} from the decision to the all-clear${ended && ended !== told ? ` (the run ended at ${ended})` : ''}`;
  }
  return ended && `${ended} from decision to end`;
}
