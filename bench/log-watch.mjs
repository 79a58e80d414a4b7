// Benchmark: what log watching adds to the fixture rollback over SSH (revert of a range,
// build/deploy of the affected service, health), in the same run on the same sshd: the same
// plan with both services' logs watched (tail -n +1 -F of their log files, streamed over the
// run's own connection while the steps run) against the plan without it. The watch window is
// 0s, so what is measured is the watching itself, not the wait a watch window asks for.
// Runs alternate off/on; the medians are compared.
// Run: node --import tsx bench/log-watch.mjs   (needs root and openssh-server, see TESTING.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toLogsConfig } from '../src/core/logs/config.ts';
import { gitQueriesVia } from '../src/core/plan/git.ts';
import { buildPlan } from '../src/core/plan/planner.ts';
import { RollbackRunner } from '../src/core/run/runner.ts';
import { NodeHttp } from '../src/infra/http.ts';
import { FileJournalStore } from '../src/infra/files/fileJournalStore.ts';
import { LocalCommandRunner } from '../src/infra/shell/localCommandRunner.ts';
import { appRepoConfig, makeAppRepo, stopApp } from '../test/fixtures/appRepo.ts';
import { cloneForTestUser, deployAsTestUser } from '../test/support/remoteApp.ts';
import { sshdUnavailable, startSshd, testSshRunner } from '../test/support/sshd.ts';

const why = sshdUnavailable();
if (why) {
  console.log(`bench log-watch: cannot run: ${why}`);
  process.exit(1);
}

const ROUNDS = 5;
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sshd = await startSshd();
const tmp = mkdtempSync(join(tmpdir(), 'rp-bench-logs-'));
const remotes = [];
try {
  let n = 0;
  async function rollback(watch) {
    const name = `t${n++}`;
    const apiPort = await freePort();
    const workerPort = await freePort();
    const local = await makeAppRepo(join(tmp, `${name}-ws`), { apiPort, workerPort });
    const remote = cloneForTestUser(local.dir, tmp, `${name}-srv`);
    remotes.push(remote);
    deployAsTestUser(remote);
    const config = appRepoConfig({ apiPort, workerPort, host: `${sshd.user}@127.0.0.1:${sshd.port}`, path: remote, healthTimeoutMs: 15_000 });
    if (watch) for (const s of config.services) s.logs = toLogsConfig({ command: `tail -n +1 -F run/${s.name}.log`, watch: '0s' }, undefined);
    const t0 = performance.now();
    const plan = await buildPlan({ config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), local.dir), to: 'v1.2.0', targetSource: 'previous-tag', reason: 'bench', createdBy: 'bench' });
    const runner = new RollbackRunner({
      runnerFor: (where) => (where === 'local' ? new LocalCommandRunner() : testSshRunner(sshd, tmp)),
      journals: new FileJournalStore(join(tmp, `journals-${name}`)),
      prompter: { chooseOnFailure: async () => ({ action: 'stop' }), confirmStep: async () => 'run', typeEnvironmentName: async () => undefined },
      http: new NodeHttp(),
      operator: 'bench@local',
    });
    const result = await runner.run(plan);
    const ms = performance.now() - t0;
    if (!result.success) throw new Error(`the rollback ${watch ? 'with' : 'without'} log watching failed: ${result.state}`);
    const checks = result.journal.steps.filter((s) => s.logWatch?.check).map((s) => s.logWatch.check);
    if (watch && (checks.length === 0 || checks.some((c) => c.status !== 'passed'))) throw new Error(`log checks did not pass: ${checks.map((c) => c.detail).join('; ')}`);
    return { ms, lines: checks.reduce((a, c) => a + c.baseline.lines + c.during.lines + c.after.lines, 0), steps: plan.steps.length };
  }

  await rollback(false); // warm-up: the first rollback pays for cold caches
  const off = [];
  const on = [];
  let lines = 0;
  let steps = { off: 0, on: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    const a = await rollback(false);
    const b = await rollback(true);
    off.push(a.ms);
    on.push(b.ms);
    lines += b.lines;
    steps = { off: a.steps, on: b.steps };
  }
  const ratio = median(on) / median(off);
  console.log(`bench log-watch: ${median(on).toFixed(0)} ms ratio=${ratio.toFixed(2)} vs fixture-rollback-without-log-watching target<=1.1`);
  console.log(`  (with: ${on.map((x) => x.toFixed(0)).join(', ')} ms over ${steps.on} steps, ${lines} log lines read in all; without: ${off.map((x) => x.toFixed(0)).join(', ')} ms over ${steps.off} steps; medians of ${ROUNDS} alternating runs, watch window 0s)`);
} finally {
  for (const r of remotes) stopApp(r);
  await sshd.stop();
  rmSync(tmp, { recursive: true, force: true });
}
