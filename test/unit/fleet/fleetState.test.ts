import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetSummary } from '../../../src/core/fleet/fleetState';
import { FleetGrid } from '../../../src/core/fleet/grid';
import { timelineMarkdown } from '../../../src/core/fleet/fleetJournal';

const names: Record<string, string> = { ['a'.repeat(40)]: 'v1.3.0', ['b'.repeat(40)]: 'v1.2.0' };
const releaseOf = (sha: string): string | undefined => names[sha];

test('the Releases view line: what each host runs, a mixed fleet is a warning', () => {
  const mixed = fleetSummary('production', [{ host: 'web-01', sha: 'a'.repeat(40) }, { host: 'web-02', sha: 'a'.repeat(40) }, { host: 'web-03', sha: 'a'.repeat(40) }, { host: 'web-04', sha: 'b'.repeat(40) }], releaseOf);
  assert.equal(mixed.text, 'production: 4 hosts — 3 on v1.3.0, web-04 on v1.2.0');
  assert.equal(mixed.mixed, true);
  const same = fleetSummary('production', [{ host: 'web-01', sha: 'a'.repeat(40) }, { host: 'web-02', sha: 'a'.repeat(40) }], releaseOf);
  assert.deepEqual([same.text, same.mixed], ['production: 2 hosts, all on v1.3.0', false]);
  const unread = fleetSummary('staging', [{ host: 'web-01', sha: 'a'.repeat(40) }, { host: 'web-02', error: 'timeout' }], releaseOf);
  assert.deepEqual([unread.text, unread.mixed], ['staging: 2 hosts — web-01 on v1.3.0, web-02 could not be read', true]);
});

test('the post-mortem timeline per host: batch, times, outcome and where it stopped', () => {
  const grid = new FleetGrid(['web-01', 'web-02'], [{ id: 'build-api', title: 'Build api', tasks: 1 }]);
  const t = Date.UTC(2026, 11, 1, 3, 12, 5);
  grid.apply({ event: 'task_start', at: t, batch: 1, host: 'web-01', task: 'rp:build-api Build api' });
  grid.apply({ event: 'ok', at: t + 4000, batch: 1, host: 'web-01', task: 'rp:build-api Build api' });
  grid.apply({ event: 'task_start', at: t + 5000, batch: 2, host: 'web-02', task: 'rp:build-api Build api' });
  grid.apply({ event: 'failed', at: t + 6000, batch: 2, host: 'web-02', task: 'rp:build-api Build api', rc: 2 });
  assert.deepEqual(timelineMarkdown(grid), ['- web-01: batch 1, 03:12:05–03:12:09 UTC done', '- web-02: batch 2, 03:12:10–03:12:11 UTC failed (build-api failed: exit 2)']);
});
