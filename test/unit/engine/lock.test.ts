// The target's rollback lock, with real parts: a real shell on this machine and the real sshd
// (a key-only test user owning the working tree). One lock per host + path, whatever the
// environment is called; force release removes only the holder the operator was shown and
// leaves an audit line beside the lock; a command that may still run keeps the lock.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { forceReleaseLock } from '../../../src/core/run/forceRelease';
import { acquireLock, LOCK_FILE, LOCK_HISTORY, LockError, LockHeldError, readLock, releaseLock, type LockTarget } from '../../../src/core/run/lock';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import { ScriptedPrompter, tempDir } from './helpers';

const dirs: Array<{ cleanup(): void }> = [];
after(() => dirs.forEach((d) => d.cleanup()));

function tree(): string {
  const tmp = tempDir('lock');
  dirs.push(tmp);
  return tmp.dir;
}

/** The lock behaviour every target must show; `target(env)` gives a LockTarget on one working tree under that environment name. */
function lockContract(name: string, make: () => Promise<{ target(environment: string): LockTarget; dir: string }>) {
  describe(name, () => {
    test('prod and production on the same host and path are one lock: the second is refused, naming the first', async () => {
      const t = await make();
      const prod = await acquireLock(t.target('prod'), { who: 'alice@laptop', since: '2026-12-01T20:00:00.000Z', runId: 'rb-alice' });
      assert.equal(prod.environment, 'prod');
      await assert.rejects(acquireLock(t.target('production'), { who: 'bob@desk', since: '2026-12-01T20:00:05.000Z', runId: 'rb-bob' }), (e: unknown) => {
        assert.ok(e instanceof LockHeldError);
        assert.equal(e.holder.who, 'alice@laptop');
        assert.match(e.message, /^prod on \S+ is being rolled back by alice@laptop since 2026-12-01T20:00:00\.000Z \(run rb-alice\)/);
        return true;
      });
      assert.equal(existsSync(join(t.dir, LOCK_FILE)), true, `one file per tree: ${LOCK_FILE}`);
      assert.equal(existsSync(join(t.dir, '.rollback/locks/production.lock')), false);
      assert.equal((await releaseLock(t.target('production'), { runId: 'rb-bob' })), undefined, "a run never frees someone else's lock");
      assert.equal((await readLock(t.target('production')))?.runId, 'rb-alice');
    });

    test('a lock the previous release took under the environment\'s name is still respected', async () => {
      const t = await make();
      mkdirSync(join(t.dir, '.rollback/locks'), { recursive: true });
      writeFileSync(join(t.dir, '.rollback/locks/production.lock'), `${JSON.stringify({ who: 'sam@old-version', since: '2026-12-01T19:00:00.000Z', runId: 'rb-sam', environment: 'production', where: 'x' })}\n`);
      // Owned like the tree (the host's user, over SSH), as the old version would have left it.
      execFileSync('chown', ['-R', `--reference=${t.dir}`, join(t.dir, '.rollback')]);
      await assert.rejects(acquireLock(t.target('production'), { who: 'bob@desk', since: 'now', runId: 'rb-bob' }), /by sam@old-version/);
      const view = (await readLock(t.target('production')))!;
      assert.equal(view.file, '.rollback/locks/production.lock');
      // Its own run, resumed by this version, gets it back and releases it.
      assert.equal((await acquireLock(t.target('production'), { who: 'sam@old-version', since: 'later', runId: 'rb-sam' })).runId, 'rb-sam');
      await releaseLock(t.target('production'), { runId: 'rb-sam' });
      assert.equal(await readLock(t.target('production')), undefined);
    });

    test('force release with a stale view (the lock changed hands after the dialog read it) refuses and leaves the new holder', async () => {
      const t = await make();
      const target = t.target('production');
      await acquireLock(target, { who: 'alice@laptop', since: '2026-12-01T20:00:00.000Z', runId: 'rb-alice' });
      const shown = (await readLock(target))!;
      // While the dialog is open: alice's run ends, bob's starts.
      await releaseLock(target, { runId: 'rb-alice' });
      await acquireLock(target, { who: 'bob@desk', since: '2026-12-01T20:01:00.000Z', runId: 'rb-bob' });
      const lines: string[] = [];
      await assert.rejects(forceReleaseLock(target, shown, 'carol@ops', { why: 'alice is gone', log: { log: (l) => lines.push(l) } }), (e: unknown) => {
        assert.ok(e instanceof LockError);
        assert.match(e.message, /changed since you looked: it is now held by bob@desk since 2026-12-01T20:01:00\.000Z \(run rb-bob\), not by alice@laptop \(run rb-alice\); it was left in place/);
        return true;
      });
      assert.equal((await readLock(target))?.runId, 'rb-bob', 'the new holder keeps the lock');
      assert.equal(existsSync(join(t.dir, LOCK_HISTORY)), false, 'nothing released, nothing recorded');
      assert.deepEqual(lines, []);
      // A view of a lock that is gone altogether: refused too.
      await releaseLock(target, { runId: 'rb-bob' });
      await assert.rejects(forceReleaseLock(target, shown, 'carol@ops', { why: 'x' }), /gone already/);
    });

    test('force release of the holder shown: removed, and history.log beside the lock gets who released whose lock, when, why', async () => {
      const t = await make();
      const target = t.target('production');
      await acquireLock(target, { who: 'alice@laptop', since: '2026-12-01T20:00:00.000Z', runId: 'rb-alice' });
      const shown = (await readLock(target))!;
      const lines: string[] = [];
      const released = await forceReleaseLock(target, shown, 'carol@ops', { why: "alice's laptop died", log: { log: (l) => lines.push(l) }, now: new Date('2026-12-01T21:00:00.000Z') });
      assert.equal(released.who, 'alice@laptop');
      assert.equal(await readLock(target), undefined);
      const history = readFileSync(join(t.dir, LOCK_HISTORY), 'utf8').trim().split('\n');
      assert.equal(history.length, 1);
      const audit = JSON.parse(history[0]);
      assert.deepEqual(
        { at: audit.at, event: audit.event, by: audit.by, why: audit.why, who: audit.released.who, runId: audit.released.runId, since: audit.released.since, path: audit.path },
        { at: '2026-12-01T21:00:00.000Z', event: 'lock-force-released', by: 'carol@ops', why: "alice's laptop died", who: 'alice@laptop', runId: 'rb-alice', since: '2026-12-01T20:00:00.000Z', path: t.dir },
      );
      assert.deepEqual(lines, [history[0]], 'the log channel gets the same line');
    });
  });
}

