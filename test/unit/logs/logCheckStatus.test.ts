// The log check's status in the journal, as the all-clear reads it: a check that could not run,
// or that the operator skipped, is never "passed".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeLogCounts, logCheckStatus } from '../../../src/core/logs/verdict';

const c = (errors: number, windowMs: number) => ({ errors, lines: 100, windowMs });

test('passed / failed / skipped / could-not-run from the step outcome and the verdict', () => {
  const passed = judgeLogCounts('api', { baseline: c(47, 300_000), during: c(3, 60_000), after: c(1, 120_000) }, 1);
  const failed = judgeLogCounts('api', { baseline: c(3, 300_000), during: c(3, 60_000), after: c(30, 120_000) }, 1);
  assert.equal(passed.status, 'passed');
  assert.equal(failed.status, 'failed');
  assert.equal(logCheckStatus({ outcome: 'ok', logWatch: { check: passed } }), 'passed');
  assert.equal(logCheckStatus({ outcome: 'failed', logWatch: { check: failed } }), 'failed');
  assert.equal(logCheckStatus({ outcome: 'skipped', logWatch: { check: failed } }), 'skipped');
  assert.equal(logCheckStatus({ outcome: 'failed', logWatch: { check: { ...failed, status: 'could-not-run' } } }), 'could-not-run');
  assert.equal(logCheckStatus({ outcome: 'ok' }), 'could-not-run', 'ok without a verdict is not a pass');
  assert.equal(logCheckStatus({ outcome: 'pending' }), 'pending');
});

test('the bar: below threshold x the baseline rate, or no error at all; errors where there were none fail', () => {
  assert.equal(judgeLogCounts('api', { baseline: c(0, 300_000), during: c(0, 1), after: c(0, 120_000) }, 1).status, 'passed');
  assert.equal(judgeLogCounts('api', { baseline: c(0, 300_000), during: c(0, 1), after: c(1, 120_000) }, 1).status, 'failed');
  // 10/min before; 4/min after: below 1x, not below 0.3x.
  assert.equal(judgeLogCounts('api', { baseline: c(50, 300_000), during: c(0, 1), after: c(8, 120_000) }, 1).status, 'passed');
  const strict = judgeLogCounts('api', { baseline: c(50, 300_000), during: c(0, 1), after: c(8, 120_000) }, 0.3);
  assert.equal(strict.status, 'failed');
  assert.equal(strict.detail, "failed: 8 errors in 2m (4/min) after the rollback is not below 0.3 × the baseline's 10/min = 3/min (50 errors in 5m (10/min) before the rollback; 0 during it)");
});
