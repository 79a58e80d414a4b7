// Log watching end to end on this machine: the fixture rollback (real git, real sh, real
// Node services) with an api log that holds errors before the rollback, gets errors from the
// rollback's own build step during it, and the test's lines after it.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { LogCounts } from '../../../src/core/logs/types';
import { logWatchTiming } from '../../../src/core/run/steps/logWatch';
import { journalVerdict } from '../../../src/core/verification/checks';
import { FOLLOW_LOG, logApp, planFor, runPlan, SINCE_SCRIPT, STAMPED_LOG, stamp, type LogApp } from './logFixture';

Object.assign(logWatchTiming, { pollMs: 400, retryMs: 200 });

const apps: LogApp[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.cleanup();
});

const history = (errors: number, ok: number): string[] => [...Array.from({ length: ok }, (_, i) => `GET /orders/${i} 200`), ...Array.from({ length: errors }, (_, i) => `ERROR fast-path cache not warmed (request ${i})`)];

describe('log watching, local target', () => {
  test('errors before, during and after: counted per window, the check passes when the rate after the rollback is lower', async () => {
    const app = await logApp({ logs: { command: `tail -n +1 -F ${FOLLOW_LOG}`, baseline: '5s', watch: '2s' }, duringLines: { file: FOLLOW_LOG, lines: ['ERROR restarting api: connection refused', 'ERROR restarting api: connection refused', 'api draining'] } });
    apps.push(app);
    app.append(FOLLOW_LOG, history(8, 12));
    const plan = await planFor(app);
    const ids = plan.steps.map((s) => s.id);
    assert.ok(ids.indexOf('logs-watch') === ids.indexOf('preflight') + 1, `the watch starts right after the preflight, before any change: ${ids.join(', ')}`);
    assert.ok(ids.indexOf('logs-api') > ids.indexOf('health-api'), 'the log check comes after the health check');
    let wrote = false;
    const run = await runPlan(app, plan, {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          app.append(FOLLOW_LOG, ['api 1.3.0 listening', 'GET /health 200', 'ERROR one slow request', ...history(0, 6)]);
        }
      },
    });
    assert.equal(run.result.success, true, run.result.state);
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'ok', js.detail);
    const check = js.logWatch?.check;
    assert.equal(check?.status, 'passed');
    assert.deepEqual([check?.baseline.errors, check?.baseline.lines], [8, 20], 'the history in the file is the baseline');
    assert.deepEqual([check?.during.errors, check?.during.lines], [2, 3], 'the build step wrote two errors while the rollback ran');
    assert.deepEqual([check?.after.errors, check?.after.lines], [1, 9], 'one error after the rollback');
    assert.match(js.detail ?? '', /^passed: 1 error in [\d.]+ s \([\d.]+\/min\) after the rollback, below the baseline's 96\/min \(8 errors in 5 s \(96\/min\) before the rollback; 2 during it\)$/);
    // The start step kept the baseline in the journal (a resumed run compares with it).
    assert.equal(run.result.journal.steps.find((s) => s.stepId === 'logs-watch')?.logWatch?.baselines?.api?.errors, 8);
    // The checklist heard the counts as they came.
    const counts = run.events.filter((e): e is Extract<typeof e, { type: 'log-counts' }> => e.type === 'log-counts').map((e) => e.counts);
    assert.ok(counts.some((c) => c.phase === 'during' && c.during.errors === 2), 'a reading during the rollback');
    const last = counts[counts.length - 1] as LogCounts;
    assert.equal(last.status, 'passed');
    assert.equal(last.mode, 'follow');
    assert.ok(last.series.some((b) => b.phase === 'after' && b.errors === 1));
    assert.equal(journalVerdict(run.result.journal).blockers.length, 0);
  });

  test('more errors after the rollback than before: the check fails and blocks the all-clear', async () => {
    const app = await logApp({ logs: { command: `tail -s 0.2 -n +1 -F ${FOLLOW_LOG}`, baseline: '5m', watch: '4s' } });
    apps.push(app);
    app.append(FOLLOW_LOG, history(3, 20));
    const plan = await planFor(app);
    let wrote = false;
    const run = await runPlan(app, plan, {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          // Just after the window starts (the step's start is recorded as it is announced), never before it.
          setTimeout(() => app.append(FOLLOW_LOG, history(30, 2)), 300);
        }
      },
    });
    assert.equal(run.result.success, false);
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'failed');
    assert.equal(js.logWatch?.check?.status, 'failed');
    assert.equal(js.logWatch?.check?.after.errors, 30);
    assert.match(js.detail ?? '', /^failed: 30 errors in .* after the rollback is not below the baseline's 0\.6\/min \(3 errors in 5m \(0\.6\/min\) before the rollback/);
    assert.ok(journalVerdict(run.result.journal).blockers.some((b) => b.stepId === 'logs-api' && b.label === 'api logs failed'));
    // The operator was asked, with the numbers.
    assert.equal(run.prompter.failures[0]?.step.id, 'logs-api');
  });

  test('a command that prints and exits ({since}): read again per window; the baseline is only the window before the rollback', async () => {
    const app = await logApp({
      logs: { command: `sh ${SINCE_SCRIPT} {since}`, watch: '2s' },
      duringLines: { file: STAMPED_LOG, lines: [] },
    });
    apps.push(app);
    // The build writes stamped lines: the since-script reads them by time.
    app.config.services.find((s) => s.name === 'api')!.build = `sleep 0.6 && printf '%s ERROR build noise\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> ${STAMPED_LOG} && sh scripts/build.sh api && sleep 1.2`;
    app.append(STAMPED_LOG, [
      ...history(5, 5).map((l) => `${stamp(900)} ${l}`), // a quarter of an hour ago: outside the 5-minute baseline
      ...history(4, 3).map((l) => `${stamp(120)} ${l}`),
    ]);
    const plan = await planFor(app);
    let wrote = false;
    const run = await runPlan(app, plan, {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          setTimeout(() => app.append(STAMPED_LOG, [`${stamp()} GET /health 200`, `${stamp()} GET /orders 200`]), 1100);
        }
      },
    });
    assert.equal(run.result.success, true, run.result.state);
    const check = run.result.journal.steps.find((s) => s.stepId === 'logs-api')?.logWatch?.check;
    assert.equal(check?.status, 'passed', check?.detail);
    assert.deepEqual([check?.baseline.errors, check?.baseline.lines], [4, 7], '{since} kept the older lines out of the baseline');
    assert.equal(check?.during.errors, 1);
    assert.deepEqual([check?.after.errors, check?.after.lines], [0, 2]);
    const counts = run.events.filter((e): e is Extract<typeof e, { type: 'log-counts' }> => e.type === 'log-counts').map((e) => e.counts);
    assert.equal(counts[counts.length - 1]?.mode, 'poll');
  });
});
