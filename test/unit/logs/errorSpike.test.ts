// The error spike offered when the operator decides: read with the service's own logs
// command (real sh, real files; over the real sshd too), the last 5 minutes against the hour
// before, bounded for commands that follow or never print.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { errorSpikes, spikeTriggers } from '../../../src/app/errorSpikes';
import type { RollbackConfig } from '../../../src/core/config/types';
import { toLogsConfig } from '../../../src/core/logs/config';
import { errorSpikeText, isSpike } from '../../../src/core/logs/spike';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { sshdUnavailable, startSshd, testSshRunner, TEST_USER, type TestSshd } from '../../support/sshd';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../engine/helpers';
import { stamp } from './logFixture';

function configWith(dir: string, host: string, logs: Record<string, string>): RollbackConfig {
  return {
    releases: { tags: 'v*' },
    environments: [{ name: 'production', host, path: dir, branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 60_000 }],
    services: Object.entries(logs).map(([name, command]) => ({ name, paths: [], logs: toLogsConfig(command, undefined) })),
    migrations: {},
    notify: { webhook: false, escalateAtMinutes: [] },
    isDefault: false,
  };
}

function stampedLog(dir: string): void {
  mkdirSync(join(dir, 'log'), { recursive: true });
  const lines = [
    ...Array.from({ length: 3 }, (_, i) => `${stamp(40 * 60)} ERROR old ${i}`), // in the hour before
    ...Array.from({ length: 2 }, (_, i) => `${stamp(3 * 3600)} ERROR much older ${i}`), // before that: not counted
    ...Array.from({ length: 47 }, (_, i) => `${stamp(120)} ERROR fast-path cache not warmed ${i}`), // the last 5 minutes
    `${stamp(60)} GET /health 200`,
  ];
  writeFileSync(join(dir, 'log', 'api.log'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'log', 'since.sh'), `awk -v since="$1" '$1 >= since' log/api.log\n`);
  writeFileSync(join(dir, 'log', 'quiet.log'), 'GET / 200\n');
}

describe('the error spike as a trigger', () => {
  test('the sentence, and what counts as a spike', () => {
    assert.equal(errorSpikeText({ service: 'api', recent: 47, recentMs: 300_000, earlier: 3, earlierMs: 3_600_000 }), 'api: 47 errors in the last 5 minutes, 3 in the hour before');
    assert.equal(errorSpikeText({ service: 'api', recent: 1, recentMs: 60_000, earlier: 0, earlierMs: 1_800_000 }), 'api: 1 error in the last minute, 0 in the 30 minutes before');
    assert.equal(isSpike(47, 300_000, 3, 3_600_000), true);
    assert.equal(isSpike(4, 300_000, 0, 3_600_000), false, 'a handful is not a spike');
    assert.equal(isSpike(47, 300_000, 400, 3_600_000), false, 'the same rate as the hour before is not a spike');
  });

  test('read on this machine: 47 in the last 5 minutes, 3 in the hour before; a follow command cannot be split by time; failing and silent commands say so, within their bounds', async () => {
    const t = tempDir('spike');
    try {
      stampedLog(t.dir);
      const config = configWith(t.dir, 'local', { api: 'sh log/since.sh {since}', worker: 'tail -n +1 -F log/quiet.log', broken: 'sh log/none.sh {since}', silent: 'sleep 211.7' });
      const started = Date.now();
      const spikes = await errorSpikes({ config, runnerFor: () => new LocalCommandRunner() });
      assert.ok(Date.now() - started < 12_000, `bounded: ${Date.now() - started} ms`);
      const by = Object.fromEntries(spikes.map((s) => [s.service, s]));
      assert.equal(by.api.text, 'api: 47 errors in the last 5 minutes, 3 in the hour before');
      assert.equal(by.api.spike, true);
      assert.equal(by.worker.text, 'worker: 0 errors in its log (its logs command takes no {since}, so they cannot be split by time)');
      assert.match(by.broken.text, /^broken: its logs could not be read \(`sh log\/none\.sh \{since\} on local` exited 2: sh: 0: cannot open log\/none\.sh/);
      assert.equal(by.silent.text, 'silent: its logs could not be read (`sleep 211.7 on local` printed nothing within 5 s)');
      assert.deepEqual(spikeTriggers(spikes.filter((s) => s.spike)), ['api: 47 errors in the last 5 minutes, 3 in the hour before']);
    } finally {
      t.cleanup();
    }
  });
});

describe('the error spike over SSH', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  test('read where the service runs, over the real sshd', async () => {
    const t = tempDir('spike-ssh');
    try {
      execFileSync('chmod', ['755', t.dir]);
      const dir = join(t.dir, 'srv');
      mkdirSync(dir);
      stampedLog(dir);
      execFileSync('chown', ['-R', `${TEST_USER}:`, dir]);
      const config = configWith(dir, `${sshd.user}@127.0.0.1:${sshd.port}`, { api: 'sh log/since.sh {since}' });
      const spikes = await errorSpikes({ config, runnerFor: () => testSshRunner(sshd, t.dir) });
      assert.deepEqual(spikes.map((s) => s.text), ['api: 47 errors in the last 5 minutes, 3 in the hour before']);
    } finally {
      t.cleanup();
    }
  });
});
