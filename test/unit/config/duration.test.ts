import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../../src/core/config';

void test('parseDuration reads every documented spelling into milliseconds', () => {
  const cases: [string | number, number][] = [
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004], ['1.5s', 1500], ['0s', 0], [45, 45_000], [0.25, 250], [0, 0],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, String(input));
});

void test('parseDuration refuses what is not a duration instead of guessing', () => {
  for (const bad of ['30', '30 seconds', '5s5m', 'ms', '', ' 5s', '5M', -1, Number.NaN, Number.POSITIVE_INFINITY, '99999999999999h']) {
    assert.equal(parseDuration(bad), undefined, String(bad));
  }
});

void test('formatDuration gives the compact form and parseDuration reads it back', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(600_000), '10m');
  assert.equal(formatDuration(3_600_500), '1h500ms');
  assert.equal(formatDuration(0), '0s');
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => parseDuration(formatDuration(ms)) === ms), { numRuns: 300 });
});
