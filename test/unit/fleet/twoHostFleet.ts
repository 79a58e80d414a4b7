// What the two-host fleet tests share (the attack tests on the generated playbook and the health
// checks' headers and JSON): two real sshd hosts with the fixture app cloned but not deployed,
// a markers folder where a payload's `touch` would land (writable by the hosts' users too), a
// real HTTP service on 127.0.0.1 that every host's uri reaches, and the real ansible-playbook
// with the fleet's key and known_hosts.
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { join } from 'node:path';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { makeAppRepo } from '../../fixtures/appRepo';
import { startFleet, type TestFleet } from '../../support/fleet';
import { tempDir } from '../engine/helpers';
import { MARK } from '../attacks/fleetValues';
import { PLUGIN_ROOT } from './harness';

export interface TwoHostFleet {
  tmp: { dir: string; cleanup(): void };
  fleet: TestFleet;
  /** Where a payload's marker file would be created. */
  markers: string;
  /** The HTTP service's port on 127.0.0.1. */
  port: number;
  /** The marker files a payload created (none, if nothing ran). */
  found(): string[];
  /** The real ansible-playbook, its run folders under `name`. */
  runner(name: string): AnsiblePlaybookRunner;
  stop(): Promise<void>;
}

export async function twoHostFleet(name: string, answer: RequestListener): Promise<TwoHostFleet> {
  const tmp = tempDir(name);
  chmodSync(tmp.dir, 0o755);
  const repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
  const fleet = await startFleet({ count: 2, sourceRepo: repo.dir, deploy: false });
  const markers = join(tmp.dir, 'markers');
  mkdirSync(markers, { mode: 0o1777 });
  chmodSync(markers, 0o1777);
  const server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    tmp,
    fleet,
    markers,
    port: (server.address() as { port: number }).port,
    found: () => readdirSync(markers).filter((f) => f.startsWith(MARK)),
    runner: (dir) => new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(tmp.dir, dir), knownHostsFiles: [fleet.knownHostsPath], identityFiles: [fleet.keyPath], sshConfigFile: join(tmp.dir, 'no-ssh-config'),
      // The whole unit suite runs beside these hosts on two cores: the product's 10 s default for an
      // ssh connect was missed there once (a host UNREACHABLE, the run's exit 4), which is load, not the test.
      connectTimeoutS: 60 }),
    stop: async () => {
      await new Promise((r) => server.close(r));
      await fleet.stop();
      tmp.cleanup();
    },
  };
}
