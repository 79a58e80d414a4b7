// The post-mortem's fleet section (issue 15, item 7): for a fleet rollout, how it was cut into
// batches, where each host ended up, the host × step grid and each host's own timeline (its
// batch, when it started and ended, the step it stopped at), all rebuilt from the journal; and
// the same per-host state, shorter, for the CHANGELOG note.
import { fleetRecord, gridFromJournal, hostTimelines, timelineMarkdown, type HostTimeline } from '../fleet/fleetJournal';
import { gridMarkdown } from '../fleet/gridMarkdown';
import { fleetStateText } from '../fleet/resume';
import type { RollbackJournal } from '../run/journalTypes';

/** A fleet journal's batches, grid and where its hosts ended; undefined for a single host's journal. */
function fleetOutcome(journal: RollbackJournal): { rec: NonNullable<ReturnType<typeof fleetRecord>>; grid: NonNullable<ReturnType<typeof gridFromJournal>>; state: string } | undefined {
  const rec = fleetRecord(journal);
  const grid = gridFromJournal(journal);
  if (!rec || !grid) return undefined;
  const plan = journal.plan;
  const code = plan.steps.find((s) => s.kind === 'code' && s.id.startsWith('code-'))?.id;
  const state = fleetStateText(grid, code, plan.from.name, plan.to.name) || `nothing ran on ${grid.hosts.join(', ')}`;
  return { rec, grid, state };
}

export function fleetSection(journal: RollbackJournal): string[] {
  const outcome = fleetOutcome(journal);
  if (!outcome) return [];
  const { rec, grid, state } = outcome;
  const stops = journal.events.filter((e) => e.kind === 'fleet-stopped').map((e) => e.message);
  return [
    '## The fleet', '',
    `- **Hosts:** ${grid.hosts.length}, in batches ${rec.batches.map((b) => `[${b.join(', ')}]`).join(' ')} (the first is the canary)`,
    `- **Where each host ended:** ${state}`,
    ...(stops.length ? [`- **Stopped:** ${stops.join('; ')}`] : []),
    '',
    ...gridMarkdown(grid),
    '',
    '### Each host (UTC)', '',
    ...timelineMarkdown(grid),
    '',
  ];
}

const SAID: Record<HostTimeline['state'], string> = { done: 'done', failed: 'failed', unknown: 'outcome unknown', partial: 'partly done', untouched: 'untouched' };

/**
 * The CHANGELOG note's lines for a fleet rollout: where the fleet ended, then one line per host
 * (its batch, its outcome, the step it stopped at). Short, for a file teams read in review; the
 * post-mortem has the times and the why. Empty for a single host's journal.
 */
export function fleetChangelogLines(journal: RollbackJournal): string[] {
  const outcome = fleetOutcome(journal);
  if (!outcome) return [];
  const { rec, grid, state } = outcome;
  return [
    `Fleet of ${grid.hosts.length} hosts in ${rec.batches.length} batches: ${state}`,
    ...hostTimelines(grid).map((t) => `${t.host}: ${t.batch ? `batch ${t.batch}` : 'not reached'}, ${SAID[t.state]}${t.stoppedAt ? ` at ${t.stoppedAt.split(' ')[0]}` : ''}`),
  ];
}
