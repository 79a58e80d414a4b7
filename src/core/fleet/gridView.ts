// The host × step grid as the checklist page draws it: plain data, rebuilt from the journal
// (its fleet-host-step events), so the page never needs the grid's own class.
import type { RollbackJournal } from '../run/journalTypes';
import { fleetRecord, gridFromJournal } from './fleetJournal';
import { fleetStateText } from './resume';
import type { HostStepOutcome } from './types';

export interface FleetGridView {
  /** Which host is on which release, in words. */
  state: string;
  steps: Array<{ id: string; title: string }>;
  rows: Array<{ host: string; batch?: number; cells: Record<string, HostStepOutcome> }>;
}

export const HOST_STEP_OUTCOMES: readonly HostStepOutcome[] = ['not-started', 'running', 'ok', 'failed', 'skipped', 'unknown'];

export function fleetGridView(journal: RollbackJournal): FleetGridView | undefined {
  if (!fleetRecord(journal)) return undefined;
  const grid = gridFromJournal(journal)!;
  const plan = journal.plan;
  const code = plan.steps.find((s) => s.kind === 'code' && s.id.startsWith('code-'))?.id;
  return {
    state: fleetStateText(grid, code, plan.from.name, plan.to.name) || 'no host has started yet',
    steps: grid.steps.map((s) => ({ id: s.id, title: s.title })),
    rows: grid.hosts.map((host) => {
      const row = grid.rows.get(host)!;
      return { host, ...(row.batch !== undefined ? { batch: row.batch } : {}), cells: Object.fromEntries(grid.steps.map((s) => [s.id, row.cells[s.id]?.outcome ?? 'not-started'])) };
    }),
  };
}
