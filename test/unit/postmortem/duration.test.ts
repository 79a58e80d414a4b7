// The post-mortem says the duration the all-clear told the team: measured from the decision to
// the all-clear, with the same formatter, and the run's end beside it. Once, the all-clear
// said 1:53 and the post-mortem of the same run 1:54 (it measured to the run's end).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ChecklistState } from '../../../src/core/checklist/types';
import { formatRollbackMessage } from '../../../src/core/notify/format';
import { renderPostmortem } from '../../../src/core/postmortem';
import { rollbackDuration } from '../../../src/core/postmortem/duration';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal & { checklist: ChecklistState };
const at = (ms: number): string => new Date(Date.parse(fixture.decidedAt) + ms).toISOString();

void test('the all-clear and the post-mortem say the same duration', () => {
  const elapsedMs = 113_900;
  const message = formatRollbackMessage('all-clear', { from: 'v1.4.2', to: 'v1.4.1', environment: 'production', reason: 'checkout returns 500', elapsedMs });
  assert.match(message, /Took 1:53 from the decision/);
  const notifications = fixture.checklist.notifications.map((n) => (n.kind === 'all-clear' ? { ...n, at: at(elapsedMs), text: message } : n));
  const journal = { ...fixture, finishedAt: at(114_200), checklist: { ...fixture.checklist, notifications } };
  assert.match(renderPostmortem(journal), /^- \*\*Outcome:\*\* succeeded, 1:53 from the decision to the all-clear \(the run ended at 1:54\)$/m);
});

void test('without an all-clear sent (or only a failed one), decision to end', () => {
  const failedOnly = fixture.checklist.notifications.map((n) => (n.kind === 'all-clear' ? { ...n, result: 'failed' as const } : n));
  assert.equal(rollbackDuration(fixture, { notifications: failedOnly }), '9:30 from decision to end');
  assert.equal(rollbackDuration(fixture, undefined), '9:30 from decision to end');
  assert.equal(rollbackDuration({ decidedAt: fixture.decidedAt }, undefined), undefined);
  // The end in the same second as the all-clear is not said twice.
  assert.equal(rollbackDuration({ decidedAt: fixture.decidedAt, finishedAt: at(113_950) }, { notifications: [{ id: 'n', kind: 'all-clear', text: '', at: at(113_100), result: 'copied' }] }), '1:53 from the decision to the all-clear');
});
