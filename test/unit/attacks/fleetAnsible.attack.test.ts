// Attacks on the fleet path, run for real: the product's generated playbook and inventory, the
// real ansible-playbook, real sshd hosts (test/support/fleet.ts). Every hostile value is one a
// rollback.yml, a tag, a path or a commit subject can carry into a command, a title, a working
// tree, stdin or a health URL: Ansible must run each command as the shell line the preview
// showed (its free-form k=v words like creates= or executable= are data), never template it on
// the controller, and never let a newline or a quote rewrite the YAML. A marker file that a
// payload would create must not exist anywhere, and each command's own effect must be there.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generatePlaybook } from '../../../src/core/fleet/playbook';
import { hostsFromConfig, inventoryYaml, type HostRunValues } from '../../../src/core/fleet/inventory';
import { shJoin, shQuote } from '../../../src/core/plan/shellQuote';
import type { PlanStep } from '../../../src/core/plan/types';
import { fleetUnavailable, type TestFleet } from '../../support/fleet';
import { twoHostFleet, type TwoHostFleet } from '../fleet/twoHostFleet';
import { HOSTILE_FLEET_VALUES, MARK } from './fleetValues';
import { procAfterExec, type ProcInfo } from '../../support/procInfo';

const why = fleetUnavailable();

describe('the fleet path under attack (real ansible-playbook, 2 real sshd hosts)', { skip: why, timeout: 300_000 }, () => {
  let t: TwoHostFleet;
  let tmp: TwoHostFleet['tmp'];
  let fleet: TestFleet;
  let markers: string;
  let port = 0;
  const requests: string[] = [];

  before(async () => {
    // A health endpoint every host's uri reaches: it records the raw request line and answers with what was asked for.
    t = await twoHostFleet('attack-fleet', (req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`ok ${decodeURIComponent(req.url ?? '')}`);
    });
    ({ tmp, fleet, markers, port } = t);
  });
  after(async () => {
    await t?.stop();
  });

  const runner = (name: string) => t.runner(name);
  const found = (): string[] => t.found();

  test('hostile commands, titles, stdin, a working tree and a health URL: every command runs as written on every host, nothing is templated or parsed as a module option', async () => {
    const values = HOSTILE_FLEET_VALUES(markers, join(tmp.dir, 'evil.sh'));
    // executable=<this> would make Ansible run it as the shell.
    writeFileSync(join(tmp.dir, 'evil.sh'), `#!/bin/sh\ntouch ${shQuote(join(markers, `${MARK}-executable`))}\n`, { mode: 0o755 });
    // Each host's working tree through a folder whose name is Jinja and shell.
    const hostile = join(tmp.dir, `trees-{{ lookup('pipe','touch ${markers}/${MARK}-path') }}$(touch ${markers}/${MARK}-path-sh)`);
    mkdirSync(hostile, { recursive: true, mode: 0o755 });
    const hosts = hostsFromConfig({ hosts: fleet.hosts.map((h) => ({ host: h.destination, path: join(hostile, `h${h.index}`) })), rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 } }, '/nowhere');
    for (const h of fleet.hosts) symlinkSync(h.path, join(hostile, `h${h.index}`));
    const steps: PlanStep[] = values.map((v, i) => ({
      id: `build-s${i}`, kind: 'build', title: `Build ${v}`, why: 'attack', destructive: false,
      commands: [{ command: `${shJoin(['printf', '%s\\n', v])} >> attack-out.txt`, where: 'x', cwd: '/nowhere' }],
    }));
    steps.push({ id: 'build-stdin', kind: 'build', title: 'stdin', why: 'attack', destructive: false, commands: [{ command: 'cat >> attack-out.txt', where: 'x', cwd: '/nowhere', input: `${values.join('\n')}\n` }] });
    // No blank in it: a URL cannot hold one (uri refuses it before anything is sent).
    const url = `http://127.0.0.1:${port}/health?q={{lookup('pipe','touch\${IFS}${markers}/${MARK}-url')}}`;
    steps.push({ id: 'health-api', kind: 'health', title: 'Health {{ 7*7 }}', why: 'attack', destructive: false, commands: [], health: { url, expect: 200, contains: "lookup('pipe'", warmupMs: 0, timeoutMs: 2000, intervalMs: 1000, where: 'x' } });
    const values2: Record<string, HostRunValues> = Object.fromEntries(hosts.map((h) => [h.name, { health: { 'health-api': url }, skip: [], check: [], batchHosts: [h.name] }]));
    const playbook = generatePlaybook({ runId: 'rb-attack', title: `prod {{ lookup('pipe','touch ${markers}/${MARK}-title') }}\n- hosts: all`, group: 'rollback_pilot_fleet', steps, rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 }, commandTimeoutMs: 60_000 });
    const r = await runner('hostile').run({ playbook, inventory: inventoryYaml(hosts, values2, true), forks: 2 });
    assert.equal(r.internalError, undefined, r.outputTail);
    assert.deepEqual(found(), [], `a payload ran: ${found().join(', ')}\n${r.outputTail.slice(-3000)}`);
    const failed = r.events.filter((e) => e.event === 'failed' || e.event === 'unreachable');
    assert.deepEqual(failed.map((e) => `${e.host} ${e.task}: ${e.msg ?? ''} ${e.stderr ?? ''}`), [], 'every task passed on every host');
    // The batch gate is skipped when the batch is fine; every other task must run.
    const skipped = r.events.filter((e) => !e.task?.startsWith('rp:batch-gate') && (e.event === 'skipped' || /skipped, since|Did not run command/.test(`${e.stdout ?? ''} ${e.msg ?? ''}`)));
    assert.deepEqual(skipped.map((e) => `${e.host} ${e.task}: ${e.msg ?? e.stdout ?? ''}`), [], 'no command was skipped by a creates=/removes= word in its own text');
    for (const h of fleet.hosts) {
      const out = readFileSync(join(h.path, 'attack-out.txt'), 'utf8');
      assert.equal(out, `${values.join('\n')}\n${values.join('\n')}\n`, `host ${h.index} wrote every value as data, from its argument and from stdin, in its own tree`);
    }
    assert.ok(requests.length >= fleet.hosts.length && requests.every((q) => decodeURIComponent(q).includes("{{lookup('pipe'")), `the health URL went out as written: ${requests.join(' ')}`);
    assert.match(r.outputTail, /Health \{\{ 7\*7 \}\}/, 'a title is shown as written');
    assert.ok(!existsSync(join(tmp.dir, 'workspace', `${MARK}-title`)));
  });

  test('what a task prints reaches the caller in whole lines (redacted there), and no raw copy of the events stays on disk', async () => {
    const secret = `PGPASSWORD=Fleet-${'x9'.repeat(3000)}-Secret`;
    const hosts = hostsFromConfig({ hosts: [{ host: fleet.hosts[0].destination, path: fleet.hosts[0].path }], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 } }, '/nowhere');
    // The task fails, so Ansible's own output prints its stdout: one long line a pipe delivers in several chunks.
    const playbook = generatePlaybook({ runId: 'rb-out', title: 'out', group: 'rollback_pilot_fleet', steps: [{ id: 'build-x', kind: 'build', title: 'x', why: 'x', destructive: false, commands: [{ command: `${shJoin(['printf', '%s\\n', secret])}; exit 3`, where: 'x', cwd: '/x' }] }], rollout: { batch: 1, maxFailPercent: 100, pauseMs: 0 }, commandTimeoutMs: 60_000 });
    const chunks: string[] = [];
    const r = await runner('out').run({ playbook, inventory: inventoryYaml(hosts, {}, true), forks: 1, onOutput: (c) => chunks.push(c) });
    assert.ok(r.events.some((e) => e.event === 'failed' && e.stdout?.includes('-Secret')), 'the task printed it');
    const redact = (t: string) => t.replace(/PGPASSWORD=[^\s"\\]+/g, 'PGPASSWORD=‹redacted›');
    const shown = chunks.map(redact).join('');
    assert.ok(chunks.join('').includes('-Secret'), 'Ansible printed the line');
    assert.ok(!shown.includes('x9x9'), 'a secret cut between two chunks got past a line redactor');
    assert.ok(!existsSync(join(r.dir, 'events.jsonl')), 'the raw events file was left on disk');
  });

  test('the ansible-playbook process gets none of this process\'s secrets in its environment', async () => {
    const secrets: Record<string, string> = { PGPASSWORD: 'pg-Secret-4f1c2e9b', AWS_SECRET_ACCESS_KEY: 'aws-Secret-8d7e6f5a4b3c', ROLLBACK_PILOT_WEBHOOK: 'https://hooks.slack.com/services/T0/B0/abcdefabcdef', GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', DATABASE_URL: 'postgres://app:db-Secret-77aa@db/app' };
    const saved = Object.fromEntries(Object.keys(secrets).map((k) => [k, process.env[k]]));
    Object.assign(process.env, secrets);
    let environ = '';
    let proc: Promise<ProcInfo> | undefined;
    try {
      const hosts = hostsFromConfig({ hosts: [{ host: fleet.hosts[0].destination, path: fleet.hosts[0].path }], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 } }, '/nowhere');
      const playbook = generatePlaybook({ runId: 'rb-env', title: 'env', group: 'rollback_pilot_fleet', steps: [{ id: 'build-x', kind: 'build', title: 'x', why: 'x', destructive: false, commands: [{ command: 'true', where: 'x', cwd: '/x' }] }], rollout: { batch: 1, maxFailPercent: 0, pauseMs: 0 }, commandTimeoutMs: 60_000 });
      const r = await runner('env').run({
        playbook, inventory: inventoryYaml(hosts, {}, true), forks: 1,
        onStarted: (pid) => {
          proc = procAfterExec(pid, 'ansible-playbook');
        },
      });
      environ = ((await proc) ?? { environ: '(never started)' }).environ;
      assert.equal(r.code, 0, r.outputTail);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    assert.match(environ, /(^|\0)PATH=/, 'the environment was read');
    for (const [k, v] of Object.entries(secrets)) {
      assert.ok(!environ.includes(v), `${k}'s value reached ansible-playbook's environment`);
    }
  });
});
