import type { RollbackJournal } from '../run/journalTypes';

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'unknown';

/** docs/postmortems/<date>-<from>-to-<to>.md, relative to the workspace root, forward slashes. */
export function defaultPostmortemPath(journal: Pick<RollbackJournal, 'decidedAt' | 'plan'>, dir = 'docs/postmortems'): string {
  return `${dir.replace(/\/+$/, '')}/${journal.decidedAt.slice(0, 10)}-${safe(journal.plan.from.name)}-to-${safe(journal.plan.to.name)}.md`;
}
