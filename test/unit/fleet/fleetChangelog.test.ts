// The CHANGELOG note of a fleet rollout: each host's batch and outcome under the note's line;
// proposed again after a resume, the same note with its host lines brought up to date (never a
// second note); a single host's note, proposed again, leaves whatever a person wrote under it.
// The fleet lines of a real rollout are tested in fleetFlow.test.ts; these are the file edits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proposeChangelogNote } from '../../../src/core/postmortem';

const ctx = { from: 'v1.4.0', to: 'v1.3.0', date: '2026-12-02', reason: 'api 500s', environment: 'production' };
const head = '- 2026-12-02: v1.4.0 was rolled back to v1.3.0 on production because api 500s.';

void test('a fleet note: its host lines under it, updated in place when proposed again, never added twice', () => {
  const before = '# Changelog\n\n## [1.4.0]\n\n- Orders\n';
  const stopped = ['Fleet of 2 hosts in 2 batches: on v1.3.0: web-01; still on v1.4.0: web-02', 'web-01: batch 1, done', 'web-02: not reached, untouched'];
  const first = proposeChangelogNote(before, { ...ctx, fleet: stopped });
  assert.equal(first, `# Changelog\n\n## [1.4.0]\n\n### Rolled back\n\n${head}\n  - ${stopped[0]}\n  - ${stopped[1]}\n  - ${stopped[2]}\n\n- Orders\n`);
  assert.equal(proposeChangelogNote(first, { ...ctx, fleet: stopped }), first, 'the same state: unchanged');
  const done = ['Fleet of 2 hosts in 2 batches: on v1.3.0: web-01, web-02', 'web-01: batch 1, done', 'web-02: batch 1, done'];
  const second = proposeChangelogNote(first, { ...ctx, fleet: done });
  assert.equal(second, `# Changelog\n\n## [1.4.0]\n\n### Rolled back\n\n${head}\n  - ${done[0]}\n  - ${done[1]}\n  - ${done[2]}\n\n- Orders\n`);
});

void test('CRLF kept; a line break in a host line cannot start a line of its own; a single host\'s note keeps what a person wrote under it', () => {
  const crlf = proposeChangelogNote('# Changes\r\n\r\n## [1.4.0]\r\n', { ...ctx, fleet: ['web-01: batch 1,\ndone'] });
  assert.equal(crlf, `# Changes\r\n\r\n## [1.4.0]\r\n\r\n### Rolled back\r\n\r\n${head}\r\n  - web-01: batch 1, done\r\n`);
  const mine = `# Changelog\n\n## [1.4.0]\n\n### Rolled back\n\n${head}\n  - the on-call's own remark\n`;
  assert.equal(proposeChangelogNote(mine, ctx), mine);
});
