// Log checks that cannot judge: an error pattern that does not compile, a logs command that
// fails, one that never prints. Each says why in the step's result, is never counted as
// passed (the all-clear is blocked), and leaves no command running after the run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, test } from 'node:test';
import { toLogsConfig } from '../../../src/core/logs/config';
import { logWatchTiming } from '../../../src/core/run/steps/logWatch';
import { journalVerdict } from '../../../src/core/verification/checks';
import { FOLLOW_LOG, logApp, planFor, runPlan, type LogApp } from './logFixture';

Object.assign(logWatchTiming, { retryMs: 200 });

const apps: LogApp[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.cleanup();
});

/** Processes whose command line is exactly `args` (read from /proc). */
function processesRunning(args: string[]): number[] {
  const want = `${args.join('\0')}\0`;
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === want) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function gone(args: string[]): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (processesRunning(args).length === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('log checks that could not run', () => {
  test('an errors pattern that is not a regular expression: the watch says so at the start, the check could not run', async () => {
    const app = await logApp({ logs: { command: `tail -n +1 -F ${FOLLOW_LOG}`, watch: '0s' }, errors: 'error|(timeout' });
    apps.push(app);
    const plan = await planFor(app);
    const run = await runPlan(app, plan);
    const start = run.result.journal.steps.find((s) => s.stepId === 'logs-watch')!;
    assert.equal(start.outcome, 'ok', 'the rollback is not held up by the watch');
    assert.match(start.detail ?? '', /cannot watch api: services\.api\.errors "error\|\(timeout": it is not a valid regular expression/);
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'failed');
    assert.equal(js.logWatch?.check?.status, 'could-not-run');
    assert.match(js.detail ?? '', /^could not run: services\.api\.errors "error\|\(timeout": it is not a valid regular expression/);
    assert.ok(journalVerdict(run.result.journal).blockers.some((b) => b.stepId === 'logs-api'), 'never counted as passed');
  });

  test('a logs command that fails: tried a few times, then the check says how it failed', async () => {
    // A window of its own (not 0s), so the three tries 200 ms apart are over before the check judges.
    const app = await logApp({ logs: { command: 'sh run/no-such-logs-script.sh {since}', watch: '3s' } });
    apps.push(app);
    const run = await runPlan(app, await planFor(app));
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'failed');
    assert.equal(js.logWatch?.check?.status, 'could-not-run');
    assert.match(js.detail ?? '', /^could not run: `sh run\/no-such-logs-script\.sh \{since\} on local` exited 2: sh: 0: cannot open run\/no-such-logs-script\.sh: No such file \(3 tries; the watch stopped\)$/);
    assert.equal(run.result.success, false);
  });

  test('a logs command that never prints: the check says it printed nothing, and the command is gone after the run', async () => {
    const app = await logApp({ logs: { command: 'sleep 313.7', watch: '1s' } });
    apps.push(app);
    const run = await runPlan(app, await planFor(app), {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'logs-api') assert.equal(processesRunning(['sleep', '313.7']).length, 1, 'the silent command runs while the rollback runs');
      },
    });
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'failed');
    assert.equal(js.logWatch?.check?.status, 'could-not-run');
    assert.match(js.detail ?? '', /^could not run: `sleep 313\.7 on local` printed no log line on its standard output in \d+ s; nothing to judge the error rate by$/);
    assert.ok(await gone(['sleep', '313.7']), 'the logs command was stopped when the run ended');
  });

  test('a retry after a failed check watches a new window; errors gone by then: it passes', async () => {
    const app = await logApp({ logs: { command: `tail -s 0.2 -n +1 -F ${FOLLOW_LOG}`, baseline: '5m', watch: '3s' } });
    apps.push(app);
    app.append(FOLLOW_LOG, ['ERROR a', 'ERROR b', 'ok']);
    let wrote = false;
    const run = await runPlan(app, await planFor(app), {
      onFailure: [{ action: 'retry' }],
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          // Just after the window starts (the step's start is recorded as it is announced), never before it.
          setTimeout(() => app.append(FOLLOW_LOG, Array.from({ length: 20 }, (_, i) => `ERROR still failing ${i}`)), 300);
        }
      },
    });
    assert.equal(run.result.success, true, run.result.state);
    assert.match(run.prompter.failures[0]?.state.detail ?? '', /^failed: 20 errors in/);
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.attempts, 2);
    assert.equal(js.logWatch?.check?.status, 'passed');
    assert.equal(js.logWatch?.check?.after.errors, 0);
  });

  test('a plan whose logs command puts {since} where the shell would re-read it: the check could not run, nothing ran', async () => {
    const app = await logApp({ logs: { command: `tail -n +1 -F ${FOLLOW_LOG}`, watch: '0s' } });
    apps.push(app);
    // rollback.yml's checks refuse this (Problems); a plan built around them still must not run it.
    app.config.services.find((s) => s.name === 'api')!.logs = toLogsConfig({ command: "sh -c 'tail -n +1 -F {since}'", watch: '0s' }, undefined);
    const run = await runPlan(app, await planFor(app));
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.logWatch?.check?.status, 'could-not-run');
    assert.match(js.detail ?? '', /cannot be filled in safely: \{since\} is inside single quotes: .*write: sh -c 'tail -n \+1 -F "\$1"' sh \{since\}/);
    assert.match(run.result.journal.steps.find((s) => s.stepId === 'logs-watch')?.detail ?? '', /^no log can be watched; cannot watch api: /);
  });
});
