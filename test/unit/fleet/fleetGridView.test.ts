// The checklist's fleet grid (issue 15): the view rebuilt from a journal's fleet events, the
// page's check of it (only known outcomes, bounded), and the same grid as Markdown for the
// resume preview and the post-mortem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FleetGrid } from '../../../src/core/fleet/grid';
import { changeEvent, FLEET_PLANNED } from '../../../src/core/fleet/fleetJournal';
import { fleetGridView } from '../../../src/core/fleet/gridView';
import { gridMarkdown } from '../../../src/core/fleet/gridMarkdown';
import { validFleet } from '../../../src/vscode/checklist/protocol';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

function journal(): RollbackJournal {
  const steps = [{ id: 'code-revert', title: 'Revert | the code', tasks: 1 }, { id: 'health-api', title: 'Health check api', tasks: 1 }];
  const grid = new FleetGrid(['web-01', 'web-02'], steps);
  const t = Date.UTC(2026, 11, 1, 3, 12, 5);
  const changes = [
    ...grid.apply({ event: 'task_start', at: t, batch: 1, host: 'web-01', task: 'rp:code-revert Revert' }),
    ...grid.apply({ event: 'ok', at: t + 1000, batch: 1, host: 'web-01', task: 'rp:code-revert Revert' }),
    ...grid.apply({ event: 'task_start', at: t + 2000, batch: 1, host: 'web-01', task: 'rp:health-api Health' }),
    ...grid.apply({ event: 'failed', at: t + 3000, batch: 1, host: 'web-01', task: 'rp:health-api Health', msg: 'status 500 after 3 attempts' }),
  ];
  const plan = { id: 'rb-1', environment: 'production', from: { name: 'v1.4.0', sha: 'b'.repeat(40) }, to: { name: 'v1.3.0', sha: 'a'.repeat(40) }, steps: [{ id: 'code-revert', kind: 'code', title: 'Revert', commands: [] }] };
  return {
    version: 1, runId: 'rb-1', plan, operator: 'dana', decidedAt: new Date(t).toISOString(), status: 'stopped', steps: [],
    events: [{ at: new Date(t).toISOString(), kind: FLEET_PLANNED, message: 'fleet', data: { hosts: [{ name: 'web-01' }, { name: 'web-02' }], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 }, group: 'rollback_pilot', steps, batches: [['web-01'], ['web-02']] } }, ...changes.map((c) => changeEvent(c, t))],
  } as unknown as RollbackJournal;
}

test('the checklist grid: a row per host with its batch, a cell per step, the fleet state in words; the page accepts it', () => {
  const view = fleetGridView(journal())!;
  assert.equal(view.state, 'on v1.3.0: web-01 (code switched; not done: health-api failed); still on v1.4.0: web-02');
  assert.deepEqual(view.rows, [
    { host: 'web-01', batch: 1, cells: { 'code-revert': 'ok', 'health-api': 'failed' } },
    { host: 'web-02', cells: { 'code-revert': 'not-started', 'health-api': 'not-started' } },
  ]);
  assert.equal(validFleet(view), true);
  assert.equal(validFleet(undefined), true, 'a single host has no grid');
});

test('the page refuses a grid it cannot draw: an unknown outcome, a missing cell, a non-string host', () => {
  const view = fleetGridView(journal())!;
  assert.equal(validFleet({ ...view, rows: [{ ...view.rows[0], cells: { ...view.rows[0].cells, 'health-api': '<img onerror=x>' } }] }), false);
  assert.equal(validFleet({ ...view, rows: [{ host: 'web-01', cells: { 'code-revert': 'ok' } }] }), false);
  assert.equal(validFleet({ ...view, rows: [{ host: 7, cells: view.rows[0].cells }] }), false);
  assert.equal(validFleet({ ...view, steps: 'x' }), false);
});

test('the grid as Markdown: pipes in a title escaped, outcomes as words, the host not reached has no batch', () => {
  const grid = new FleetGrid(['web-01', 'web-02'], [{ id: 'code-revert', title: 'Revert | the code', tasks: 1 }]);
  grid.apply({ event: 'task_start', at: 1, batch: 1, host: 'web-01', task: 'rp:code-revert Revert' });
  grid.apply({ event: 'failed', at: 2, batch: 1, host: 'web-01', task: 'rp:code-revert Revert', rc: 1 });
  assert.deepEqual(gridMarkdown(grid), ['| Host | Batch | Revert \\| the code |', '|---|---|---|', '| `web-01` | 1 | **failed** |', '| `web-02` | – | · |']);
});
