import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { PlanStep } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackEvents } from '../../../src/core/run/events';
import type { LeftoverProcess } from '../../../src/core/run/journalTypes';
import type { JournalStore } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { processStartTicks } from '../../../src/infra/shell/localProcesses';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { appRepoConfig, makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { cloneForTestUser, deployAsTestUser } from '../../support/remoteApp';
import { sshdUnavailable, startSshd, startTcpProxy, type CuttableProxy, type TestSshd } from '../../support/sshd';
import { freePort, git, healthOf, ScriptedPrompter, tempDir } from './helpers';

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('rollback over SSH (real sshd, real git on the target, real services)', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const cleanups: Array<() => void | Promise<void>> = [];

  before(async () => {
    sshd = await startSshd();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  after(async () => {
    await sshd?.stop();
  });

  async function setup(portOverride?: number) {
    const tmp = tempDir('ssh-rb');
    const apiPort = await freePort();
    const workerPort = await freePort();
    const local = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort, workerPort });
    const remote = cloneForTestUser(local.dir, tmp.dir);
    cleanups.push(() => {
      stopApp(remote);
      tmp.cleanup();
    });
    deployAsTestUser(remote);
    assert.equal((await healthOf(`http://127.0.0.1:${apiPort}/health`)).status, 500);
    const host = `${sshd.user}@127.0.0.1:${portOverride ?? sshd.port}`;
    const config = appRepoConfig({ apiPort, workerPort, host, path: remote, healthTimeoutMs: 8000 });
    // Through the proxy the host is [127.0.0.1]:<proxy port>: known_hosts must say so, as it would for a real jump.
    const knownHosts = join(tmp.dir, 'known_hosts');
    writeFileSync(knownHosts, readFileSync(sshd.knownHostsPath, 'utf8').replaceAll(`]:${sshd.port} `, `]:${portOverride ?? sshd.port} `));
    const made: SshCommandRunner[] = [];
    const runnerFor = (where: string): CommandRunner => {
      if (where === 'local') return new LocalCommandRunner();
      const r = new SshCommandRunner({
        destination: where,
        hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
        knownHostsFiles: [knownHosts],
        identityFiles: [sshd.keyPath],
        sshConfigFile: join(tmp.dir, 'no-ssh-config'),
        agent: false,
      });
      made.push(r);
      return r;
    };
    const journals = new FileJournalStore(join(tmp.dir, 'journals'));
    return { tmp, apiPort, workerPort, local, remote, config, runnerFor, made, journals };
  }

  test('revert of the last deploy over SSH: one connection, only api rebuilt, /health reports the old version', async () => {
    const s = await setup();
    const plan = await buildPlan({ config: s.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), s.local.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s', createdBy: 'dana@laptop' });
    assert.equal(plan.where, `${sshd.user}@127.0.0.1:${sshd.port}`);
    const result = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).run(plan);
    assert.equal(result.success, true, result.state);
    const health = await healthOf(`http://127.0.0.1:${s.apiPort}/health`);
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { version: '1.3.0' }]);
    assert.deepEqual(s.made.map((r) => r.connections), [1], 'every step reused one connection');
    const events = readFileSync(join(s.remote, 'run/events.log'), 'utf8').trim().split('\n');
    assert.deepEqual(events.slice(4), ['build api', 'deploy api']);
    // The revert commit is by the operator (createdBy stands in for a git identity here), not by the host's own config.
    assert.match(git(s.remote, 'log', '-1', '--format=%an <%ae> %s'), /^dana <dana@laptop> Revert "Merge branch/);
  });

  /**
   * A build that outlives a cut connection on the host. Its first run writes "start" and
   * waits (at most ~30 s) for .rp-gate before writing "end"; any later run writes "rerun".
   * The files sit in the host's checkout, so the test reads them directly.
   */
  const LEFTOVER_BUILD = 'echo building; if [ -e .rp-first ]; then echo rerun >> .rp-order; else touch .rp-first; echo start >> .rp-order; ' +
    'i=0; until [ -e .rp-gate ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done; echo end >> .rp-order; fi; sh scripts/build.sh api';
  const orderOn = (remote: string): string[] => (existsSync(join(remote, '.rp-order')) ? readFileSync(join(remote, '.rp-order'), 'utf8').trim().split('\n') : []);
  const groupAlive = (pg: number): boolean => {
    try {
      process.kill(-pg, 0);
      return true;
    } catch {
      return false;
    }
  };

  /** Runs the plan with this api build, cuts the connection as the build starts; returns what the cut left. */
  async function cutMidBuild(build: string) {
    const proxy: CuttableProxy = await startTcpProxy(sshd.port);
    cleanups.push(() => proxy.close());
    const s = await setup(proxy.port);
    s.config.services[0].build = build;
    const plan = await buildPlan({ config: s.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), s.local.dir), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api 500s', createdBy: 'dana@laptop' });
    const events = new RollbackEvents();
    events.on((e) => {
      if (e.type === 'step-output' && e.stepId === 'build-api' && e.chunk.includes('building')) proxy.cutAll();
    });
    const first = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), events, operator: 'dana@laptop' }).run(plan);
    assert.equal(first.success, false);
    const saved = (await s.journals.load(plan.id))!;
    return { s, proxy, plan, first, saved };
  }

  /** cutMidBuild with LEFTOVER_BUILD: the journal names the remote command, which still runs on the host. */
  async function leftoverAfterCut() {
    const cut = await cutMidBuild(LEFTOVER_BUILD);
    const build = cut.saved.steps.find((x) => x.stepId === 'build-api')!;
    assert.equal(build.outcome, 'unknown');
    assert.ok(build.process, 'the journal keeps the remote command it lost sight of');
    assert.equal(build.process.where, cut.plan.where);
    assert.equal(build.process.command, LEFTOVER_BUILD);
    const pg = build.process.processGroup;
    // sshd runs on this machine: the start time the host reported is the one /proc has here.
    assert.equal(build.process.startTicks, processStartTicks(pg), 'the host reported the shell\'s start time');
    cleanups.push(() => {
      if (groupAlive(pg)) process.kill(-pg, 'SIGKILL');
    });
    assert.equal(groupAlive(pg), true, 'sshd leaves the command running after the cut (no pty, no SIGHUP)');
    assert.ok(!cut.first.journal.steps.find((x) => x.stepId === 'build-api')!.outputTail?.includes('rollback-pilot-pgid'), 'the pid marker never shows in the output');
    return { ...cut, pg };
  }

  class LeftoverPrompter extends ScriptedPrompter {
    readonly stillRunning: Array<LeftoverProcess & { where: string }> = [];
    constructor(private readonly answer: 'wait' | 'terminate' | 'stop', private readonly onAsked: () => void = () => {}) {
      super();
    }
    commandStillRunning(_step: PlanStep, running: LeftoverProcess & { where: string }): Promise<'wait' | 'terminate' | 'stop'> {
      this.stillRunning.push(running);
      this.onAsked();
      return Promise.resolve(this.answer);
    }
  }

  test('a remote command still running after a cut connection: resume asks, waits for it on the host, then runs the step once more', async () => {
    const { s, plan, saved, pg } = await leftoverAfterCut();
    const prompter = new LeftoverPrompter('wait', () => setTimeout(() => writeFileSync(join(s.remote, '.rp-gate'), ''), 400));
    const second = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).resume(saved);
    assert.equal(second.success, true, second.state);
    assert.deepEqual(prompter.stillRunning, [{ processGroup: pg, command: LEFTOVER_BUILD, where: plan.where, startTicks: saved.steps.find((x) => x.stepId === 'build-api')!.process!.startTicks }]);
    assert.deepEqual(orderOn(s.remote), ['start', 'end', 'rerun'], 'the step ran again only after the leftover ended on the host');
    assert.equal(groupAlive(pg), false);
    const waited = second.journal.events.find((e) => e.kind === 'leftover-waited');
    assert.ok(waited?.message.includes(`process group ${pg} on ${plan.where}`), waited?.message);
    assert.ok(second.journal.events.some((e) => e.kind === 'leftover-ended'));
    assert.equal(second.journal.steps.find((x) => x.stepId === 'build-api')!.process, undefined);
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${s.apiPort}/health`)).body).version, '1.3.0');
  });

  test('"stop it" ends the remote leftover\'s process group on the host before the step runs again', async () => {
    const { s, saved, pg } = await leftoverAfterCut();
    const prompter = new LeftoverPrompter('terminate');
    const second = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).resume(saved);
    assert.equal(second.success, true, second.state);
    assert.equal(groupAlive(pg), false);
    assert.deepEqual(orderOn(s.remote), ['start', 'rerun'], 'the leftover was stopped before it finished');
    assert.match(second.journal.events.find((e) => e.kind === 'leftover-terminated')!.message, /stopped by dana@laptop/);
  });

  test('on the host too, a pid that now belongs to another process (another start time) is neither waited for nor stopped', async () => {
    const { s, saved, pg } = await leftoverAfterCut();
    saved.steps.find((x) => x.stepId === 'build-api')!.process!.startTicks = '1';
    const prompter = new LeftoverPrompter('terminate');
    const second = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).resume(saved);
    assert.equal(second.success, true, second.state);
    assert.deepEqual(prompter.stillRunning, [], 'not asked about a process that is not the command');
    assert.equal(groupAlive(pg), true, 'nothing was signalled on the host');
    assert.deepEqual(orderOn(s.remote), ['start', 'rerun']);
    writeFileSync(join(s.remote, '.rp-gate'), '');
  });

  test('the host is lost again right after the resume took the lock: nothing runs, and the journal says the leftover could not be checked', async () => {
    const { s, proxy, plan, saved, pg } = await leftoverAfterCut();
    // The resume connects and takes the lock; the first journal write after that closes the way to the host.
    const journals: JournalStore = {
      save: async (j) => {
        if (j.events.some((e) => e.kind === 'lock-acquired' && e.at > saved.finishedAt!)) await proxy.close();
        return s.journals.save(j);
      },
      load: (id) => s.journals.load(id),
      list: () => s.journals.list(),
      problems: () => s.journals.problems(),
    };
    const prompter = new LeftoverPrompter('wait');
    const second = await new RollbackRunner({ runnerFor: s.runnerFor, journals, prompter, http: new NodeHttp(), operator: 'dana@laptop' }).resume(saved);
    assert.equal(second.success, false);
    assert.equal(second.journal.status, 'stopped');
    assert.match(second.state, new RegExp(`cannot tell whether .*process group ${pg} on ${plan.where.replace(/[.]/g, '\\.')}.*nothing was run`));
    assert.deepEqual(prompter.stillRunning, [], 'not asked about a command it could not see');
    assert.deepEqual(orderOn(s.remote), ['start']);
    const after = (await s.journals.load(plan.id))!;
    assert.ok(after.steps.find((x) => x.stepId === 'build-api')!.process, 'a later resume still knows about it');
    // The leftover may still be running and the host cannot be asked: the lock is kept for it (not released, not even tried).
    assert.ok(after.events.some((e) => e.kind === 'lock-kept' && /build-api/.test(e.message) && /may still be running/.test(e.message)), `the journal says the lock stayed on the host: ${after.events.map((e) => e.kind).join(', ')}`);
    writeFileSync(join(s.remote, '.rp-gate'), '');
  });

  test('connection cut mid-step → outcome unknown, journal intact; resume finishes without re-running finished steps', async () => {
    const { s, first, saved } = await cutMidBuild('echo building; sleep 1; sh scripts/build.sh api');
    assert.equal(first.journal.status, 'stopped');
    assert.match(first.state, /unknown outcome/);
    assert.deepEqual(
      saved.steps.map((x) => [x.stepId, x.outcome]),
      [['notify-start', 'skipped'], ['preflight', 'ok'], ['stash', 'ok'], ['save-host-files', 'ok'], ['code-revert', 'ok'], ['restore-host-files', 'ok'], ['build-api', 'unknown'], ['deploy-api', 'pending'], ['health-api', 'pending'], ['notify-end', 'pending']],
    );
    const headAfterFirst = git(s.remote, 'rev-parse', 'HEAD');

    const second = await new RollbackRunner({ runnerFor: s.runnerFor, journals: s.journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' }).resume(saved);
    assert.equal(second.success, true, second.state);
    assert.equal(git(s.remote, 'rev-parse', 'HEAD'), headAfterFirst, 'the revert was not run again');
    assert.deepEqual(
      second.journal.steps.map((x) => [x.stepId, x.outcome, x.attempts]),
      [['notify-start', 'skipped', 1], ['preflight', 'ok', 1], ['stash', 'ok', 1], ['save-host-files', 'ok', 1], ['code-revert', 'ok', 1], ['restore-host-files', 'ok', 1], ['build-api', 'ok', 2], ['deploy-api', 'ok', 1], ['health-api', 'ok', 1], ['notify-end', 'skipped', 1]],
    );
    assert.equal(JSON.parse((await healthOf(`http://127.0.0.1:${s.apiPort}/health`)).body).version, '1.3.0');
    assert.ok(second.journal.events.some((e) => e.kind === 'resumed'));
  });
});
