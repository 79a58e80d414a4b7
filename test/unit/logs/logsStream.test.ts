// "Open logs": a service's logs streamed where the service runs, until the viewer closes it;
// then the command is gone, on the host too. Real sh, real files, the real sshd.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { logsOfRun, streamLogs } from '../../../src/app/logsStream';
import { toLogsConfig, logWatchOf } from '../../../src/core/logs/config';
import type { CommandRunner } from '../../../src/core/ports';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { sshdUnavailable, startSshd, testSshRunner, TEST_USER, type TestSshd } from '../../support/sshd';
import { tempDir } from '../engine/helpers';

/** The processes (not their shells) whose command line starts with `program` and has `text`. */
function running(text: string, program = 'tail '): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (args.startsWith(program) && args.includes(text)) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function until(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`not within 5 s: ${what}`);
}

async function followAndClose(runner: CommandRunner, dir: string, where: string): Promise<void> {
  const logFile = join(dir, 'app.log');
  writeFileSync(logFile, 'ERROR before the rollback\n');
  const svc = { name: 'api', paths: [], logs: toLogsConfig('tail -n +1 -F app.log --sleep-interval=0.2', undefined) };
  const w = logWatchOf(svc, where, dir)!;
  const stop = new AbortController();
  let shown = '';
  const ended = streamLogs(runner, w, { signal: stop.signal, onText: (t) => (shown += t) });
  try {
    await until(() => shown.includes('ERROR before the rollback'), 'the history is shown');
    appendFileSync(logFile, 'GET /health 200\n');
    await until(() => shown.includes('GET /health 200'), 'a new line is shown as it comes');
    assert.equal(running('app.log --sleep-interval=0.2'), 1);
  } finally {
    stop.abort();
  }
  assert.equal((await ended).how, 'stopped');
  await until(() => running('app.log --sleep-interval=0.2') === 0, 'the command is gone once the viewer closed it');
  // A command that prints nothing never finds out its viewer left (tail does): it is stopped all the same.
  // Its own duration, so another run of this test on the machine (or a leftover) is not counted.
  const secs = `123.${process.pid}${Math.floor(Math.random() * 1000)}`;
  const quiet = logWatchOf({ name: 'api', paths: [], logs: toLogsConfig(`sleep ${secs}`, undefined) }, where, dir)!;
  const stopQuiet = new AbortController();
  const quietEnded = streamLogs(runner, quiet, { signal: stopQuiet.signal, onText: () => undefined });
  try {
    await until(() => running(secs, 'sleep ') === 1, 'the quiet command runs');
  } finally {
    stopQuiet.abort();
  }
  assert.equal((await quietEnded).how, 'stopped');
  await until(() => running(secs, 'sleep ') === 0, 'the quiet command is gone too');
}

describe('Open logs: streaming a service log', () => {
  test('on this machine: history, live lines, stopped on close; a command that prints and exits says so; the plan says which logs', async () => {
    const t = tempDir('stream');
    try {
      await followAndClose(new LocalCommandRunner(), t.dir, 'local');
      const dump = logWatchOf({ name: 'api', paths: [], logs: toLogsConfig('echo one line', undefined) }, 'local', t.dir)!;
      const end = await streamLogs(new LocalCommandRunner(), dump, { signal: new AbortController().signal, onText: () => undefined });
      assert.equal(end.how, 'exited');
      const broken = logWatchOf({ name: 'api', paths: [], logs: toLogsConfig('sh missing.sh', undefined) }, 'local', t.dir)!;
      const failed = await streamLogs(new LocalCommandRunner(), broken, { signal: new AbortController().signal, onText: () => undefined });
      assert.match(failed.problem ?? '', /^`sh missing\.sh` on local: exit 2: sh: 0: cannot open missing\.sh/);
      // From the plan's watch, else from rollback.yml on the plan's target.
      const plan = { where: 'deploy@prod-1', cwd: '/opt/app', steps: [{ id: 'logs-watch', kind: 'log-watch' as const, title: '', why: '', commands: [], destructive: false, logWatch: { role: 'start' as const, services: [dump] } }] };
      assert.deepEqual(logsOfRun(plan).map((w) => w.command), ['echo one line']);
      const fromConfig = logsOfRun({ ...plan, steps: [] }, { services: [{ name: 'worker', paths: [], logs: toLogsConfig('journalctl -u worker --since {since}', undefined) }] } as never);
      assert.deepEqual(fromConfig.map((w) => [w.service, w.where, w.cwd, w.since]), [['worker', 'deploy@prod-1', '/opt/app', 'journal']]);
    } finally {
      t.cleanup();
    }
  });
});

describe('Open logs over SSH', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });
  test('on the host: streamed over the connection, and stopped there when the viewer closes it', async () => {
    const t = tempDir('stream-ssh');
    try {
      execFileSync('chmod', ['755', t.dir]);
      const dir = join(t.dir, 'srv');
      mkdirSync(dir);
      execFileSync('chown', [`${TEST_USER}:`, dir]);
      const runner = testSshRunner(sshd, t.dir);
      try {
        await followAndClose(runner, dir, `${sshd.user}@127.0.0.1:${sshd.port}`);
      } finally {
        await runner.dispose();
      }
    } finally {
      t.cleanup();
    }
  });
});
