// Benchmark (issue 15): the fixture rollback on a fleet of eight real sshd hosts in batches of
// two, three ways in the same run on the same hosts (each reset to the bad release between runs):
//   - the product: planning by planFleet as the product plans (Ansible's version check, the plan,
//     every host's preflight, the playbook), host keys, locks on
//     every host, the preflights, then ansible-playbook with the journal written per event;
//   - the same generated playbook and inventory run by ansible-playbook alone, with the same
//     settings (pipelining, ControlPersist, forks, no facts) and no product around it;
//   - a shell script running the same commands host after host, one `ssh` per step.
// The first two alternate three times and are compared by their medians.
// Run: node --import tsx bench/fleet-rollback.mjs   (needs root, openssh-server, ansible-core: see TESTING.md)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeAppRepo } from '../test/fixtures/appRepo.ts';
import { fleetUnavailable, startFleet } from '../test/support/fleet.ts';
import { fleetCase, fleetDeps, newRunner, PLUGIN_ROOT } from '../test/unit/fleet/harness.ts';
import { AnsiblePlaybookRunner } from '../src/infra/ansible/ansiblePlaybook.ts';

const HOSTS = 8;
const ROUNDS = 3;
const why = fleetUnavailable();
if (why) {
  console.log(`bench fleet-rollback: cannot run: ${why}`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'rp-bench-fleet-'));
const repo = await makeAppRepo(join(tmp, 'ws'), { apiPort: 1, workerPort: 2 });
const fleet = await startFleet({ count: HOSTS, sourceRepo: repo.dir });
const bad = repo.tags['v1.4.0'];
const rollout = { batch: 2, maxFailPercent: 0, pauseMs: 0 };

/** Every host back on the bad release, built and running, nothing of a previous run left. */
function reset() {
  for (const h of fleet.hosts) {
    execFileSync('runuser', ['-u', h.user, '--', 'sh', '-c', `git reset -q --hard ${bad} && rm -rf .rollback && sh scripts/build.sh api >/dev/null && sh scripts/deploy.sh api >/dev/null`], { cwd: h.path, stdio: 'ignore' });
  }
}
async function healthyEverywhere(what) {
  for (const h of fleet.hosts) {
    const r = await fetch(`http://127.0.0.1:${h.apiPort}/health`).then((x) => x.json()).catch(() => ({}));
    if (r.version !== '1.3.0') throw new Error(`${what}: host ${h.index} did not end on 1.3.0 (${JSON.stringify(r)})`);
  }
}

