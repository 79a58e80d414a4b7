// Issue 13.1: health checks with a probe timeout of their own, secret headers, JSON
// expectations, and from: local | target — against a real HTTP service on 127.0.0.1, probed
// by this machine's HTTP client and by curl on the target over the real sshd.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { sshdUnavailable, startSshd, testSshRunner, type TestSshd } from '../../support/sshd';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { checksPlan, runChecks, servicesFrom, startApp, stepOf, type TestApp } from './harness';

let app: TestApp;
const tmp = tempDir('verif-health');
before(async () => {
  app = await startApp();
});
after(async () => {
  await app.close();
  tmp.cleanup();
});

const local = (yaml: string) => checksPlan(servicesFrom(yaml), { where: 'local', cwd: tmp.dir });

describe('health checks, probed from this machine', () => {
  test('a /health that answers in 1.5 s passes with the defaults (1 s interval): each probe may take 5 s', { timeout: 30_000 }, async () => {
    app.healthDelayMs = 1500;
    const plan = local(`services:\n  api:\n    health: { url: "${app.base}/health", timeout: 10s, from: local }\n`);
    const health = plan.steps.find((s) => s.id === 'health-api')!;
    assert.deepEqual([health.health?.intervalMs, health.health?.probeTimeoutMs, health.health?.where], [1000, 5000, 'local']);
    const started = Date.now();
    const { result } = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter() });
    const s = stepOf(result, 'health-api');
    assert.equal(s.outcome, 'ok', s.detail);
    assert.match(s.detail ?? '', /^healthy: HTTP 200 .*"version":"v1\.3\.0"/);
    assert.equal((s.outputTail ?? '').trim().split('\n').length, 1, 'one probe, not a series of 1 s timeouts');
    assert.ok(Date.now() - started >= 1400, 'the probe really waited for the slow answer');
  });

  test('control: with probeTimeout 1s the same /health never passes, and the step says why', { timeout: 30_000 }, async () => {
    app.healthDelayMs = 1500;
    const plan = local(`services:\n  api:\n    health: { url: "${app.base}/health", timeout: 3s, probeTimeout: 1s, from: local }\n`);
    const { result } = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]) });
    const s = stepOf(result, 'health-api');
    assert.equal(s.outcome, 'failed');
    assert.match(s.detail ?? '', /not healthy within 3000 ms; last probe: no answer \(no answer within \d+ ms\)/);
    assert.match((s.outputTail ?? '').split('\n')[0], /no answer \(no answer within 1000 ms\)/, 'each probe got its own 1 s, not the interval');
  });

  test('a header from secret storage reaches the service; the secret is in no artifact', { timeout: 30_000 }, async () => {
    const plan = local(`services:\n  api:\n    health: { url: "${app.base}/health/internal", headers: { Authorization: "secret:health-token" }, json: { "$.db.ok": true, version: "{to}" }, from: local }\n`);
    assert.deepEqual(plan.steps.find((s) => s.id === 'health-api')?.health?.headers, [{ name: 'Authorization', secret: 'health-token' }]);
    const before = app.seen.length;
    const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter(), secrets: { 'health-token': `Bearer ${app.operatorToken}` } });
    const s = stepOf(run.result, 'health-api');
    assert.equal(s.outcome, 'ok', s.detail);
    assert.equal(app.seen.slice(before).find((r) => r.url === '/health/internal')?.headers.authorization, `Bearer ${app.operatorToken}`);
    for (const [name, text] of Object.entries({ journal: run.journalText, events: JSON.stringify(run.events), log: run.logLines.join('\n'), plan: JSON.stringify(plan) })) {
      assert.ok(!text.includes(app.operatorToken), `the operator token is in the ${name}`);
    }
    assert.ok(run.redactor.sourceNames().some((n) => n.includes('health-api')), 'the redactor learned the secret when the check read it');
  });

  test('a header secret that is not set: the check cannot run, fails naming the secret and the command to set it, and nothing is sent', { timeout: 30_000 }, async () => {
    const plan = local(`services:\n  api:\n    health: { url: "${app.base}/health/internal", headers: { Authorization: "secret:health-token" }, from: local }\n`);
    const before = app.seen.length;
    const { result } = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]) });
    const s = stepOf(result, 'health-api');
    assert.equal(s.outcome, 'failed');
    assert.match(s.detail ?? '', /could not run the health check: the Authorization header needs a secret "health-token" that is not set .*Rollback: Set Health Check Secret…/);
    assert.equal(app.seen.length, before, 'no request without its header');
  });

  test('JSON expectations: the wrong version and a path that matches nothing each fail with what was found', { timeout: 30_000 }, async () => {
    app.healthDelayMs = 0;
    app.version = 'v1.4.0';
    try {
      const wrong = await runChecks(local(`services:\n  api:\n    health: { url: "${app.base}/health", json: { version: "{to}" }, timeout: 1500ms, interval: 500ms, from: local }\n`), { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]) });
      assert.match(stepOf(wrong.result, 'health-api').detail ?? '', /last probe: HTTP 200 .* — \$?\.?version is "v1\.4\.0", expected "v1\.3\.0"/);
      const missing = await runChecks(local(`services:\n  api:\n    health: { url: "${app.base}/health", json: { "$.build.sha": "{sha}" }, timeout: 1s, interval: 500ms, from: local }\n`), { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]) });
      const s = stepOf(missing.result, 'health-api');
      assert.equal(s.outcome, 'failed');
      assert.match(s.detail ?? '', /the JSON path \$\.build\.sha matched nothing \(\$ has no "build"\)/);
    } finally {
      app.version = 'v1.3.0';
      app.healthDelayMs = 1500;
    }
  });
});

