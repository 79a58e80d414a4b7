// A fleet's health checks with headers and JSON expectations through the real ansible-playbook
// and its uri module, on two real sshd hosts, against a real HTTP service that records what it
// was sent. The secret header value is hostile (Jinja, shell): it must arrive byte for byte and
// run nothing; it must never be in the playbook, the inventory, ansible-playbook's environment
// (/proc/PID/environ, which lookup('env') and any same-user process read) or command line, its
// output or events, and its 0600 vars file must be gone before the first host task starts and
// after the run. How it gets there (docs in src/infra/ansible/ansiblePlaybook.ts): `--extra-vars
// @file` from a 0600 file in the run's 0700 folder, `!unsafe`, deleted at Ansible's first event
// (VariableManager reads extra vars before the playbook starts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatePlaybook } from '../../../src/core/fleet/playbook';
import { fleetHealthHeaders } from '../../../src/core/fleet/healthHeaders';
import { hostsFromConfig, inventoryYaml, type HostRunValues } from '../../../src/core/fleet/inventory';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import { fleetUnavailable, type TestFleet } from '../../support/fleet';
import { twoHostFleet, type TwoHostFleet } from '../fleet/twoHostFleet';
import { MARK } from './fleetValues';
import { procAfterExec, type ProcInfo } from '../../support/procInfo';

const why = fleetUnavailable();

