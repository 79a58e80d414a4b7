// The fleet's part of the journal: what was rolled where (one `fleet-planned` event), each
// change of the host × step grid (one `fleet-host-step` event each, so the grid of any run can
// be rebuilt from its journal alone: for a resume, the Releases view, the post-mortem), and the
// plan step's outcome over all hosts.
import type { StepOutcome } from '../plan/types';
import type { JournalEvent, RollbackJournal } from '../run/journalTypes';
import { FleetGrid, type GridChange, type GridStep } from './grid';
import type { FleetHost, RolloutConfig } from './types';

export const FLEET_PLANNED = 'fleet-planned';
export const FLEET_HOST_STEP = 'fleet-host-step';
export const ANSIBLE_STARTED = 'ansible-started';

export interface FleetRecord {
  hosts: FleetHost[];
  rollout: RolloutConfig;
  group: string;
  userInventory?: string;
  /** The host steps Ansible runs, in order, with their task counts. */
  steps: GridStep[];
  batches: string[][];
}

export function fleetRecord(journal: RollbackJournal): FleetRecord | undefined {
  const e = journal.events.find((x) => x.kind === FLEET_PLANNED);
  return e?.data as FleetRecord | undefined;
}

/** The grid as the journal left it. */
export function gridFromJournal(journal: RollbackJournal): FleetGrid | undefined {
  const rec = fleetRecord(journal);
  if (!rec) return undefined;
  const grid = new FleetGrid(
    rec.hosts.map((h) => h.name),
    rec.steps,
  );
  grid.restore(journal.events.filter((e) => e.kind === FLEET_HOST_STEP).map((e) => e.data as unknown as GridChange));
  return grid;
}

export function changeEvent(c: GridChange, at: number): JournalEvent {
  const detail = c.cell.detail ? `: ${c.cell.detail}` : '';
  return { at: new Date(at).toISOString(), kind: FLEET_HOST_STEP, message: `${c.host} ${c.step} ${c.cell.outcome}${c.batch ? ` (batch ${c.batch})` : ''}${detail}`, data: { ...c } as unknown as Record<string, unknown> };
}

/** One step's outcome over the fleet: ok only when every host that runs it is ok. */
export function stepOutcome(grid: FleetGrid, step: string): StepOutcome {
  const cells = grid.hosts.map((h) => grid.cell(h, step)!).filter(Boolean);
  if (cells.some((c) => c.outcome === 'failed')) return 'failed';
  if (cells.some((c) => c.outcome === 'unknown')) return 'unknown';
  if (cells.some((c) => c.outcome === 'running')) return 'running';
  if (cells.every((c) => c.outcome === 'ok' || c.outcome === 'skipped')) return 'ok';
  if (cells.every((c) => c.outcome === 'not-started')) return 'pending';
  return 'failed';
}

/** Per host, for the post-mortem and the CHANGELOG note: batch, first start, last end, outcome. */
export interface HostTimeline {
  host: string;
  batch?: number;
  startedAt?: string;
  finishedAt?: string;
  state: ReturnType<FleetGrid['hostState']>;
  /** The first step that did not end ok, with why. */
  stoppedAt?: string;
}

export function hostTimelines(grid: FleetGrid): HostTimeline[] {
  return grid.hosts.map((host) => {
    const row = grid.rows.get(host)!;
    const cells = Object.entries(row.cells);
    const starts = cells.map(([, c]) => c.startedAt).filter((x): x is number => x !== undefined);
    const ends = cells.map(([, c]) => c.finishedAt).filter((x): x is number => x !== undefined);
    const bad = cells.find(([, c]) => c.outcome === 'failed' || c.outcome === 'unknown');
    const t: HostTimeline = { host, state: grid.hostState(host) };
    if (row.batch !== undefined) t.batch = row.batch;
    if (starts.length) t.startedAt = new Date(Math.min(...starts)).toISOString();
    if (ends.length) t.finishedAt = new Date(Math.max(...ends)).toISOString();
    if (bad) t.stoppedAt = `${bad[0]} ${bad[1].outcome}${bad[1].detail ? `: ${bad[1].detail}` : ''}`;
    return t;
  });
}

/** Markdown lines of the per-host timeline (post-mortem, CHANGELOG note). */
export function timelineMarkdown(grid: FleetGrid): string[] {
  return hostTimelines(grid).map((t) => {
    const when = t.startedAt ? ` ${t.startedAt.slice(11, 19)}–${(t.finishedAt ?? t.startedAt).slice(11, 19)} UTC` : '';
    return `- ${t.host}: ${t.batch ? `batch ${t.batch},` : 'not reached,'}${when} ${t.state}${t.stoppedAt ? ` (${t.stoppedAt})` : ''}`;
  });
}
