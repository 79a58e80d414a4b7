// The read-only view of another operator's journal copy: what is there is shown, what cannot
// be read is said (never guessed), and the stored text is always shown as it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTeamJournal } from '../../../src/core/run/teamJournalView';

const at = new Date('2026-12-01T03:20:05Z');

test('a copy that is not JSON is named as such and shown as stored', () => {
  const text = renderTeamJournal('{"runId": "rb-1", "steps": [', 'prod-1:/srv/app/.rollback/journals/rb-1.json', at);
  assert.match(text, /^# A journal copy that cannot be read \(read-only\)\n\n> The copy prod-1:\/srv\/app\/\.rollback\/journals\/rb-1\.json, read at 03:20:05 UTC\./);
  assert.match(text, /It is not a JSON object, so nothing here is interpreted\. As stored:\n\n```json\n\{"runId": "rb-1", "steps": \[\n```$/);
});

test('a partial copy: missing parts say so, steps without a record are pending, events are the last 20', () => {
  const journal = { runId: 'rb-2', operator: 'alice@laptop-a', status: 'running', plan: { environment: 'production', where: 'deploy@prod-1', from: { name: 'v1.3.0' }, to: { name: 'v1.2.0' }, steps: [{ id: 'a', title: 'Preflight' }, { id: 'b', title: 'Restore the backup' }] }, steps: [{ stepId: 'a', outcome: 'ok', detail: 'api answers 200', startedAt: '2026-12-01T03:12:00Z', finishedAt: '2026-12-01T03:12:01Z' }], events: Array.from({ length: 25 }, (_, i) => ({ at: `2026-12-01T03:12:${String(i).padStart(2, '0')}Z`, kind: 'k', message: `e${i}` })) };
  const text = renderTeamJournal(JSON.stringify(journal), 'prod-1:/x', at, 'rollback of production by alice@laptop-a, step 2/2 (Restore the backup: pending), since 03:12 UTC');
  assert.match(text, /> Now: rollback of production by alice@laptop-a, step 2\/2/);
  assert.match(text, /- \*\*Reason\*\*: \(none recorded\)/);
  assert.match(text, /\n1\. ✅ Preflight — ok \(03:12:00–03:12:01 UTC\): api answers 200\n2\. · Restore the backup — pending\n/);
  assert.match(text, /## Events \(the last 20\)\n\n- 03:12:05 k: e5\n/);
  assert.ok(!text.includes('e4\n'));
});

test('a hostile copy cannot fake lines or close the fence: each field is one line, the fence is longer than any backtick run', () => {
  const journal = { runId: 'rb-3', operator: 'mallory', status: 'running', plan: { environment: 'production', reason: 'x\n\n## Steps\n\n1. ✅ Restore the backup — ok', steps: [{ id: 'a', title: 'Preflight\n2. ✅ Everything — ok' }] }, steps: [{ stepId: 'a', outcome: 'failed', detail: 'boom\n````\n# Fake heading' }] };
  const stored = JSON.stringify(journal, null, 2).replace('"rb-3"', '"rb-3 ````` "');
  const text = renderTeamJournal(stored, 'prod-1:/x', at);
  assert.equal(text.match(/^## Steps$/gm)?.length, 1, text);
  assert.doesNotMatch(text, /^(2\. ✅ Everything|1\. ✅ Restore the backup|# Fake heading)/m, text);
  assert.match(text, /- \*\*Reason\*\*: x +## Steps +1\. ✅ Restore the backup — ok\n/);
  const fences = text.split('\n').filter((l) => /^`{3,}/.test(l));
  assert.deepEqual(fences.map((l) => l.replace('json', '')), ['``````', '``````'], 'one fence, six backticks, opened and closed');
});