lockContract('lock on a local working tree (real sh)', async () => {
  const dir = tree();
  return { dir, target: (environment) => ({ runner: new LocalCommandRunner(), cwd: dir, environment }) };
});

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('lock over SSH (real sshd, the test user owns the tree)', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const runners: CommandRunner[] = [];
  before(async () => {
    sshd = await startSshd();
  });
  afterEach(async () => {
    while (runners.length) await runners.pop()!.dispose();
  });
  after(async () => {
    await sshd?.stop();
  });

  const host = () => `${sshd.user}@127.0.0.1:${sshd.port}`;
  function ssh(): SshCommandRunner {
    const r = new SshCommandRunner({
      destination: host(),
      hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
      knownHostsFiles: [sshd.knownHostsPath],
      identityFiles: [sshd.keyPath],
      sshConfigFile: join(sshd.dir, 'no-ssh-config'),
      agent: false,
    });
    runners.push(r);
    return r;
  }
  function remoteTree(): string {
    const parent = tree();
    execFileSync('chmod', ['755', parent]);
    const dir = join(parent, 'srv-app');
    mkdirSync(dir);
    execFileSync('chown', [`${TEST_USER}:`, dir]);
    return dir;
  }

  lockContract('the same contract on the host', async () => {
    const dir = remoteTree();
    return { dir, target: (environment) => ({ runner: ssh(), cwd: dir, environment }) };
  });

  test('a cancel while a remote command runs: the lock stays held for it, and the journal says why', async () => {
    const dir = remoteTree();
    const where = host();
    const plan: RollbackPlan = {
      id: 'rb-cancel',
      environment: 'production',
      where,
      strategy: 'checkout',
      from: { name: 'v2', sha: 'b'.repeat(40) },
      to: { name: 'v1', sha: 'a'.repeat(40) },
      targetSource: 'user',
      reason: 'test',
      steps: [{ id: 'slow', kind: 'deploy', title: 'Slow deploy', why: 'long', commands: [{ command: 'sleep 3', where, cwd: dir }], destructive: false }],
      affectedServices: [],
      createdAt: '2026-12-01T20:00:00.000Z',
      createdBy: 'dana@laptop',
      cwd: dir,
      commandTimeoutMs: 60_000,
    };
    const controller = new AbortController();
    const journals = new FileJournalStore(join(tree(), 'journals'));
    const engine = new RollbackRunner({ runnerFor: (w) => (w === 'local' ? new LocalCommandRunner() : ssh()), journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' });
    const running = engine.run(plan, { signal: controller.signal });
    setTimeout(() => controller.abort(), 800);
    const result = await running;
    assert.equal(result.journal.steps[0].outcome, 'unknown', result.journal.steps[0].detail);
    assert.ok(result.journal.events.some((e) => e.kind === 'lock-kept' && /"sleep 3" of step slow/.test(e.message)), result.journal.events.map((e) => `${e.kind}: ${e.message}`).join('\n'));
    assert.match(result.state, /stays held: "sleep 3" may still be running there/);
    const view = await readLock({ runner: ssh(), cwd: dir, environment: 'production' });
    assert.equal(view?.runId, 'rb-cancel');
    assert.equal(view?.mayStillRun?.[0].command, 'sleep 3');
  });

  test('a run whose remote command timed out ends with the lock still held: a second acquire is refused, and the resume releases it once the command has ended', async () => {
    const dir = remoteTree();
    const where = host();
    // The first time it runs longer than the timeout; once it has run to its end, it is quick.
    const command = 'if [ -e slow-done ]; then echo quick; exit 0; fi; sleep 4; touch slow-done';
    const plan: RollbackPlan = {
      id: 'rb-slow',
      environment: 'production',
      where,
      strategy: 'checkout',
      from: { name: 'v2', sha: 'b'.repeat(40) },
      to: { name: 'v1', sha: 'a'.repeat(40) },
      targetSource: 'user',
      reason: 'test',
      steps: [{ id: 'slow', kind: 'deploy', title: 'Slow deploy', why: 'takes longer than the timeout', commands: [{ command, where, cwd: dir }], destructive: false }],
      affectedServices: [],
      createdAt: '2026-12-01T20:00:00.000Z',
      createdBy: 'dana@laptop',
      cwd: dir,
      commandTimeoutMs: 1500,
    };
    const journals = new FileJournalStore(join(tree(), 'journals'));
    const engine = () => new RollbackRunner({ runnerFor: (w) => (w === 'local' ? new LocalCommandRunner() : ssh()), journals, prompter: new ScriptedPrompter(), http: new NodeHttp(), operator: 'dana@laptop' });
    const first = await engine().run(plan);
    assert.equal(first.success, false);
    assert.equal(first.journal.steps[0].outcome, 'unknown', first.journal.steps[0].detail);
    assert.match(first.state, /lock on .* stays held: "if \[ -e slow-done \].*" may still be running there/);
    const kept = first.journal.events.find((e) => e.kind === 'lock-kept');
    assert.ok(kept, first.journal.events.map((e) => e.kind).join(', '));
    assert.match(kept.message, /kept: "if \[ -e slow-done .*" of step slow on .* may still be running/);
    assert.equal(first.journal.events.some((e) => e.kind === 'lock-released'), false);

    const target = { runner: ssh(), cwd: dir, environment: 'production' };
    await assert.rejects(acquireLock(target, { who: 'bob@desk', since: 'now', runId: 'rb-bob' }), (e: unknown) => {
      assert.ok(e instanceof LockHeldError);
      assert.match(e.message, /by dana@laptop .*run rb-slow.*A command of that run may still be running there: "if \[ -e slow-done/);
      return true;
    });
    const view = (await readLock(target))!;
    assert.equal(view.mayStillRun?.[0].command, command, 'the lock record names the command (Release Lock shows it)');

    // The command ends on the host (bounded wait); the resume sees that, runs the step again (quick now), and releases the lock.
    for (let i = 0; i < 100 && !existsSync(join(dir, 'slow-done')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(join(dir, 'slow-done')), true, 'the timed-out command did go on running on the host');
    // The "host" is this machine: wait (bounded) until the command's process group is gone too,
    // so the resume's own check does not race the shell's exit on a loaded machine.
    const pgid = (await journals.load(plan.id))!.steps[0].process?.processGroup;
    const alive = (): boolean => {
      try {
        if (pgid) process.kill(-pgid, 0);
        return !!pgid;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    const second = await engine().resume((await journals.load(plan.id))!);
    assert.equal(second.success, true, second.state);
    assert.ok(second.journal.events.some((e) => e.kind === 'lock-released'));
    assert.equal(await readLock({ runner: ssh(), cwd: dir, environment: 'production' }), undefined);
  });
});
