// The host × step grid of a fleet rollout: what each host did for each host step, folded
// from Ansible's events as they come. A step is `ok` only on Ansible's own ok for its (last)
// command or a passing check; an unreachable host's step is `unknown` (the command may or may
// not have run), and a step still running when the events stop is `unknown` too, never `ok`.
import type { AnsibleEvent } from './events';
import { taskRef } from './events';
import type { HostStepOutcome } from './types';
import type { PlanStep } from '../plan/types';

export interface GridStep {
  id: string;
  title: string;
  /** How many commands (tasks) the step has; health and wait steps have one. */
  tasks: number;
}

/** The grid's columns: a rollout's host steps with their task counts (health and wait steps are one task). */
export function gridSteps(hostSteps: readonly PlanStep[]): GridStep[] {
  return hostSteps.map((s) => ({ id: s.id, title: s.title, tasks: s.kind === 'health' || s.kind === 'wait' ? 1 : Math.max(1, s.commands.length) }));
}

export interface GridCell {
  outcome: HostStepOutcome;
  startedAt?: number;
  finishedAt?: number;
  detail?: string;
  /** Output of the host's command (tail), for the journal and the post-mortem. */
  output?: string;
}

export interface HostRow {
  host: string;
  /** The batch (1-based) Ansible ran this host in; absent until it started. */
  batch?: number;
  cells: Record<string, GridCell>;
}

/** A cell that changed, for the journal (one event per change) and the live views. */
export interface GridChange {
  host: string;
  step: string;
  batch?: number;
  cell: GridCell;
}

export type HostState = 'done' | 'failed' | 'unknown' | 'partial' | 'untouched';

export class FleetGrid {
  readonly rows = new Map<string, HostRow>();
  /** Why Ansible stopped the rollout (the batch gate's message, no hosts remaining), if it did. */
  stopReason?: string;
  ended = false;
  /** A cell's outcome before Ansible announced its task (restored when the task is skipped). */
  private readonly before = new Map<string, HostStepOutcome>();

  constructor(
    readonly hosts: readonly string[],
    readonly steps: readonly GridStep[],
  ) {
    for (const h of hosts) this.rows.set(h, { host: h, cells: Object.fromEntries(steps.map((s) => [s.id, { outcome: 'not-started' as HostStepOutcome }])) });
  }

  cell(host: string, step: string): GridCell | undefined {
    return this.rows.get(host)?.cells[step];
  }

