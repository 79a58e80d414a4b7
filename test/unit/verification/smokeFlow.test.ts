// Issue 13.2: runbook 004's minimal smoke suite written in rollback.yml, without a shell
// script: GET /health, GET /health/internal with the operator token, register → login → me,
// create → list → delete a project; the login's token captured and sent on as a bearer
// token. Run by the real runner against a real HTTP service, from this machine and by curl
// on the target over the real sshd; every step's result is in the journal and the checklist.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { applyEvent, createChecklistState } from '../../../src/core/checklist';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { sshdUnavailable, startSshd, testSshRunner, type TestSshd } from '../../support/sshd';
import { checksPlan, runbook004, runChecks, servicesFrom, startApp, stepOf, type TestApp } from './harness';


const NAMES = ['internal health', 'register', 'login', 'me', 'create project', 'list projects', 'delete project'];
const PASSWORD = 'correct-horse-battery-staple';

let app: TestApp;
const tmp = tempDir('verif-smoke');
before(async () => {
  app = await startApp();
  app.healthDelayMs = 200;
});
after(async () => {
  await app.close();
  tmp.cleanup();
});

function assertNoSecret(texts: Record<string, string>, secrets: string[]): void {
  for (const [name, text] of Object.entries(texts)) for (const s of secrets) assert.ok(!text.includes(s), `${s.slice(0, 6)}… is in the ${name}`);
}

describe('runbook 004 smoke suite from this machine', () => {
  test('every step passes; the token login returned is sent to /auth/me; each result is in the journal and the checklist', { timeout: 60_000 }, async () => {
    const plan = checksPlan(servicesFrom(runbook004(app.base, 'local')), { where: 'local', cwd: tmp.dir });
    const smoke = plan.steps.find((s) => s.id === 'smoke-api')!;
    assert.deepEqual(smoke.smoke?.map((e) => e.name), NAMES);
    assert.deepEqual(smoke.commands, [], 'no shell script: the flow is HTTP steps');
    const before = app.seen.length;
    const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter(), secrets: { 'operator-token': `Bearer ${app.operatorToken}`, 'smoke-password': PASSWORD } });
    const s = stepOf(run.result, 'smoke-api');
    assert.equal(s.outcome, 'ok', s.detail);
    assert.match(s.detail ?? '', /^7 of 7 passed: internal health, register, login, me, create project, list projects, delete project$/);
    assert.deepEqual(s.results?.map((r) => [r.name, r.outcome]), NAMES.map((n) => [n, 'ok']));
    assert.match(s.results?.find((r) => r.name === 'login')?.detail ?? '', /POST .*\/auth\/login → 200 .*; captured token/);
    // The service saw the flow as a client would send it.
    const seen = app.seen.slice(before);
    const token = app.tokens.at(-1)!;
    assert.equal(seen.find((r) => r.url === '/auth/me')?.headers.authorization, `Bearer ${token}`);
    const register = JSON.parse(seen.find((r) => r.url === '/auth/register')!.body) as { email: string; password: string };
    assert.match(register.email, /^smoke-[0-9a-f]{12}@example\.com$/);
    assert.equal(register.password, PASSWORD);
    assert.ok(seen.some((r) => r.method === 'DELETE' && /^\/projects\/p[0-9a-f]{8}$/.test(r.url)), 'the captured project id went into the URL');
    // The journal on disk has each result; the checklist, fed the run's events, shows each step by name.
    const onDisk = JSON.parse(run.journalText.split('\n')[0].length ? run.journalText : '{}') as { steps: Array<{ stepId: string; results?: Array<{ name: string; outcome: string }> }> };
    assert.deepEqual(onDisk.steps.find((x) => x.stepId === 'smoke-api')?.results?.map((r) => r.name), NAMES);
    let checklist = createChecklistState({ runId: plan.id, decidedAt: plan.createdAt }).state;
    for (const e of run.events) checklist = applyEvent(checklist, e);
    assert.deepEqual(checklist.checks.filter((c) => c.name).map((c) => [c.name, c.ok]), NAMES.map((n) => [n, true]));
    assert.equal(checklist.items.find((i) => i.id === 'checks-passed')?.checked, true);
    assertNoSecret({ journal: run.journalText, events: JSON.stringify(run.events), log: run.logLines.join('\n'), checklist: JSON.stringify(checklist) }, [token, app.operatorToken, PASSWORD]);
  });

  test('a capture missing from a response fails that step by name; the steps after it are not run, never passed', { timeout: 60_000 }, async () => {
    app.loginOmitsToken = true;
    try {
      const plan = checksPlan(servicesFrom(runbook004(app.base, 'local')), { where: 'local', cwd: tmp.dir });
      const before = app.seen.length;
      const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]), secrets: { 'operator-token': `Bearer ${app.operatorToken}`, 'smoke-password': PASSWORD } });
      const s = stepOf(run.result, 'smoke-api');
      assert.equal(s.outcome, 'failed');
      assert.match(s.detail ?? '', /^"login" failed: POST .*\/auth\/login → 200, but nothing in the answer matched \$\.token, captured as \{token\} \(\$ has no "token"\).*; 4 step\(s\) after it not run; 2 of 7 passed$/);
      assert.deepEqual(s.results?.map((r) => r.outcome), ['ok', 'ok', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);
      assert.ok(!app.seen.slice(before).some((r) => r.url === '/auth/me'), 'nothing after the failed step was sent');
      assert.ok(!run.journalText.includes(app.tokens.at(-1)!), 'the token the service sent under another name is not written down either');
    } finally {
      app.loginOmitsToken = false;
    }
  });

  test('a smoke secret that is not set fails the step that needs it, naming the secret', { timeout: 60_000 }, async () => {
    const plan = checksPlan(servicesFrom(runbook004(app.base, 'local')), { where: 'local', cwd: tmp.dir });
    const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter([{ action: 'stop' }]), secrets: { 'operator-token': `Bearer ${app.operatorToken}` } });
    const s = stepOf(run.result, 'smoke-api');
    assert.equal(s.outcome, 'failed');
    assert.match(s.results?.[1].detail ?? '', /^could not run: the body needs a secret "smoke-password" that is not set/);
  });
});

