// Fleet rollbacks end to end (issue 15): four real sshd hosts on 127.0.0.11-14, each with its
// own user, working tree and services; the real planner; the product's FleetRunner taking the
// host keys, locks, preflights and the database step; Debian's real ansible-playbook running
// the host steps in batches through the product's callback plugin.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { makeAppRepo } from '../../fixtures/appRepo';
import { fleetUnavailable, startFleet, type TestFleet } from '../../support/fleet';
import { healthOf, tempDir } from '../engine/helpers';
import { dbRuns, eventsOn, fleetCase, fleetDeps, newRunner } from './harness';
import { FLEET_HOST_STEP } from '../../../src/core/fleet/fleetJournal';
import type { AppRepo } from '../../fixtures/appRepo';

const why = fleetUnavailable();

describe('fleet rollback through Ansible (4 real sshd hosts, real ansible-playbook)', { skip: why, timeout: 600_000 }, () => {
  let tmp: { dir: string; cleanup(): void };
  let repo: AppRepo;
  let fleet: TestFleet | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async () => {
    tmp = tempDir('fleet');
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
    await fleet?.stop();
    fleet = undefined;
  });
  after(() => tmp.cleanup());

  async function setup(name: string, overrides: Partial<Parameters<typeof fleetCase>[0]> = {}) {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    const work = join(tmp.dir, name);
    const c = await fleetCase({ repo: repo.dir, testFleet: fleet, work, rollout: { batch: [1, '50%', '100%'], maxFailPercent: 0, pauseMs: 0 }, ...overrides });
    const deps = fleetDeps(fleet, work, c.journalsDir);
    cleanups.push(() => deps.dispose());
    for (const h of fleet.hosts) assert.equal((await healthOf(`http://127.0.0.1:${h.apiPort}/health`)).status, 500, `host ${h.index} runs the bad release`);
    return { ...c, deps, work };
  }

  const version = async (port: number) => {
    const r = await healthOf(`http://127.0.0.1:${port}/health`);
    return `${r.status} ${r.status ? (JSON.parse(r.body) as { version: string }).version : ''}`;
  };

  test('the whole fleet in batches [1, "50%", "100%"]: every host on v1.3.0 with health 200, the grid complete, the database step once', async () => {
    const s = await setup('whole');
    assert.deepEqual(s.fleet.batches, [['127.0.0.11'], ['127.0.0.12', '127.0.0.13'], ['127.0.0.14']]);
    const result = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(result.success, true, `${result.state}\n${result.journal.events.map((e) => e.message).join('\n')}`);
    for (const h of s.fleet.hosts) {
      const t = s.fleet.hosts.indexOf(h);
      assert.equal(await version(fleet!.hosts[t].apiPort), '200 1.3.0', `${h.name} serves v1.3.0`);
      assert.deepEqual(eventsOn(fleet!.hosts[t].path).slice(4), ['build api', 'deploy api'], `${h.name}: only api rebuilt and redeployed, once`);
      for (const step of s.fleet.hostSteps) assert.equal(result.grid.cell(h.name, step.id)?.outcome, 'ok', `${h.name} ${step.id}`);
    }
    assert.deepEqual([...result.grid.rows.values()].map((r) => r.batch), [1, 2, 2, 3]);
    assert.deepEqual(fleet!.hosts.map((h) => dbRuns(h.path)), [1, 0, 0, 0], 'the database step ran once, on the db host');
    const saved = (await s.deps.journals.load(s.plan.id))!;
    assert.equal(saved.status, 'succeeded');
    for (const step of s.fleet.hostSteps) assert.equal(saved.steps.find((x) => x.stepId === step.id)?.outcome, 'ok');
    // The grid is in the journal, a change per event: every host × step ended ok there too.
    const oks = saved.events.filter((e) => e.kind === FLEET_HOST_STEP && (e.data as { cell: { outcome: string } }).cell.outcome === 'ok');
    assert.equal(oks.length, s.fleet.hosts.length * s.fleet.hostSteps.length);
    // The locks were taken on every host and released at the end.
    for (const h of fleet!.hosts) assert.throws(() => execFileSync('test', ['-e', join(h.path, '.rollback/locks/rollback.lock')]));
  });

  test('a changed host key on one host: nothing runs anywhere', async () => {
    const s = await setup('hostkey');
    await fleet!.hosts[3].changeHostKey();
    const result = await newRunner(s.deps).run({ plan: s.plan, fleet: s.fleet, preflights: s.preflights });
    assert.equal(result.success, false);
    const refused = result.journal.events.find((e) => e.kind === 'fleet-hosts-refused');
    assert.ok(refused, result.journal.events.map((e) => e.message).join('\n'));
    assert.match(refused.message, /^Nothing ran anywhere: 1 of 4 hosts could not be verified or reached: 127\.0\.0\.14 \(rbfleet4@127\.0\.0\.14:\d+\): /);
    assert.match(refused.message, /host key/i);
    for (const h of fleet!.hosts) {
      assert.deepEqual(eventsOn(h.path).slice(4), [], `host ${h.index} untouched`);
      assert.equal(await version(h.apiPort), '500 1.4.0');
      assert.equal(dbRuns(h.path), 0);
    }
    assert.ok(!result.journal.events.some((e) => e.kind === 'lock-acquired' || e.kind === 'ansible-started'));
  });
});