  /** Applies one event; returns the cells it changed. */
  apply(e: AnsibleEvent): GridChange[] {
    if (e.event === 'end') {
      this.ended = true;
      return this.settleRunning('Ansible ended without a result for this step');
    }
    if (e.event === 'no_hosts_remaining') {
      this.stopReason ??= `Ansible stopped the rollout in batch ${e.batch}: no host of the batch may go on`;
      return [];
    }
    const ref = taskRef(e.task);
    const row = e.host === undefined ? undefined : this.rows.get(e.host);
    if (!ref || !row) return [];
    if (ref.part === 'gate') {
      if (e.event === 'failed') this.stopReason = `the rollout stopped after batch ${e.batch}: ${e.msg ?? 'too many hosts failed or were unreachable'}`;
      return [];
    }
    const step = this.steps.find((s) => s.id === ref.step);
    const cell = row.cells[ref.step];
    if (!step || !cell || ref.part === 'pause') return [];
    row.batch ??= e.batch;
    const before = JSON.stringify(cell);
    const output = [e.stdout, e.stderr].filter((x) => x).join('\n') || undefined;
    const isLast = ref.part === 'main' && (ref.command ?? 1) === step.tasks;
    switch (e.event) {
      case 'task_start':
        // Ansible announces a task before it weighs its `when`: a step a resume skips (done before, or found done
        // by its check) is announced too. A done step stays done; any other goes back to what it was if skipped.
        if ((ref.part === 'main' || ref.part === 'block') && cell.outcome !== 'ok') {
          this.before.set(`${row.host}\u0000${ref.step}`, cell.outcome);
          cell.outcome = 'running';
          cell.startedAt ??= e.at;
        }
        break;
      case 'retry':
        cell.detail = `attempt ${e.attempts ?? '?'}: ${e.status !== undefined ? `HTTP ${e.status}` : e.msg ?? 'not yet'}`;
        break;
      case 'ok':
        if (ref.part === 'check') {
          if (e.rc === 0) Object.assign(cell, { outcome: 'ok', finishedAt: e.at, detail: 'already done on this host (its check passed on resume)' });
        } else if (isLast) {
          Object.assign(cell, { outcome: 'ok', finishedAt: e.at, detail: e.status !== undefined ? `healthy: HTTP ${e.status}` : undefined, output });
        } else if (ref.part === 'main') {
          cell.output = output;
        }
        break;
      case 'skipped':
        if (cell.outcome === 'running' && ref.part !== 'check') cell.outcome = this.before.get(`${row.host}\u0000${ref.step}`) ?? 'not-started';
        break;
      case 'failed':
        if (e.ignored) {
          cell.detail = `${cell.detail ?? ''} (its cleanup failed too: ${e.msg ?? `exit ${e.rc}`})`.trim();
        } else if (ref.part === 'failed') {
          cell.detail = `${cell.detail ?? 'failed'}; its cleanup ran`;
        } else if (ref.part !== 'check') {
          const tries = e.attempts ? ` after ${e.attempts} attempts` : '';
          // A health check's answer the product judged: its words first (the JSON path, found and expected), as a single host says them.
          const why = e.why !== undefined ? `${e.why} (HTTP ${e.status}${tries})` : e.status !== undefined ? `HTTP ${e.status}${tries}: ${e.msg ?? ''}`.trim() : e.rc !== undefined ? `exit ${e.rc}` : e.msg ?? 'failed';
          Object.assign(cell, { outcome: 'failed', finishedAt: e.at, detail: why, output });
        }
        break;
      case 'unreachable':
        Object.assign(cell, { outcome: 'unknown', finishedAt: e.at, detail: `${e.host} became unreachable during this step, so whether it ran is unknown: ${(e.msg ?? '').trim()}` });
        break;
      default:
        break;
    }
    return JSON.stringify(cell) === before ? [] : [{ host: row.host, step: step.id, batch: row.batch, cell: { ...cell } }];
  }

  /** The events stopped (the control process died, the stream was cut): what was running is unknown. */
  settleRunning(why: string): GridChange[] {
    const out: GridChange[] = [];
    for (const row of this.rows.values()) {
      for (const [id, cell] of Object.entries(row.cells)) {
        if (cell.outcome !== 'running') continue;
        Object.assign(cell, { outcome: 'unknown', detail: why });
        out.push({ host: row.host, step: id, batch: row.batch, cell: { ...cell } });
      }
    }
    return out;
  }

  hostState(host: string): HostState {
    const cells = Object.values(this.rows.get(host)?.cells ?? {});
    if (cells.some((c) => c.outcome === 'failed')) return 'failed';
    if (cells.some((c) => c.outcome === 'unknown' || c.outcome === 'running')) return 'unknown';
    if (cells.every((c) => c.outcome === 'ok' || c.outcome === 'skipped')) return 'done';
    if (cells.every((c) => c.outcome === 'not-started')) return 'untouched';
    return 'partial';
  }

  /** Re-applies recorded changes (the journal's), e.g. to resume or to show a finished rollout. */
  restore(changes: readonly GridChange[]): void {
    for (const c of changes) {
      const row = this.rows.get(c.host);
      if (!row || !row.cells[c.step]) continue;
      row.cells[c.step] = { ...c.cell };
      if (c.batch !== undefined) row.batch ??= c.batch;
    }
  }
}