describe('runbook 004 smoke suite by curl on the target over the real sshd', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  const remote = tempDir('verif-smoke-remote');
  before(async () => {
    sshd = await startSshd();
    chmodSync(remote.dir, 0o777);
  });
  after(async () => {
    await sshd?.stop();
    remote.cleanup();
  });

  test('the same suite passes on the target; no token or secret on a command line or in the journal', { timeout: 90_000 }, async () => {
    const where = `${sshd.user}@127.0.0.1:${sshd.port}`;
    const plan = checksPlan(servicesFrom(runbook004(app.base, 'target')), { where, cwd: remote.dir });
    const before = app.seen.length;
    const commands: string[] = [];
    const runnerFor = (w: string) => {
      const r = w === 'local' ? new LocalCommandRunner({ cwd: tmp.dir }) : testSshRunner(sshd, tmp.dir);
      const run = r.run.bind(r);
      r.run = (command, options) => {
        commands.push(command);
        return run(command, options);
      };
      return r;
    };
    const run = await runChecks(plan, { dir: tmp.dir, prompter: new ScriptedPrompter(), secrets: { 'operator-token': `Bearer ${app.operatorToken}`, 'smoke-password': PASSWORD }, runnerFor });
    const s = stepOf(run.result, 'smoke-api');
    assert.equal(s.outcome, 'ok', s.detail);
    assert.equal(stepOf(run.result, 'health-api').outcome, 'ok');
    const seen = app.seen.slice(before);
    const token = app.tokens.at(-1)!;
    assert.equal(seen.find((r) => r.url === '/auth/me')?.headers.authorization, `Bearer ${token}`);
    assert.ok(seen.filter((r) => r.url !== '/health').every((r) => String(r.headers['user-agent']).startsWith('curl/')), 'sent by curl on the target');
    assert.ok(commands.some((c) => /^curl -sS --max-time 10 -w .* -K -$/.test(c)));
    assertNoSecret({ 'command lines': commands.join('\n'), journal: run.journalText, events: JSON.stringify(run.events) }, [token, app.operatorToken, PASSWORD]);
  });
});
