// A fleet host whose health answer does not meet a JSON expectation: the FleetRunner over two
// real sshd hosts and the real ansible-playbook (uri, the product's filter and callback), against
// a real HTTP service answering each host with its own release. The failure must say it as a
// single host's check says it (run/steps/health.ts judge): on which host, which path, what was
// found, what was expected; the expectation's {to} filled from the plan as a single host's is.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fleetRollout } from '../../../src/core/fleet/fleetPlan';
import { hostsFromConfig } from '../../../src/core/fleet/inventory';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import { fleetUnavailable } from '../../support/fleet';
import { fleetDeps, newRunner } from './harness';
import { twoHostFleet, type TwoHostFleet } from './twoHostFleet';

const why = fleetUnavailable();

describe('a fleet health check\'s JSON expectation not met (real ansible-playbook, 2 real sshd hosts)', { skip: why, timeout: 300_000 }, () => {
  let t: TwoHostFleet;
  before(async () => {
    // /v/<version>: the service of a host on that version (what the host's {vars.version} sends it to).
    t = await twoHostFleet('fleet-health-json', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ version: decodeURIComponent((req.url ?? '').split('/').pop() ?? ''), release: 'v1.2.0', note: 'body-marker-5e2a' }));
    });
  });
  after(async () => {
    await t?.stop();
  });

  test('the second host answers 200 with $.version 1.3.0 where 1.2.0 is expected: the rollout stops naming the host, the path, what was found and what was expected', async () => {
    const health: PlanStep = {
      id: 'health-api', kind: 'health', service: 'api', title: 'Health of api', why: 'test', destructive: false, commands: [],
      health: { url: `http://127.0.0.1:${t.port}/v/{vars.version}`, expect: 200, warmupMs: 0, timeoutMs: 2000, intervalMs: 1000, where: 'x', json: [{ path: '$.release', equals: '{to}' }, { path: '$.version', equals: '1.2.0' }] },
    };
    const plan = {
      id: `rb-json-${Date.now()}`, environment: 'production', where: 'x', strategy: 'revert', targetSource: 'user', reason: 'test', affectedServices: ['api'], createdAt: new Date().toISOString(), createdBy: 'dana@laptop',
      from: { name: 'v1.3.0', sha: 'a'.repeat(40) }, to: { name: 'v1.2.0', sha: 'b'.repeat(40) }, steps: [health], commandTimeoutMs: 60_000,
    } as RollbackPlan;
    const rollout = { batch: 1, maxFailPercent: 0, pauseMs: 0 };
    const [web01, web02] = t.fleet.hosts;
    const hosts = hostsFromConfig({ hosts: [{ host: web01.destination, path: web01.path, vars: { version: '1.2.0' } }, { host: web02.destination, path: web02.path, vars: { version: '1.3.0' } }], rollout }, '/nowhere');
    const work = join(t.tmp.dir, 'json');
    const deps = fleetDeps(t.fleet, work, join(work, 'journals'));
    try {
      const result = await newRunner({ ...deps, ansible: t.runner('json-ansible') }).run({ plan, fleet: fleetRollout({ plan, hosts, rollout }), preflights: {} });
      assert.equal(result.success, false);
      // The first host's answer meets both: its {to} was filled with the plan's v1.2.0, as a single host's is.
      assert.equal(result.grid.cell('127.0.0.11', 'health-api')?.outcome, 'ok', JSON.stringify(result.grid.cell('127.0.0.11', 'health-api')));
      const cell = result.grid.cell('127.0.0.12', 'health-api');
      assert.equal(cell?.outcome, 'failed');
      assert.match(cell?.detail ?? '', /^\$\.version is "1\.3\.0", expected "1\.2\.0" \(HTTP 200 after 2 attempts\)$/);
      assert.deepEqual(result.failures, ['127.0.0.12: health api: $.version is "1.3.0", expected "1.2.0" (HTTP 200 after 2 attempts)']);
      const saved = JSON.stringify(await deps.journals.load(plan.id));
      assert.ok(saved.includes(JSON.stringify(cell?.detail)), 'the journal has the same words');
      assert.ok(!saved.includes('body-marker-5e2a'), 'the response body itself is kept nowhere in the journal');
    } finally {
      await deps.dispose();
    }
  });
});
