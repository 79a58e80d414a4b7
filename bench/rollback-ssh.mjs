// Benchmark: the fixture rollback over SSH (revert of a range + build/deploy of two
// services + health) driven by the engine, against a plain shell script doing the same
// commands with one `ssh` call per step, in the same run on the same sshd.
// Run: node --import tsx bench/rollback-ssh.mjs   (needs root and openssh-server, see TESTING.md)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitQueriesVia } from '../src/core/plan/git.ts';
import { buildPlan } from '../src/core/plan/planner.ts';
import { RollbackRunner } from '../src/core/run/runner.ts';
import { NodeHttp } from '../src/infra/http.ts';
import { FileJournalStore } from '../src/infra/files/fileJournalStore.ts';
import { LocalCommandRunner } from '../src/infra/shell/localCommandRunner.ts';
import { SshCommandRunner } from '../src/infra/ssh/sshCommandRunner.ts';
import { appRepoConfig, makeAppRepo, stopApp } from '../test/fixtures/appRepo.ts';
import { cloneForTestUser, deployAsTestUser } from '../test/support/remoteApp.ts';
import { sshdUnavailable, startSshd } from '../test/support/sshd.ts';

const why = sshdUnavailable();
if (why) {
  console.log(`bench rollback-ssh: cannot run: ${why}`);
  process.exit(1);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

const sshd = await startSshd();
const tmp = mkdtempSync(join(tmpdir(), 'rp-bench-'));
const remotes = [];
try {
  async function target(name) {
    const apiPort = await freePort();
    const workerPort = await freePort();
    const local = await makeAppRepo(join(tmp, `${name}-ws`), { apiPort, workerPort });
    const remote = cloneForTestUser(local.dir, tmp, `${name}-srv`);
    remotes.push(remote);
    deployAsTestUser(remote);
    const config = appRepoConfig({ apiPort, workerPort, host: `${sshd.user}@127.0.0.1:${sshd.port}`, path: remote, healthTimeoutMs: 15_000 });
    return { local, remote, config, apiPort, workerPort };
  }

  // The script: what an engineer would write, one ssh per step (a handshake each time).
  const s = await target('script');
  const planForScript = await buildPlan({ config: s.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), s.local.dir), to: 'v1.2.0', targetSource: 'previous-tag', reason: 'bench', createdBy: 'bench' });
  const sshBase = `ssh -p ${sshd.port} -i ${sshd.keyPath} -o BatchMode=yes -o UserKnownHostsFile=${sshd.knownHostsPath} -o StrictHostKeyChecking=yes ${sshd.user}@127.0.0.1`;
  const q = (t) => `'${t.replace(/'/g, `'\\''`)}'`;
  const lines = ['set -e'];
  for (const step of planForScript.steps) {
    if (step.kind === 'notify' || step.kind === 'wait') continue;
    if (step.kind === 'health') {
      const loop = `i=0; until [ "$(curl -s -o /dev/null -w '%{http_code}' ${step.health.url})" = ${step.health.expect} ]; do i=$((i+1)); [ $i -lt 75 ] || exit 1; sleep 0.2; done`;
      lines.push(`${sshBase} ${q(loop)}`);
      continue;
    }
    for (const c of step.commands) lines.push(`${sshBase} ${q(c.cwd ? `cd ${q(c.cwd)} && ${c.command}` : c.command)}`);
  }
  writeFileSync(join(tmp, 'rollback.sh'), `${lines.join('\n')}\n`);
  let t0 = performance.now();
  execFileSync('sh', [join(tmp, 'rollback.sh')], { stdio: 'ignore' });
  const scriptMs = performance.now() - t0;

  // The engine: plan (refs resolved locally) + run with lock, journal, events.
  const e = await target('engine');
  let inCommandsMs = 0;
  let sleepingMs = 0;
  const measured = (inner) => ({
    where: inner.where,
    async run(cmd, opts) {
      const a = performance.now();
      try {
        return await inner.run(cmd, opts);
      } finally {
        inCommandsMs += performance.now() - a;
      }
    },
    dispose: () => inner.dispose(),
  });
  const clock = {
    now: () => Date.now(),
    sleep: (ms) => {
      sleepingMs += ms;
      return new Promise((r) => setTimeout(r, ms));
    },
  };
  const http = new NodeHttp();
  const timedHttp = { get: async (u, t) => { const a = performance.now(); try { return await http.get(u, t); } finally { inCommandsMs += performance.now() - a; } }, postJson: (u, b, t) => http.postJson(u, b, t) };
  t0 = performance.now();
  const plan = await buildPlan({ config: e.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), e.local.dir), to: 'v1.2.0', targetSource: 'previous-tag', reason: 'bench', createdBy: 'bench' });
  const planned = performance.now();
  const inPlanningMs = inCommandsMs; // local git queries are the planner's commands
  const runner = new RollbackRunner({
    runnerFor: (where) =>
      measured(
        where === 'local'
          ? new LocalCommandRunner()
          : new SshCommandRunner({ destination: where, hostKeyPrompt: { confirmUnknownHost: async () => 'reject' }, knownHostsFiles: [sshd.knownHostsPath], identityFiles: [sshd.keyPath], sshConfigFile: join(tmp, 'none'), agent: false }),
      ),
    journals: new FileJournalStore(join(tmp, 'journals')),
    prompter: { chooseOnFailure: async () => ({ action: 'stop' }), confirmStep: async () => 'run', typeEnvironmentName: async () => undefined },
    http: timedHttp,
    clock,
    operator: 'bench@local',
  });
  const result = await runner.run(plan);
  const engineMs = performance.now() - t0;
  if (!result.success) throw new Error(`engine run failed: ${result.state}`);
  const health = JSON.parse(readFileSync(join(e.remote, 'run/api.log'), 'utf8').split('\n')[0].includes('1.2.0') ? '{"ok":true}' : '{"ok":false}');
  if (!health.ok) throw new Error('engine run did not end on 1.2.0');
  const runMs = engineMs - (planned - t0);
  const steps = plan.steps.length;
  const overheadPerStep = Math.max(0, runMs - (inCommandsMs - inPlanningMs) - sleepingMs) / steps;
  console.log(`bench rollback-ssh-wall: ${engineMs.toFixed(0)} ms ratio=${(engineMs / scriptMs).toFixed(2)} vs ssh-per-step-script target<=1.0`);
  console.log(`bench rollback-engine-overhead: ${overheadPerStep.toFixed(1)} ms/step ratio=${(overheadPerStep / 150).toFixed(2)} vs 150ms-budget target<=1.0`);
  // The preflight (issue 11): what it adds to the same rollback, measured two ways in this run —
  // its own step time in the journal, and the wall time against the same plan without it.
  const pre = result.journal.steps.find((s) => s.stepId === 'preflight');
  const preMs = pre?.startedAt && pre.finishedAt ? Date.parse(pre.finishedAt) - Date.parse(pre.startedAt) : NaN;
  const n = await target('nopreflight');
  const planN = await buildPlan({ config: n.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), n.local.dir), to: 'v1.2.0', targetSource: 'previous-tag', reason: 'bench', createdBy: 'bench' });
  const withoutPreflight = { ...planN, steps: planN.steps.filter((st) => st.id !== 'preflight') };
  const runnerN = new RollbackRunner({
    runnerFor: (where) =>
      where === 'local'
        ? new LocalCommandRunner()
        : new SshCommandRunner({ destination: where, hostKeyPrompt: { confirmUnknownHost: async () => 'reject' }, knownHostsFiles: [sshd.knownHostsPath], identityFiles: [sshd.keyPath], sshConfigFile: join(tmp, 'none'), agent: false }),
    journals: new FileJournalStore(join(tmp, 'journals-n')),
    prompter: { chooseOnFailure: async () => ({ action: 'stop' }), confirmStep: async () => 'run', typeEnvironmentName: async () => undefined },
    http,
    operator: 'bench@local',
  });
  const tN = performance.now();
  const resultN = await runnerN.run(withoutPreflight);
  const withoutMs = performance.now() - tN;
  if (!resultN.success) throw new Error(`engine run without preflight failed: ${resultN.state}`);
  console.log(`bench preflight-ssh: ${preMs.toFixed(0)} ms added ratio=${(runMs / withoutMs).toFixed(2)} vs fixture-rollback-without-preflight target<=300ms`);
  console.log(`  (preflight step ${preMs} ms; run with it ${runMs.toFixed(0)} ms, same plan without it ${withoutMs.toFixed(0)} ms)`);
  console.log(`  (script ${scriptMs.toFixed(0)} ms; engine plan ${(planned - t0).toFixed(0)} ms + run ${runMs.toFixed(0)} ms over ${steps} steps, ${(inCommandsMs - inPlanningMs).toFixed(0)} ms inside commands and probes, ${sleepingMs} ms between probes)`);
} finally {
  for (const r of remotes) stopApp(r);
  await sshd.stop();
  rmSync(tmp, { recursive: true, force: true });
}
