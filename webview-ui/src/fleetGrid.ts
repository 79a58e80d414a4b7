/// <reference lib="dom" />
// The fleet's host × step grid in the checklist (issue 15): a row per host with its batch, a
// column per host step, each cell its outcome as a word and a class (never colour alone).
// Built with h(): host names and step titles come from rollback.yml and go in as text only.
import type { FleetGridView } from '../../src/core/fleet/gridView';
import { h } from './dom';

const WORD: Record<string, string> = { 'not-started': '·', running: 'running', ok: 'ok', failed: 'failed', skipped: 'skipped', unknown: 'unknown' };

export function fleetGrid(fleet: FleetGridView | undefined): HTMLElement | null {
  if (!fleet) return null;
  return h(
    'div',
    { class: 'fleet' },
    h('p', { class: 'fleet-state', role: 'status' }, fleet.state),
    h(
      'table',
      { class: 'fleet-grid', 'aria-label': 'Each host and step' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Host'), h('th', { scope: 'col' }, 'Batch'), ...fleet.steps.map((s) => h('th', { scope: 'col' }, s.title)))),
      h(
        'tbody',
        {},
        ...fleet.rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.host),
            h('td', {}, r.batch === undefined ? '–' : String(r.batch)),
            ...fleet.steps.map((s) => {
              const o = r.cells[s.id] ?? 'not-started';
              return h('td', { class: `outcome outcome-${o}`, 'aria-label': `${r.host}, ${s.title}: ${o}` }, WORD[o] ?? o);
            }),
          ),
        ),
      ),
    ),
  );
}
