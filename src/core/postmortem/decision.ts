// The decision in the post-mortem: a summary line (how it was decided, the triggers shown) and
// the timeline's rows (asked, each investigation started and ended, decided), from the journal's
// decision record. Journals from before it was recorded have none: nothing is added for them.
import { decisionSummary, decisionTimeline, readDecisionRecord } from '../decision/record';
import type { RollbackJournal } from '../run/journalTypes';

/** Summary bullets (Markdown, the text already safe for a table cell through `cell`). */
export function decisionSummaryLines(journal: Pick<RollbackJournal, 'decision'>, cell: (s: string) => string): string[] {
  const d = readDecisionRecord(journal.decision);
  if (!d) return [];
  const triggers = [...new Set([...d.asked.flatMap((a) => a.triggers), ...d.investigations.flatMap((i) => i.triggers ?? [])])];
  return [`- **Decision:** ${cell(decisionSummary(d))}`, ...(triggers.length ? [`- **Triggers shown:** ${cell(triggers.join('; '))}`] : [])];
}

/** The timeline's rows of the decision, in the order they happened. */
export function decisionRows(journal: Pick<RollbackJournal, 'decision'>): Array<{ at: string; what: string }> {
  const d = readDecisionRecord(journal.decision);
  return d ? decisionTimeline(d) : [];
}
