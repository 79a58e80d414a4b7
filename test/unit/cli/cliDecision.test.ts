// rollback-pilot run on the fixture app deployed locally (host: local, a real git checkout,
// real /bin/sh), as a real process: the runbooks' decision tree asked on a pseudo-terminal
// (the brief investigation's countdown, then the question again; the configuration branch),
// the same answers as flags without a terminal; the notify steps sent to a real HTTP server on
// 127.0.0.1 with the URL from ROLLBACK_PILOT_WEBHOOK_URL, and said on stderr when not sent;
// `resume` with several interrupted runs: the list and the question, or --run ID.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { makeAppRepo } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { buildCli, cliEnv, runCli } from './harness';
import { PtySession } from './pty';

const journalsIn = (dir: string): RollbackJournal[] => {
  const at = join(dir, '.rollback/journals');
  return existsSync(at) ? readdirSync(at).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as RollbackJournal) : [];
};

interface Hook {
  url: string;
  received: Array<{ path: string; text: string }>;
  status: number;
  server: Server;
}

/** A chat webhook on 127.0.0.1: records each POST, answers `status`. */
async function startHook(): Promise<Hook> {
  const hook: Hook = { url: '', received: [], status: 200, server: createServer() };
  hook.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hook.received.push({ path: req.url ?? '', text: (JSON.parse(body) as { text: string }).text });
      res.writeHead(hook.status, { 'content-type': 'text/plain' });
      res.end(hook.status === 200 ? 'ok' : 'channel_is_archived');
    });
  });
  await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
  hook.url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/services/T000/B000/xoxb-webhook-secret-4242`;
  return hook;
}

describe('rollback-pilot run and resume on a local target: the decision tree, notify, several interrupted runs', { timeout: 600_000 }, () => {
  const tmp = tempDir('cli-decision');
  let cli: string;
  let hook: Hook;
  const sessions: PtySession[] = [];
  let n = 0;
  before(async () => {
    cli = await buildCli();
    hook = await startHook();
  });
  afterEach(() => {
    while (sessions.length) sessions.pop()!.kill();
  });
  after(async () => {
    await new Promise((r) => hook.server.close(r));
    tmp.cleanup();
  });

  /** The fixture app with v1.4.0 (bad) checked out here, and rollback.yml's additions committed into v1.4.0 (the tag moved onto them), so the checkout stays clean and at the release. */
  const app = async (yml: string): Promise<string> => {
    const { dir } = await makeAppRepo(join(tmp.dir, `app-${++n}`), { apiPort: await freePort(), workerPort: await freePort() });
    appendFileSync(join(dir, 'rollback.yml'), yml);
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: cliEnv() });
    git('-c', 'user.name=Dana Deployer', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml for the test');
    git('tag', '-f', 'v1.4.0');
    return dir;
  };
  const pty = (dir: string, args: string[], env: NodeJS.ProcessEnv = {}): PtySession => {
    const s = new PtySession([process.execPath, cli, ...args], { cwd: dir, env: cliEnv({ TERM: 'xterm', ...env }) });
    sessions.push(s);
    return s;
  };

  test('on a terminal: investigate first (the countdown, then the question again; Enter decides early), then the configuration branch: restart, with no code change in the plan', async () => {
    const dir = await app('decision: { investigateFor: 2s }\n');
    const p = pty(dir, ['run']);
    await p.expect('Roll back, roll forward, or investigate first?');
    await p.expect('3) Investigate first');
    await p.expect('Choose 1-3 [1]');
    p.type('3');
    await p.expect('Brief investigation (2 s, runbook 000)');
    await p.expect(/Investigating: 0:0[12] left\. Enter decides now:/);
    // Nobody presses Enter: at zero the question comes back by itself.
    await p.expect('The investigation time is over: decide now', 15_000);
    await p.expect('Roll back, roll forward, or investigate first?');
    await p.expect('Choose 1-3 [1]');
    p.type('3');
    await p.expect('Investigating: ');
    p.type('');
    await p.expect('Deciding now.');
    await p.expect('Choose 1-3 [1]');
    p.type('1');
    await p.expect('What changed in the bad deploy?');
    await p.expect('3) The configuration');
    await p.expect('4) Not sure');
    await p.expect('Choose 1-4');
    p.type('3');
    await p.expect('The configuration: restore it or restart?');
    // No configFiles in this rollback.yml: restarting comes first.
    await p.expect('1) Restart the services as they are');
    await p.expect('Choose 1-2 [1]');
    p.type('1');
    await p.expect('Why are you rolling back?');
    p.type('the api lost its settings after the deploy');
    await p.expect('Run this plan? [y/N]');
    const preview = p.output;
    p.type('n');
    assert.equal(await p.exitCode(), 3, p.output);
    assert.match(p.output, /Nothing ran\./);
    assert.doesNotMatch(preview, /git revert|Revert the code/i, 'a restart changes no code');
    assert.match(preview, /restart/i);
    assert.deepEqual(journalsIn(dir), [], 'nothing was journaled: nothing ran');
  });

  test('Ctrl-C during the investigation gives up: nothing planned, nothing run', async () => {
    const dir = await app('decision: { investigateFor: 1m }\n');
    const p = pty(dir, ['run']);
    await p.expect('Choose 1-3 [1]');
    p.type('3');
    await p.expect(/Investigating: (1:00|0:5\d) left/);
    p.interrupt();
    await p.expect('Investigation given up: nothing was planned.');
    assert.equal(await p.exitCode(), 3, p.output);
    assert.deepEqual(journalsIn(dir), []);
  });

  test('notify: the start message goes to ROLLBACK_PILOT_WEBHOOK_URL (never printed or journaled); without it, or when the webhook fails, stderr says it was skipped and why; then resume asks which of the interrupted runs', async () => {
    const dir = await app('notify: { webhook: true }\n');
    // Without a terminal the run stops at the first question only a person answers (the backup check done by hand), after the start message.
    const sent = await runCli(['run', '--cause', 'code', '--reason', 'api /health answers 500 since v1.4.0', '--yes'], { cwd: dir, env: cliEnv({ ROLLBACK_PILOT_WEBHOOK_URL: hook.url }) });
    assert.equal(sent.code, 4, sent.stderr);
    assert.deepEqual(hook.received.map((r) => r.path), ['/services/T000/B000/xoxb-webhook-secret-4242']);
    assert.match(hook.received[0].text, /^Rolling back v1\.4\.0 to v1\.3\.0 on local because api \/health answers 500 since v1\.4\.0\./);
    assert.match(sent.stdout + sent.stderr, /▶ Tell the team the rollback starts\nOK sent/);
    assert.doesNotMatch(sent.stdout + sent.stderr, /xoxb-webhook-secret-4242/);
    const first = journalsIn(dir);
    assert.equal(first.length, 1);
    assert.doesNotMatch(JSON.stringify(first), /xoxb-webhook-secret-4242/);
    assert.deepEqual(first[0].steps.filter((s) => s.stepId === 'notify-start').map((s) => [s.outcome, s.detail]), [['ok', 'sent']]);

    const none = await runCli(['run', '--cause', 'code', '--reason', 'second try', '--yes'], { cwd: dir });
    assert.equal(none.code, 4, none.stderr);
    assert.match(none.stderr, /Notify skipped \("Tell the team the rollback starts"\): no webhook URL: the command line reads it from ROLLBACK_PILOT_WEBHOOK_URL .*The message, to paste into the incident channel:\n {2}Rolling back v1\.4\.0 to v1\.3\.0 on local because second try\./s);
    assert.equal(hook.received.length, 1, 'nothing was posted');

    hook.status = 500;
    const failing = await runCli(['run', '--cause', 'code', '--reason', 'third try', '--yes'], { cwd: dir, env: cliEnv({ ROLLBACK_PILOT_WEBHOOK_URL: hook.url }) });
    assert.equal(failing.code, 4, failing.stderr);
    assert.equal(hook.received.length, 2, 'the message was posted');
    assert.match(failing.stderr, /Notify skipped \("Tell the team the rollback starts"\): The webhook answered HTTP 500: channel_is_archived\./);
    assert.doesNotMatch(failing.stderr, /xoxb-webhook-secret-4242/);
    hook.status = 200;

    // Three interrupted runs: without a terminal, resume lists them and needs --run (exit 4, nothing run).
    const runs = journalsIn(dir).map((j) => j.runId).sort();
    assert.equal(runs.length, 3);
    const refused = await runCli(['resume'], { cwd: dir });
    assert.equal(refused.code, 4, refused.stderr);
    for (const id of runs) assert.match(refused.stderr, new RegExp(`^ {2}${id} {2}local: v1\\.4\\.0 → v1\\.3\\.0 {2}\\(stopped · `, 'm'));
    assert.match(refused.stderr, /"Which interrupted rollback do you resume\?"\. Pass --run ID \(resumable: /);
    assert.match(refused.stderr, /Nothing ran\./);
    assert.deepEqual(journalsIn(dir).map((j) => [j.runId, j.status]).sort(), runs.map((id) => [id, 'stopped']));

    // --run names one: that one is resumed (its steps done are not run again), up to the same question.
    const named = await runCli(['resume', '--run', runs[0], '--yes'], { cwd: dir });
    assert.equal(named.code, 4, named.stderr);
    assert.match(named.stdout, new RegExp(`^# Resume run ${runs[0]}: local → v1\\.3\\.0`, 'm'));
    const usage = await runCli(['resume', runs[0], '--run', runs[1]], { cwd: dir });
    assert.equal(usage.code, 2, usage.stderr);

    // On a terminal the same list is a question.
    const p = pty(dir, ['resume']);
    await p.expect('Which interrupted rollback do you resume?');
    await p.expect('Choose 1-3');
    const listed = p.output;
    for (const id of runs) assert.ok(listed.includes(id), `${id} is offered`);
    const offered = [...listed.matchAll(/ {2}(\d)\) (rb-\S+)/g)].map((m) => m[2]);
    p.type('2');
    await p.expect(`# Resume run ${offered[1]}: local → v1.3.0`);
    p.interrupt();
    assert.notEqual(await p.exitCode(), 0, p.output);
  });
});
