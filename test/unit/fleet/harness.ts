// What the fleet tests share: the fixture shop on a fleet of real sshd hosts, the plan built by
// the real planner for the first host, the fleet rollout made from it, each host's own
// preflight (the planner's, for that host), and the runner's ports: ssh2 to each host against
// the fleet's known_hosts (an unknown key refused), the real ansible-playbook.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import type { RolloutConfig } from '../../../src/core/fleet/types';
import type { AnsiblePort } from '../../../src/core/fleet/ports';
import { planFleet } from '../../../src/app/fleetPlanning';
import { immutablePlanGit } from '../../../src/app/planGit';
import { fleetRollout, hostUrl, type FleetRollout } from '../../../src/core/fleet/fleetPlan';
import { hostsFromConfig } from '../../../src/core/fleet/inventory';
import { FleetRunner, type FleetRunnerDeps } from '../../../src/core/fleet/fleetRunner';
import { AnsiblePlaybookRunner } from '../../../src/infra/ansible/ansiblePlaybook';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { appRepoConfig } from '../../fixtures/appRepo';
import type { TestFleet } from '../../support/fleet';
import { ScriptedPrompter } from '../engine/helpers';

// Under the bench's ESM loader __dirname is not this folder; the bench runs from the repository root.
export const PLUGIN_ROOT = existsSync(join(__dirname, '../../../media/ansible')) ? join(__dirname, '../../../media/ansible') : join(process.cwd(), 'media/ansible');

/** The database step of these tests: appends to a file in the db host's .rollback/, so the test can count how often it ran and where. */
export const DB_LOG = '.rollback/db-steps.log';

export interface FleetCase {
  plan: RollbackPlan;
  fleet: FleetRollout;
  preflights: Record<string, PlanStep>;
  journalsDir: string;
}

/**
 * The fixture's rollout on the test fleet. With `planFleetWith`, planned the way the product plans
 * (planFleet with the product's git port, Ansible's version check included) instead of by building
 * each host's plan here; what it plans is the same (test/unit/fleet/fleetPlanning.test.ts).
 */
export async function fleetCase(opts: { repo: string; testFleet: TestFleet; work: string; rollout: RolloutConfig; healthTimeoutMs?: number; runId?: string; varsFor?: (i: number) => Record<string, string>; alterPlan?: (plan: RollbackPlan) => void; planFleetWith?: AnsiblePort }): Promise<FleetCase> {
  const { testFleet } = opts;
  const first = testFleet.hosts[0];
  const cfg = (host: string, path: string) => {
    const c = appRepoConfig({ apiPort: 1, workerPort: 2, host, path, healthTimeoutMs: opts.healthTimeoutMs ?? 8000 });
    // Every host serves on its own ports (test/support/fleet.ts): the URLs read them from the host's vars.
    c.services[0].health!.url = 'http://127.0.0.1:{vars.api_port}/health';
    c.services[1].health!.url = 'http://127.0.0.1:{vars.worker_port}/health';
    return c;
  };
  const git = gitQueriesVia(new LocalCommandRunner(), opts.repo);
  const runId = opts.runId ?? `rb-fleet-${Date.now()}`;
  const planFor = (host: string, path: string, databaseSteps?: PlanStep[]) =>
    buildPlan({ config: cfg(host, path), environment: 'local', git, to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s after v1.4.0', createdBy: 'dana@laptop', runId, databaseSteps });
  const dbStep: PlanStep = {
    id: 'db-mitigate', kind: 'database', title: 'Mitigate 000005 (once, on the db host)', why: 'fleet test: the database is shared, so this runs once',
    commands: [{ command: `mkdir -p .rollback && echo "$(date +%s%N) $(hostname)" >> ${DB_LOG}`, where: first.destination, cwd: first.path }],
    destructive: false,
  };
  const hostsConfig = testFleet.hosts.map((h) => ({ host: h.destination, path: h.path, vars: opts.varsFor?.(h.index) ?? { api_port: String(h.apiPort), worker_port: String(h.workerPort) } }));
  if (opts.planFleetWith) {
    if (opts.alterPlan) throw new Error('fleetCase: alterPlan needs the plan built here, not by planFleet');
    const base = cfg(first.destination, first.path);
    const config = { ...base, environments: base.environments.map((e) => ({ ...e, fleet: { hosts: hostsConfig, rollout: opts.rollout } })) };
    const local = new LocalCommandRunner();
    const planned = await planFleet(
      { config, environment: 'local', git: immutablePlanGit(local, opts.repo), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s after v1.4.0', createdBy: 'dana@laptop', runId, databaseSteps: [dbStep] },
      { ansible: opts.planFleetWith, local, workspaceRoot: opts.repo },
    );
    return { plan: planned.plan, fleet: planned.fleet, preflights: planned.preflights, journalsDir: join(opts.work, 'journals') };
  }
  const plan = await planFor(first.destination, first.path, [dbStep]);
  opts.alterPlan?.(plan);
  const hosts = hostsFromConfig({ hosts: hostsConfig, rollout: opts.rollout }, first.path);
  const preflights: Record<string, PlanStep> = {};
  for (const [i, h] of testFleet.hosts.entries()) {
    // Each host's preflight probes that host's own services: its health URLs with its vars filled in.
    const own = cfg(h.destination, h.path);
    for (const svc of own.services) if (svc.health) svc.health.url = hostUrl(svc.health.url, hosts[i], `preflight of ${svc.name}`);
    preflights[hosts[i].name] = (await buildPlan({ config: own, environment: 'local', git, to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s after v1.4.0', createdBy: 'dana@laptop', runId })).steps.find((s) => s.id === 'preflight')!;
  }
  return { plan, fleet: fleetRollout({ plan, hosts, rollout: opts.rollout }), preflights, journalsDir: join(opts.work, 'journals') };
}

export function fleetDeps(testFleet: TestFleet, work: string, journalsDir: string, prompter = new ScriptedPrompter()): FleetRunnerDeps & { dispose(): Promise<void> } {
  const runners = new Map<string, SshCommandRunner>();
  return {
    runnerFor: (destination: string): CommandRunner => {
      let r = runners.get(destination);
      if (!r) {
        r = new SshCommandRunner({
          destination,
          hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
          knownHostsFiles: [testFleet.knownHostsPath],
          identityFiles: [testFleet.keyPath],
          sshConfigFile: join(work, 'no-ssh-config'),
          agent: false,
        });
        runners.set(destination, r);
      }
      return r;
    },
    ansible: new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(work, 'ansible'), knownHostsFiles: [testFleet.knownHostsPath], identityFiles: [testFleet.keyPath], sshConfigFile: join(work, 'no-ssh-config') }),
    journals: new FileJournalStore(journalsDir),
    prompter,
    operator: 'dana@laptop',
    isProcessGroupAlive: (pg) => {
      try {
        process.kill(-pg, 0);
        return true;
      } catch {
        return false;
      }
    },
    dispose: async () => {
      for (const r of runners.values()) await r.dispose();
    },
  };
}

export function newRunner(deps: FleetRunnerDeps): FleetRunner {
  return new FleetRunner(deps);
}

/** The service log a host's build and deploy scripts append to (test/fixtures/appRepo.ts). */
export function eventsOn(path: string): string[] {
  const f = join(path, 'run/events.log');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
}

export function dbRuns(path: string): number {
  const f = join(path, DB_LOG);
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').length : 0;
}