describe('health checks, probed on the target by curl over the real sshd', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  const remote = tempDir('verif-health-remote');
  before(async () => {
    sshd = await startSshd();
    chmodSync(remote.dir, 0o777);
  });
  after(async () => {
    await sshd?.stop();
    remote.cleanup();
  });
  const where = () => `${sshd.user}@127.0.0.1:${sshd.port}`;
  const runnerFor = (w: string) => (w === 'local' ? new LocalCommandRunner({ cwd: tmp.dir }) : testSshRunner(sshd, tmp.dir));

  test('slow /health with a secret header: passes, the header went on curl\'s stdin, not on its command line', { timeout: 60_000 }, async () => {
    app.healthDelayMs = 1500;
    const plan = checksPlan(servicesFrom(`services:\n  api:\n    health: { url: "${app.base}/health/internal", headers: { Authorization: "secret:health-token" }, json: { version: "{to}" }, timeout: 15s, from: target }\n`), { where: where(), cwd: remote.dir, healthWhere: 'local' });
    const step = plan.steps.find((s) => s.id === 'health-api')!;
    assert.equal(step.commands[0].where, where(), 'from: target wins over the plan-wide default');
    assert.match(step.commands[0].command, /^curl -sS --max-time 5 -w .* -K - /);
    const before = app.seen.length;
    const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter(), secrets: { 'health-token': `Bearer ${app.operatorToken}` }, runnerFor });
    const s = stepOf(run.result, 'health-api');
    assert.equal(s.outcome, 'ok', s.detail);
    const got = app.seen.slice(before).find((r) => r.url === '/health/internal');
    assert.equal(got?.headers.authorization, `Bearer ${app.operatorToken}`);
    assert.match(String(got?.headers['user-agent']), /^curl\//, 'curl on the target sent it');
    assert.ok(!run.journalText.includes(app.operatorToken), 'the token is not in the journal');
    assert.ok(!JSON.stringify(run.events).includes(app.operatorToken), 'the token is not in the events');
  });

  test('slow /health without headers passes on the target too (curl --max-time 5, not 1)', { timeout: 60_000 }, async () => {
    app.healthDelayMs = 1500;
    const plan = checksPlan(servicesFrom(`services:\n  api:\n    health: { url: "${app.base}/health", timeout: 10s }\n`), { where: where(), cwd: remote.dir });
    const { result } = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter(), runnerFor });
    assert.equal(stepOf(result, 'health-api').outcome, 'ok', stepOf(result, 'health-api').detail);
  });
});
