// The post-mortem tells how the decision was reached, from the journal's decision record: the
// question and the triggers shown, each brief investigation started and how it ended, and the
// decision with its cause, in the timeline among the run's own rows; a summary line too. A
// journal from before the record (the committed v1 fixture) renders as it did.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DecisionRecord } from '../../../src/core/decision/record';
import { renderPostmortem } from '../../../src/core/postmortem';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;
const SPIKE = 'api: 47 errors in the last 5 minutes, 3 in the hour before';

/** Asked at 09:50 with a spike; an investigation ended early and asked again; a second one ran to time's up and was rolled back at 09:58. */
const decision: DecisionRecord = {
  asked: [
    { at: '2026-11-21T09:50:00.000Z', triggers: [SPIKE] },
    { at: '2026-11-21T09:52:30.000Z', triggers: [] },
  ],
  investigations: [
    { startedAt: '2026-11-21T09:50:10.000Z', lengthMs: 300_000, endedAt: '2026-11-21T09:52:30.000Z', ended: 'asked-again', timeUp: false, triggers: [SPIKE] },
    { startedAt: '2026-11-21T09:53:00.000Z', lengthMs: 300_000, endedAt: '2026-11-21T09:58:00.000Z', ended: 'rolled-back', timeUp: true, triggers: [] },
  ],
  decidedAt: fixture.decidedAt,
  cause: 'code',
};

/** The timeline table's rows, as "time | event". */
const timeline = (md: string): string[] => {
  const part = md.slice(md.indexOf('## Timeline (UTC)'), md.indexOf('## What was rolled back'));
  return part.split('\n').filter((l) => /^\| \d\d:\d\d:\d\d \|/.test(l)).map((l) => l.replace(/^\| (\S+) \| (.*) \|$/, '$1 $2'));
};

void test('the decision in the timeline, in order, before the run: asked, triggers, investigations and how they ended, decided with the cause', () => {
  const md = renderPostmortem({ ...fixture, decision });
  const rows = timeline(md);
  assert.deepEqual(rows.slice(0, 9), [
    '09:50:00 Decision asked: roll back, roll forward or investigate first',
    `09:50:00 Triggers shown: ${SPIKE}`,
    '09:50:10 Brief investigation started (5 min)',
    `09:50:10 Investigation page showed: ${SPIKE}`,
    '09:52:30 Decision asked again',
    '09:52:30 Investigation ended early after 2 min 20 s of 5 min: the decision asked again',
    "09:53:00 Brief investigation started (5 min)",
    "09:58:00 Time's up: rolled back",
    '09:58:00 Decided: roll back — cause code',
  ]);
  assert.match(rows[9]!, /^09:58:00 Decision to roll back v1\.4\.2 to v1\.4\.1: /, 'the run\'s own rows follow');
  assert.match(md, /^- \*\*Decision:\*\* roll back after 2 brief investigations \(the last ran to time's up\); cause code$/m);
  assert.match(md, new RegExp(`^- \\*\\*Triggers shown:\\*\\* ${SPIKE}$`, 'm'));
});

void test('a journal without the record (older ones) renders as before; a cancelled investigation and a given cause are said', () => {
  const before = renderPostmortem(fixture);
  assert.ok(!/Decision asked|\*\*Decision:\*\*|Brief investigation/.test(before), 'nothing invented for an old journal');
  assert.equal(renderPostmortem({ ...fixture, decision: { cause: 'code' } as unknown as DecisionRecord }), before, 'a hand-edited record without its time adds nothing');
  const given = renderPostmortem({ ...fixture, decision: { asked: [], investigations: [{ startedAt: '2026-11-21T09:57:00.000Z', lengthMs: 90_000, endedAt: '2026-11-21T09:57:30.000Z', ended: 'cancelled', timeUp: false }], decidedAt: fixture.decidedAt, cause: 'unknown', causeGiven: true } });
  assert.ok(timeline(given).includes('09:57:30 Investigation ended early after 30 s of 1 min 30 s: cancelled, nothing planned'), timeline(given).join('\n'));
  assert.ok(timeline(given).includes('09:58:00 Decided: roll back — cause unknown (the full rollback), given by the command'));
  // Table cells stay cells: a trigger with a pipe or markup cannot break the table.
  const hostile = renderPostmortem({ ...fixture, decision: { ...decision, asked: [{ at: decision.asked[0]!.at, triggers: ['api | <img src=x>'] }] } });
  assert.ok(timeline(hostile).includes('09:50:00 Triggers shown: api \\| &lt;img src=x>'), timeline(hostile).join('\n'));
});