try {
  // 1. The script: an engineer's loop over the hosts, one ssh (one handshake) per step.
  reset();
  const c0 = await fleetCase({ repo: repo.dir, testFleet: fleet, work: join(tmp, 'script'), rollout, runId: 'rb-bench-script' });
  const q = (t) => `'${t.replace(/'/g, `'\\''`)}'`;
  const lines = ['set -e'];
  for (const h of fleet.hosts) {
    const ssh = `ssh -p ${h.port} -i ${fleet.keyPath} -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes -F /dev/null ${h.user}@${h.address}`;
    for (const step of c0.fleet.hostSteps) {
      if (step.kind === 'health') {
        const url = step.health.url.replace('{vars.api_port}', String(h.apiPort)).replace('{vars.worker_port}', String(h.workerPort));
        lines.push(`${ssh} ${q(`i=0; until [ "$(curl -s -o /dev/null -w '%{http_code}' ${url})" = ${step.health.expect} ]; do i=$((i+1)); [ $i -lt 75 ] || exit 1; sleep 0.2; done`)}`);
        continue;
      }
      for (const c of step.commands) lines.push(`${ssh} ${q(c.cwd ? `cd ${q(h.path)} && ${c.command}` : c.command)}`);
    }
  }
  writeFileSync(join(tmp, 'fleet.sh'), `${lines.join('\n')}\n`);
  const s0 = performance.now();
  execFileSync('sh', [join(tmp, 'fleet.sh')], { stdio: 'ignore' });
  const scriptMs = performance.now() - s0;
  await healthyEverywhere('script');

  // 2 and 3, alternated ROUNDS times (medians): one Ansible run of this playbook varies by a tenth from the next
  // on the same hosts, as much as the whole budget, so a single pair of runs said more about Ansible than about the product.
  const byHand = async (round) => {
    reset();
    const c1 = await fleetCase({ repo: repo.dir, testFleet: fleet, work: join(tmp, `ansible-${round}`), rollout, runId: `rb-bench-ansible-${round}` });
    const plain = new AnsiblePlaybookRunner({ pluginRoot: PLUGIN_ROOT, workDir: join(tmp, `ansible-${round}`, 'a'), knownHostsFiles: [fleet.knownHostsPath], identityFiles: [fleet.keyPath], sshConfigFile: '/dev/null' });
    const t = performance.now();
    const r1 = await plain.run({ playbook: c1.fleet.playbook, inventory: c1.fleet.inventory, forks: 2 });
    const ms = performance.now() - t;
    if (r1.code !== 0) throw new Error(`ansible-playbook by hand failed (exit ${r1.code}): ${r1.outputTail.slice(-2000)}`);
    await healthyEverywhere('ansible-playbook');
    return { ms, c1 };
  };
  // The product, planning included.
  const product = async (round, c1) => {
    reset();
    const t = performance.now();
    const work = join(tmp, `product-${round}`);
    // Planned as the product plans (planFleet: Ansible's version check, every host's preflight), not by the test harness.
    const deps = fleetDeps(fleet, work, join(work, 'journals'));
    const c2 = await fleetCase({ repo: repo.dir, testFleet: fleet, work, rollout, runId: `rb-bench-product-${round}`, planFleetWith: deps.ansible });
    const plannedMs = performance.now() - t;
    const same = (c) => [c.fleet.playbook, c.fleet.inventory].join('\n').replaceAll(c.plan.id, 'RUN');
    if (same(c2) !== same(c1)) throw new Error('planFleet made another playbook or inventory than the one ansible-playbook ran by hand: the comparison would not be fair');
    const result = await newRunner(deps).run({ plan: c2.plan, fleet: c2.fleet, preflights: c2.preflights });
    const ms = performance.now() - t;
    await deps.dispose();
    if (!result.success) throw new Error(`the product's rollout failed: ${result.state}\n${result.journal.events.map((e) => e.message).join("\n").slice(0, 3000)}\n${JSON.stringify(result.journal.steps.find((s) => s.stepId === "preflight"))}`);
    await healthyEverywhere('product');
    return { ms, plannedMs, result, t0: t };
  };
  const hand = [];
  const ours = [];
  for (let round = 0; round < ROUNDS; round++) {
    const h = await byHand(round);
    hand.push(h.ms);
    ours.push(await product(round, h.c1));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ansibleMs = median(hand);
  const productMs = median(ours.map((o) => o.ms));
  console.error(`ansible-playbook by hand, ms: ${hand.map((x) => x.toFixed(0)).join(' ')}; the product, ms: ${ours.map((o) => o.ms.toFixed(0)).join(' ')}`);
  // The phases of the product's median run.
  const { result, plannedMs, t0 } = ours.find((o) => o.ms === productMs);

  // Where the product's time went (from its journal's own timestamps): what it adds around ansible-playbook.
  const at = (kind) => Date.parse(result.journal.events.find((e) => e.kind === kind)?.at ?? '');
  const stepEnd = (id) => Date.parse(result.journal.steps.find((s) => s.stepId === id)?.finishedAt ?? '');
  const started = Date.parse(result.journal.startedAt);
  const dbEnd = stepEnd('db-mitigate');
  const verified = at('fleet-hosts-verified');
  const phases = [
    ['planning', plannedMs],
    ['runner start', started - (performance.timeOrigin + t0) - plannedMs],
    ['keys', verified - started],
    ['locks', at('lock-acquired') - verified],
    ['preflight', stepEnd('preflight') - at('lock-acquired')],
    ['database', dbEnd - stepEnd('preflight')],
    ['ansible', at('ansible-ended') - dbEnd],
    ['after+unlock', Date.parse(result.journal.finishedAt) - at('ansible-ended')],
  ];
  console.log(`bench fleet-rollback-phases: ${phases.map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
  const perHost = (productMs - ansibleMs) / HOSTS;
  console.log(`bench fleet-rollback-vs-ansible: ${productMs.toFixed(0)} ms ratio=${(productMs / ansibleMs).toFixed(2)} vs ansible-playbook-by-hand(${ansibleMs.toFixed(0)}ms) target<=1.1`);
  console.log(`bench fleet-rollback-vs-script: ${productMs.toFixed(0)} ms ratio=${(productMs / scriptMs).toFixed(2)} vs ssh-per-step-script(${scriptMs.toFixed(0)}ms) target<=0.8`);
  console.log(`bench fleet-rollback-per-host-overhead: ${perHost.toFixed(0)} ms/host ratio=${(perHost / 1000).toFixed(2)} vs 1000ms-budget target<=1.0`);
} finally {
  await fleet.stop();
  rmSync(tmp, { recursive: true, force: true });
}
