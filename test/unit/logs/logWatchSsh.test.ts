// Log watching over the real sshd: the logs stream from the target over the rollback's own
// SSH connection while the steps run (a channel beside theirs), errors before, during and
// after the rollback are counted per window, and nothing of the watch is left on the host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { logWatchTiming } from '../../../src/core/run/steps/logWatch';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import { FOLLOW_LOG, logApp, planFor, runPlan, SINCE_SCRIPT, STAMPED_LOG, stamp, type LogApp } from './logFixture';

Object.assign(logWatchTiming, { pollMs: 400, retryMs: 200 });

const skip = sshdUnavailable();

/** The test user's processes whose command line contains `text` (read from /proc: pgrep -f would take it as a regex). */
function remoteProcesses(text: string): string[] {
  const uid = execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim();
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const owner = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (owner === uid && cmdline.includes(text)) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function noneLeft(text: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const left = remoteProcesses(text);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return remoteProcesses(text);
}

describe('log watching over SSH (real sshd, the target owned by its user)', { skip }, () => {
  let sshd: TestSshd;
  const apps: LogApp[] = [];
  before(async () => {
    sshd = await startSshd();
  });
  afterEach(() => {
    while (apps.length) apps.pop()!.cleanup();
  });
  after(async () => {
    await sshd?.stop();
  });

  test('a following command on the host: errors before, during and after the rollback, each in its window', async () => {
    const app = await logApp({ sshd, logs: { command: `tail -n +1 -F ${FOLLOW_LOG}`, baseline: '5s', watch: '2s' }, duringLines: { file: FOLLOW_LOG, lines: ['ERROR restarting api', 'api draining'] } });
    apps.push(app);
    app.append(FOLLOW_LOG, ['GET / 200', 'ERROR cache not warmed', 'ERROR cache not warmed', 'ERROR cache not warmed', 'GET /orders 500']);
    const plan = await planFor(app);
    assert.equal(plan.where, `${sshd.user}@127.0.0.1:${sshd.port}`);
    let wrote = false;
    let streamingDuringRollback = false;
    const run = await runPlan(app, plan, {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'build-api') streamingDuringRollback = remoteProcesses(`tail -n +1 -F ${FOLLOW_LOG}`).length > 0;
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          app.append(FOLLOW_LOG, ['api 1.3.0 listening', 'GET /health 200', 'GET /orders 200']);
        }
      },
    });
    assert.equal(run.result.success, true, run.result.state);
    assert.ok(streamingDuringRollback, 'the logs stream on the host while the steps run');
    const check = run.result.journal.steps.find((s) => s.stepId === 'logs-api')?.logWatch?.check;
    assert.equal(check?.status, 'passed', check?.detail);
    assert.deepEqual([check?.baseline.errors, check?.during.errors, check?.after.errors], [3, 1, 0]);
    assert.deepEqual([check?.baseline.lines, check?.during.lines, check?.after.lines], [5, 2, 3]);
    assert.deepEqual(await noneLeft(`tail -n +1 -F ${FOLLOW_LOG}`), [], 'the tail on the host ended with the check');
  });

  test('a command that prints and exits, on the host: read per window with {since}; a spike after the rollback fails the check', async () => {
    const app = await logApp({ sshd, logs: { command: `sh ${SINCE_SCRIPT} {since}`, watch: '1500ms' } });
    apps.push(app);
    app.append(STAMPED_LOG, [`${stamp(600)} ERROR old`, `${stamp(600)} ERROR old`, `${stamp(60)} ERROR recent`, `${stamp(60)} GET / 200`]);
    const plan = await planFor(app);
    let wrote = false;
    const run = await runPlan(app, plan, {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'health-api' && !wrote) {
          wrote = true;
          setTimeout(() => app.append(STAMPED_LOG, Array.from({ length: 12 }, (_, i) => `${stamp()} ERROR after ${i}`)), 1100);
        }
      },
    });
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.outcome, 'failed');
    assert.equal(js.logWatch?.check?.status, 'failed');
    assert.deepEqual([js.logWatch?.check?.baseline.errors, js.logWatch?.check?.baseline.lines], [1, 2], 'only the 5 minutes before the rollback');
    assert.equal(js.logWatch?.check?.after.errors, 12);
    assert.match(js.detail ?? '', /^failed: 12 errors in .* after the rollback is not below the baseline's 0\.2\/min/);
    assert.deepEqual(await noneLeft(SINCE_SCRIPT), []);
  });

  test('a silent command on the host: could not run, and it is stopped on the host when the run ends', async () => {
    const app = await logApp({ sshd, logs: { command: 'sleep 297.3', watch: '500ms' } });
    apps.push(app);
    const run = await runPlan(app, await planFor(app), {
      onEvent: (e) => {
        if (e.type === 'step-started' && e.step.id === 'logs-api') assert.equal(remoteProcesses('sleep 297.3').length, 1, 'it runs on the host meanwhile');
      },
    });
    const js = run.result.journal.steps.find((s) => s.stepId === 'logs-api')!;
    assert.equal(js.logWatch?.check?.status, 'could-not-run');
    assert.match(js.detail ?? '', new RegExp(`^could not run: \`sleep 297\\.3 on ${sshd.user}@127\\.0\\.0\\.1:${sshd.port}\` printed no log line`));
    assert.deepEqual(await noneLeft('sleep 297.3'), []);
  });
});
