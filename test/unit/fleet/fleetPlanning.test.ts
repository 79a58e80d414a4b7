// planFleet (issue 15) on the fixture repository with real git and the real ansible-playbook
// (its version check), no sshd (planning reads no host): every host's preflight, built at once
// with one set of git answers, is exactly what that host's own plan built alone says, in the
// fleet's order; the hosts' plans ask git nothing the plan for the db host did not already ask.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { planFleet } from '../../../src/app/fleetPlanning';
import { parseConfig } from '../../../src/core/config';
import type { EnvironmentConfig, RollbackConfig } from '../../../src/core/config/types';
import { hostUrl } from '../../../src/core/fleet/fleetPlan';
import { hostsFromConfig } from '../../../src/core/fleet/inventory';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { PlanStep } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { fleetRollbackYml, fleetUnavailable, type TestFleet } from '../../support/fleet';
import { tempDir } from '../engine/helpers';
import { PLUGIN_ROOT } from './harness';

const why = fleetUnavailable();
let tmp: { dir: string; cleanup(): void };
let repo: AppRepo;
let fixtureYml: string;
before(async () => {
  tmp = tempDir('fleet-planning');
  repo = await makeAppRepo(join(tmp.dir, 'ws'), { apiPort: 1, workerPort: 2 });
  fixtureYml = readFileSync(join(repo.dir, 'rollback.yml'), 'utf8');
});
after(() => tmp?.cleanup());

/** Hosts as the fleet's rollback.yml lists them; planning never connects, so no sshd is started. */
function paperFleet(count: number): TestFleet {
  const hosts = Array.from({ length: count }, (_, i) => ({ index: i + 1, address: `127.0.0.${11 + i}`, port: 2200 + i, user: `deploy${i + 1}`, destination: `deploy${i + 1}@127.0.0.${11 + i}:${2200 + i}`, path: `/srv/web-${i + 1}/app`, apiPort: 4100 + i, workerPort: 4200 + i }));
  return { hosts } as unknown as TestFleet;
}

function configOf(count: number): RollbackConfig {
  const r = parseConfig(fleetRollbackYml(fixtureYml, paperFleet(count), { batch: '2' }), 'rollback.yml');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.config!;
}

/** The repository's git, counting the processes it starts. */
function countingGit(): { git: ReturnType<typeof gitQueriesVia>; runs: () => number } {
  const local = new LocalCommandRunner();
  let n = 0;
  const runner: CommandRunner = { where: local.where, run: (c, o) => (n++, local.run(c, o)), dispose: () => local.dispose() };
  return { git: gitQueriesVia(runner, repo.dir), runs: () => n };
}

const input = (config: RollbackConfig, git: ReturnType<typeof gitQueriesVia>) => ({
  config, environment: 'production', git, from: repo.tags['v1.4.0'], to: repo.tags['v1.3.0'], targetSource: 'previous-tag' as const,
  reason: 'api 500s after v1.4.0', createdBy: 'dana@laptop', workspaceRoot: repo.dir, runId: 'rb-fleet-planning', now: new Date('2026-01-02T03:04:05Z'),
});
const deps = () => ({ ansible: new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(tmp.dir, 'ansible'), knownHostsFiles: [] }), local: new LocalCommandRunner(), workspaceRoot: repo.dir });

test('8 hosts: every preflight is byte for byte the one that host\'s own plan, built alone with its own git reads, has; keys in the fleet\'s order (real git, real ansible-playbook version check)', { skip: why, timeout: 120_000 }, async () => {
  const config = configOf(8);
  const planned = await planFleet(input(config, countingGit().git), deps());
  const env = config.environments.find((e) => e.name === 'production')!;
  const hosts = hostsFromConfig(env.fleet!, env.path);
  // The reference: one host at a time, as a single-host environment (its fleet key dropped, its health URLs filled in).
  const expected: Record<string, PlanStep> = {};
  for (const h of hosts) {
    const { fleet: _fleet, ...single } = env;
    const own: RollbackConfig = {
      ...config,
      environments: config.environments.map((e): EnvironmentConfig => (e === env ? { ...single, host: h.destination, path: h.path } : e)),
      services: config.services.map((s) => (s.health ? { ...s, health: { ...s.health, url: hostUrl(s.health.url, h, `health of ${s.name}`) } } : s)),
    };
    const plan = await buildPlan({ ...input(own, countingGit().git), runId: planned.plan.id, now: new Date(planned.plan.createdAt) });
    expected[h.name] = plan.steps.find((s) => s.id === 'preflight')!;
  }
  assert.deepEqual(Object.keys(planned.preflights), hosts.map((h) => h.name));
  assert.equal(JSON.stringify(planned.preflights), JSON.stringify(expected));
  // Each host's own: its destination, its tree, its health port.
  const third = JSON.stringify(planned.preflights[hosts[2].name]);
  assert.ok(third.includes('/srv/web-3/app') && third.includes('4102') && !third.includes('/srv/web-4/app'), third.slice(0, 400));
});

test('the hosts\' plans ask git nothing more: planning 8 hosts starts as many git processes as planning 1 (real git)', { skip: why, timeout: 120_000 }, async () => {
  const one = countingGit();
  await planFleet(input(configOf(1), one.git), deps());
  const eight = countingGit();
  const planned = await planFleet(input(configOf(8), eight.git), deps());
  assert.equal(Object.keys(planned.preflights).length, 8);
  assert.ok(one.runs() > 0, 'the plan itself reads git');
  assert.equal(eight.runs(), one.runs(), `git processes: ${eight.runs()} for 8 hosts, ${one.runs()} for 1`);
});