describe('fleet health checks with secret headers and JSON expectations (real ansible-playbook, 2 real sshd hosts)', { skip: why, timeout: 300_000 }, () => {
  let t: TwoHostFleet;
  let tmp: TwoHostFleet['tmp'];
  let fleet: TestFleet;
  let markers: string;
  let port = 0;
  const seen: Array<{ url: string; token?: string; release?: string }> = [];

  before(async () => {
    // Answers what a service's /health says; /wrong says another release.
    t = await twoHostFleet('attack-fleet-secrets', (req, res) => {
      seen.push({ url: req.url ?? '', token: req.headers['x-health-token'] as string | undefined, release: req.headers['x-release'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', build: { version: req.url?.startsWith('/wrong') ? '1.4.0' : '1.3.0', ready: true, workers: 2 } }));
    });
    ({ tmp, fleet, markers, port } = t);
  });
  after(async () => {
    await t?.stop();
  });

  const plan = { id: 'rb-secrets', from: { name: 'v1.4.0', sha: 'a'.repeat(40) }, to: { name: 'v1.3.0', sha: 'b'.repeat(40) } } as RollbackPlan;
  const healthStep = (path: string): PlanStep => ({
    id: 'health-api', kind: 'health', title: 'Health check api', why: 'attack', destructive: false, commands: [],
    health: {
      url: `http://127.0.0.1:${port}${path}`, expect: 200, warmupMs: 0, timeoutMs: 2000, intervalMs: 1000, where: 'x',
      headers: [{ name: 'X-Health-Token', secret: 'api-token' }, { name: 'X-Release', value: 'rolled back to {to}' }],
      json: [{ path: 'build.version', equals: '1.3.0' }, { path: '$.build.ready', equals: true }, { path: 'build["workers"]', equals: '2' }],
    },
  });

  async function roll(path: string, secret: string, name: string) {
    const step = healthStep(path);
    const headers = await fleetHealthHeaders([step], plan, (n) => Promise.resolve(n === 'api-token' ? secret : undefined));
    assert.ok(headers.ok && headers.vars);
    const hosts = hostsFromConfig({ hosts: fleet.hosts.map((h) => ({ host: h.destination, path: h.path })), rollout: { batch: 2, maxFailPercent: 100, pauseMs: 0 } }, '/nowhere');
    const values: Record<string, HostRunValues> = Object.fromEntries(hosts.map((h) => [h.name, { health: { 'health-api': step.health!.url }, skip: [], check: [], batchHosts: hosts.map((x) => x.name) }]));
    const playbook = generatePlaybook({ runId: plan.id, title: 'secrets', group: 'rollback_pilot_fleet', steps: [step], rollout: { batch: 2, maxFailPercent: 100, pauseMs: 0 }, commandTimeoutMs: 60_000 });
    const inventory = inventoryYaml(hosts, values, true);
    let proc: Promise<ProcInfo> | undefined;
    const varsFileAtFirstTask: boolean[] = [];
    const output: string[] = [];
    const runner = t.runner(name);
    let runDir = '';
    const r = await runner.run({
      playbook, inventory, forks: 2, extraVars: headers.vars,
      onStarted: (pid) => {
        runDir = join(tmp.dir, name, readdirSync(join(tmp.dir, name)).find((d) => d.startsWith('run-'))!);
        const vars = join(runDir, 'run-vars.yml');
        assert.equal(statSync(vars).mode & 0o777, 0o600, 'the vars file is its owner\'s alone');
        assert.equal(statSync(runDir).mode & 0o777, 0o700);
        proc = procAfterExec(pid, 'ansible-playbook');
      },
      onEvent: (e) => {
        if (e.event === 'task_start' && varsFileAtFirstTask.length === 0) varsFileAtFirstTask.push(existsSync(join(runDir, 'run-vars.yml')));
      },
      onOutput: (c) => output.push(c),
    });
    const { environ, cmdline } = (await proc) ?? { environ: '(never started)', cmdline: '(never started)' };
    return { r, playbook, inventory, environ, cmdline, varsFileAtFirstTask, output: output.join(''), runDir };
  }

  test('a hostile secret header reaches every host\'s check byte for byte and is written nowhere; the JSON expectations pass the right release and fail the wrong one', async () => {
    const secret = `tok-{{ lookup('pipe','touch ${markers}/${MARK}-hdr') }}$(touch ${markers}/${MARK}-hdr-sh)-Secret-9f8e7d`;
    const ok = await roll('/health', secret, 'right');
    assert.equal(ok.r.internalError, undefined, ok.r.outputTail);
    const results = ok.r.events.filter((e) => e.task?.startsWith('rp:health-api') && (e.event === 'ok' || e.event === 'failed'));
    assert.deepEqual(results.map((e) => e.event), ['ok', 'ok'], ok.r.outputTail);
    const sent = seen.filter((s) => s.url === '/health');
    assert.ok(sent.length >= 2, 'both hosts asked');
    assert.ok(sent.every((s) => s.token === secret && s.release === 'rolled back to v1.3.0'), `as sent: ${JSON.stringify(sent)}`);
    assert.deepEqual(readdirSync(markers).filter((f) => f.startsWith(MARK)), [], 'nothing in the header ran');

    for (const [where, text] of [['playbook', ok.playbook], ['inventory', ok.inventory], ["ansible-playbook's environment", ok.environ], ["ansible-playbook's command line", ok.cmdline], ["Ansible's output", ok.output], ['the events', JSON.stringify(ok.r.events)]] as const) {
      assert.ok(!text.includes('Secret-9f8e7d'), `the secret is in ${where}`);
    }
    assert.match(ok.environ, /(^|\0)PATH=/, 'the environment was read');
    assert.deepEqual(ok.varsFileAtFirstTask, [false], 'the vars file was gone by the first host task event (deleted at Ansible\'s first event)');
    assert.ok(!existsSync(join(ok.runDir, 'run-vars.yml')));
    for (const f of readdirSync(ok.runDir)) {
      const p = join(ok.runDir, f);
      if (statSync(p).isFile()) assert.ok(!readFileSync(p, 'utf8').includes('Secret-9f8e7d'), `the secret stayed in ${f}`);
    }

    const wrong = await roll('/wrong', secret, 'wrong');
    const failed = wrong.r.events.filter((e) => e.task?.startsWith('rp:health-api') && e.event === 'failed');
    assert.equal(failed.length, 2, `a 200 with another release's version fails the check: ${wrong.r.outputTail}`);
    assert.ok(!wrong.output.includes('Secret-9f8e7d') && !JSON.stringify(wrong.r.events).includes('Secret-9f8e7d'), 'nor is it shown when the check fails');
  });

  test('a secret that is not set refuses before anything runs, naming the check, the header and where to set it', async () => {
    const r = await fleetHealthHeaders([healthStep('/health')], plan, () => Promise.resolve(undefined));
    assert.deepEqual(r, { ok: false, why: 'Health check api: the X-Health-Token header needs the secret "api-token", which is not set (stored as rollbackPilot.secret.api-token); set it with "Rollback: Set Health Check Secret…" and start again' });
  });
});
