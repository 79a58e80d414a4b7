// A window reload in the middle of a rollback: the watch of the interrupted run is gone, but its
// baseline is in the journal; the resumed run's check watches the logs from the resume on and
// compares with that baseline. Real git, real sh, real services, the journal on disk.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { RollbackEvents } from '../../../src/core/run/events';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { ScriptedPrompter } from '../engine/helpers';
import { FOLLOW_LOG, logApp, planFor, type LogApp } from './logFixture';

const apps: LogApp[] = [];
afterEach(() => {
  while (apps.length) apps.pop()!.cleanup();
});

test('stopped after the build, resumed later: the check judges the logs after the resume against the baseline the first run kept', async () => {
  const app = await logApp({ logs: { command: `tail -n +1 -F ${FOLLOW_LOG}`, baseline: '5m', watch: '1500ms' } });
  apps.push(app);
  app.append(FOLLOW_LOG, [...Array.from({ length: 9 }, (_, i) => `ERROR cache not warmed ${i}`), 'GET / 200']);
  const plan = await planFor(app);
  const stopAfterStep = new AbortController();
  const events = new RollbackEvents();
  events.on((e) => e.type === 'step-finished' && e.stepId === 'build-api' && stopAfterStep.abort());
  const engine = () => new RollbackRunner({ runnerFor: (w) => app.runnerFor(w), journals: app.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), events, operator: 'dana@laptop' });
  const first = await engine().run(plan, { stopAfterStep: stopAfterStep.signal });
  assert.equal(first.journal.status, 'stopped', first.state);
  // What a reload finds: the journal on disk, with the baseline the watch counted.
  const saved = await app.journals.load(plan.id);
  assert.deepEqual(saved?.steps.find((s) => s.stepId === 'logs-watch')?.logWatch?.baselines?.api, { errors: 9, lines: 10, windowMs: 300_000 });
  let wrote = false;
  events.on((e) => {
    if (e.type === 'step-started' && e.step.id === 'logs-api' && !wrote) {
      wrote = true;
      setTimeout(() => app.append(FOLLOW_LOG, ['api 1.3.0 listening', 'GET /health 200']), 600);
    }
  });
  const resumed = await engine().resume(saved!);
  assert.equal(resumed.success, true, resumed.state);
  const check = resumed.journal.steps.find((s) => s.stepId === 'logs-api')?.logWatch?.check;
  assert.equal(check?.status, 'passed', check?.detail);
  assert.equal(check?.baseline.errors, 9, 'the baseline of the first run');
  assert.deepEqual([check?.after.errors, check?.after.lines], [0, 2], 'only what came after the resume; the history is not counted again');
});
