// What a resumed fleet rollout runs, from the grid the journal recorded: only the hosts that
// have not finished (`--limit`), on each only the steps it has not finished (rp_skip), and a
// step whose outcome was left unknown is checked first where the plan has a check (rp_check).
// A finished host is never in the limit, so Ansible never connects to it again.
import type { PlanStep } from '../plan/types';
import type { FleetGrid, HostState } from './grid';

export type ResumeChoice =
  /** Every host that has not finished: the failed and unknown ones and those not reached yet. */
  | 'continue'
  /** Only the hosts that failed or whose outcome is unknown (roll them forward again), not the untouched ones. */
  | 'retry-failed';

export interface ResumeHost {
  host: string;
  state: HostState;
  /** Steps this host finished: skipped by the playbook. */
  skip: string[];
  /** Steps left unknown that have a check: the check runs on this host first. */
  check: string[];
  /** Steps left unknown that no command can check: the operator says whether to run them again. */
  unchecked: string[];
}

export interface ResumeLimit {
  /** Hosts finished before: left alone. */
  finished: string[];
  /** Hosts this run goes to, in fleet order. */
  hosts: ResumeHost[];
}

export function resumeLimit(grid: FleetGrid, steps: readonly PlanStep[], choice: ResumeChoice): ResumeLimit {
  const finished: string[] = [];
  const hosts: ResumeHost[] = [];
  for (const host of grid.hosts) {
    const state = grid.hostState(host);
    if (state === 'done') {
      finished.push(host);
      continue;
    }
    if (choice === 'retry-failed' && state !== 'failed' && state !== 'unknown') continue;
    const row = grid.rows.get(host)!;
    const r: ResumeHost = { host, state, skip: [], check: [], unchecked: [] };
    for (const step of steps) {
      const c = row.cells[step.id];
      if (!c) continue;
      if (c.outcome === 'ok' || c.outcome === 'skipped') r.skip.push(step.id);
      else if (c.outcome === 'unknown' || c.outcome === 'running') (step.alreadyDone ? r.check : r.unchecked).push(step.id);
    }
    hosts.push(r);
  }
  return { finished, hosts };
}

/** "3 on v1.3.0, web-04 on v1.4.0, web-03 unknown": which host runs what, in words. */
export function fleetStateText(grid: FleetGrid, codeStep: string | undefined, from: string, to: string): string {
  const onTo: string[] = [];
  const onFrom: string[] = [];
  const unknown: string[] = [];
  for (const host of grid.hosts) {
    const state = grid.hostState(host);
    const code = codeStep ? grid.cell(host, codeStep)?.outcome : undefined;
    if (state === 'done') onTo.push(host);
    else if (code === 'unknown' || code === 'running') unknown.push(host);
    else if (code === 'ok') onTo.push(`${host} (code switched; not done: ${stepsLeft(grid, host)})`);
    else if (state === 'unknown') unknown.push(host);
    else onFrom.push(host);
  }
  const parts: string[] = [];
  if (onTo.length) parts.push(`on ${to}: ${onTo.join(', ')}`);
  if (onFrom.length) parts.push(`still on ${from}: ${onFrom.join(', ')}`);
  if (unknown.length) parts.push(`unknown (the outcome of a step could not be seen): ${unknown.join(', ')}`);
  return parts.join('; ');
}

/**
 * Why each failed host stopped, its first failed step in plan order: "web-02: health api:
 * $.version is "1.3.0", expected "1.2.0" (HTTP 200 after 3 attempts)" — a health check named
 * as a single host's check list names it, with the judge's words (healthVerdict.ts).
 */
export function fleetFailures(grid: FleetGrid, steps: readonly PlanStep[]): string[] {
  const out: string[] = [];
  for (const host of grid.hosts) {
    if (grid.hostState(host) !== 'failed') continue;
    const s = grid.steps.find((g) => grid.cell(host, g.id)?.outcome === 'failed');
    if (!s) continue;
    const step = steps.find((x) => x.id === s.id);
    const label = step?.kind === 'health' && step.service ? `health ${step.service}` : s.title;
    out.push(`${host}: ${label}: ${grid.cell(host, s.id)?.detail ?? 'failed'}`);
  }
  return out;
}

function stepsLeft(grid: FleetGrid, host: string): string {
  const row = grid.rows.get(host);
  if (!row) return '';
  return Object.entries(row.cells)
    .filter(([, c]) => c.outcome !== 'ok' && c.outcome !== 'skipped')
    .map(([id, c]) => `${id} ${c.outcome}`)
    .join(', ');
}
