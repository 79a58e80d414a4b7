// The control process of the fleet crash test: runs one fleet rollout with the real FleetRunner
// and ansible-playbook, until the test kills it (SIGKILL) mid-batch. RP_FLEET_CASE names a JSON
// file with what it needs: the fixture repository, the fleet's hosts, keys and known_hosts, the
// work folder and the run id (so the test finds the journal).
import { readFileSync } from 'node:fs';
import type { TestFleet } from '../../support/fleet';
import { fleetCase, fleetDeps, newRunner } from './harness';

interface ChildCase {
  repo: string;
  work: string;
  runId: string;
  fleet: Pick<TestFleet, 'knownHostsPath' | 'keyPath' | 'dir'> & { hosts: TestFleet['hosts'] };
}

async function main(): Promise<void> {
  const c = JSON.parse(readFileSync(process.env.RP_FLEET_CASE!, 'utf8')) as ChildCase;
  const testFleet = c.fleet as unknown as TestFleet;
  const made = await fleetCase({ repo: c.repo, testFleet, work: c.work, runId: c.runId, rollout: { batch: [1, '50%', '100%'], maxFailPercent: 0, pauseMs: 0 } });
  const deps = fleetDeps(testFleet, c.work, made.journalsDir);
  const r = await newRunner(deps).run({ plan: made.plan, fleet: made.fleet, preflights: made.preflights });
  await deps.dispose();
  console.log(`DONE ${r.journal.status}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
