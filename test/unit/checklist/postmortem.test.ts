import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPostmortemPath, extractFreeText, proposeChangelogNote, renderPostmortem } from '../../../src/core/postmortem';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const fixtures = join(__dirname, '../../fixtures/journals');
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const journal = JSON.parse(read('v1-succeeded.json')) as RollbackJournal;

void test('the post-mortem of the fixture journal matches the golden file', () => {
  assert.equal(renderPostmortem(journal), read('v1-succeeded.postmortem.md'));
});

void test('the timeline lists decision, steps with outcomes, notifications, checks and the all-clear in time order', () => {
  const md = renderPostmortem(journal);
  const rows = md.split('\n').filter((l) => /^\| \d\d:\d\d:\d\d \|/.test(l));
  const times = rows.map((r) => r.slice(2, 10));
  assert.deepEqual(times, [...times].sort());
  assert.match(rows[0]!, /09:58:00 \| Decision to roll back v1\.4\.2 to v1\.4\.1/);
  assert.ok(rows.some((r) => /10:04:20 \| Step ok: Deploy api after 2 attempts/.test(r)));
  assert.ok(rows.some((r) => /10:03:00 \| Notification \(escalation\) failed \(The webhook answered HTTP 500\)/.test(r)));
  assert.ok(rows.some((r) => /10:07:10 \| All-clear sent/.test(r)));
  assert.match(rows.at(-1)!, /10:07:30 \| Rollback succeeded/);
});

void test('re-rendering keeps the user\'s edits to the free-text sections and refreshes the generated parts', () => {
  const first = renderPostmortem(journal);
  const edited = first
    .replace(/(<!-- rollback-pilot:begin summary -->\n)[\s\S]*?(\n<!-- rollback-pilot:end summary -->)/, '$1Checkout was down for 26 minutes.\nAbout 400 orders failed.$2')
    .replace(/(<!-- rollback-pilot:begin lessons -->\n)[\s\S]*?(\n<!-- rollback-pilot:end lessons -->)/, '$1The snapshot made the target obvious.$2')
    .replace('## Summary', '## Summary (edited heading, generated, will be refreshed)');
  const later: RollbackJournal = { ...journal, events: [...journal.events, { at: '2026-11-21T10:20:00.000Z', kind: 'note', message: 'Follow-up issue #812 filed' }] };
  const again = renderPostmortem(later, edited);
  const blocks = extractFreeText(again);
  assert.equal(blocks.get('summary'), 'Checkout was down for 26 minutes.\nAbout 400 orders failed.');
  assert.equal(blocks.get('lessons'), 'The snapshot made the target obvious.');
  assert.match(again, /\| 10:20:00 \| Follow-up issue #812 filed \|/);
  assert.ok(again.includes('## Summary\n'));
  assert.ok(!again.includes('Kept from the previous version'));
});

void test('text from a previous version that has no place any more is kept at the end, never lost', () => {
  const custom = '<!-- rollback-pilot:begin customer-comms -->\nWe emailed 40 customers.\n<!-- rollback-pilot:end customer-comms -->\n';
  const out = renderPostmortem(journal, renderPostmortem(journal) + custom);
  assert.match(out, /## Kept from the previous version\n\n<!-- rollback-pilot:begin customer-comms -->\nWe emailed 40 customers\.\n/);
  const noMarkers = renderPostmortem(journal, '# My own notes\n\nWritten by hand.\n');
  assert.match(noMarkers, /<!-- rollback-pilot:begin earlier-text -->\n# My own notes\n\nWritten by hand\.\n<!-- rollback-pilot:end earlier-text -->/);
});

void test('workspace text cannot break the timeline table or inject HTML', () => {
  const evil: RollbackJournal = { ...journal, events: [{ at: '2026-11-21T10:01:00.000Z', kind: 'note', message: 'a | b\n<script>alert(1)</script>' }] };
  const md = renderPostmortem(evil);
  assert.ok(md.includes('| 10:01:00 | a \\| b &lt;script>alert(1)&lt;/script> |'));
});

void test('a journal of another version gets a clear message instead of a document', () => {
  assert.throws(() => renderPostmortem({ ...journal, version: 0 } as unknown as RollbackJournal), /is version 0; this Rollback Pilot reads journal version 1\. The file was not changed\./);
  const { version: _v, ...unversioned } = journal;
  assert.throws(() => renderPostmortem(unversioned as unknown as RollbackJournal), /has no version field/);
});

void test('the default path is docs/postmortems/<date>-<from>-to-<to>.md with file-safe names', () => {
  assert.equal(defaultPostmortemPath(journal), 'docs/postmortems/2026-11-21-v1.4.2-to-v1.4.1.md');
  assert.equal(
    defaultPostmortemPath({ ...journal, plan: { ...journal.plan, from: { name: 'release/2026 11', sha: 'x' }, to: { name: '../etc', sha: 'y' } } }),
    'docs/postmortems/2026-11-21-release-2026-11-to-etc.md',
  );
});

const note = { from: 'v1.4.2', to: 'v1.4.1', date: '2026-11-21', reason: 'checkout 500s', environment: 'production', postmortemPath: 'docs/postmortems/2026-11-21-v1.4.2-to-v1.4.1.md' };
const noteLine = '- 2026-11-21: v1.4.2 was rolled back to v1.4.1 on production because checkout 500s. See the [post-mortem](docs/postmortems/2026-11-21-v1.4.2-to-v1.4.1.md).';

void test('the CHANGELOG note goes under the top section and is not added twice', () => {
  const before = '# Changelog\n\n## [1.4.2] - 2026-11-20\n\n### Added\n\n- Order status\n\n## [1.4.1] - 2026-11-01\n\n- Fixes\n';
  const after = proposeChangelogNote(before, note);
  assert.equal(after, `# Changelog\n\n## [1.4.2] - 2026-11-20\n\n### Rolled back\n\n${noteLine}\n\n### Added\n\n- Order status\n\n## [1.4.1] - 2026-11-01\n\n- Fixes\n`);
  assert.equal(proposeChangelogNote(after, note), after);
  const second = proposeChangelogNote(after, { ...note, date: '2026-11-22' });
  assert.match(second, /### Rolled back\n\n- 2026-11-22: [^\n]*\n- 2026-11-21: /);
});

void test('the CHANGELOG note starts a section when there is none, and keeps CRLF line endings', () => {
  assert.equal(proposeChangelogNote('', note), `# Changelog\n\n## [Unreleased]\n\n### Rolled back\n\n${noteLine}\n`);
  assert.equal(proposeChangelogNote('# Changes\r\n\r\nNothing yet.\r\n', note), `# Changes\r\n\r\n## [Unreleased]\r\n\r\n### Rolled back\r\n\r\n${noteLine}\r\n\r\nNothing yet.\r\n`);
});
