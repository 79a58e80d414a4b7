// The host files across a rollback over the real sshd, with real git on the target: the same
// fixture and checks as hostFiles.test.ts (hostFilesHarness.ts), the files owned by the deploy user.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandRunner } from '../../../src/core/ports';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { SshCommandRunner } from '../../../src/infra/ssh/sshCommandRunner';
import { sshdUnavailable, startSshd, TEST_USER, type TestSshd } from '../../support/sshd';
import { git, tempDir } from './helpers';
import { makeReleases, populateHost, rollBackAndCheck } from './hostFilesHarness';

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('host files around the code step over SSH (real sshd, real git on the target)', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('hostfiles-ssh');
  before(async () => {
    sshd = await startSshd();
    chmodSync(tmp.dir, 0o755);
  });
  after(async () => {
    await sshd?.stop();
    tmp.cleanup();
  });

  for (const strategy of ['revert', 'checkout'] as const) {
    test(`${strategy} v2 → v1 over SSH: settings.env survives byte for byte, uploads/ stays, the preview lists settings.env`, async () => {
      const base = join(tmp.dir, strategy);
      mkdirSync(base, { recursive: true });
      chmodSync(base, 0o755);
      const releases = makeReleases(join(base, 'workspace'));
      const host = join(base, 'srv-app');
      execFileSync('git', ['clone', '-q', releases.dir, host]);
      git(host, 'config', 'user.name', 'Deploy Bot');
      git(host, 'config', 'user.email', 'deploy@shop.example');
      git(host, 'checkout', '-q', '--detach', 'v2');
      const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim());
      populateHost(host, TEST_USER);
      const made: SshCommandRunner[] = [];
      const runnerFor = (where: string): CommandRunner => {
        if (where === 'local') return new LocalCommandRunner();
        const r = new SshCommandRunner({
          destination: where,
          hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') },
          knownHostsFiles: [sshd.knownHostsPath],
          identityFiles: [sshd.keyPath],
          sshConfigFile: join(base, 'no-ssh-config'),
          agent: false,
        });
        made.push(r);
        return r;
      };
      const destination = `${sshd.user}@127.0.0.1:${sshd.port}`;
      const plan = await rollBackAndCheck({ host: destination, hostDir: host, releases, strategy, runnerFor, journals: new FileJournalStore(join(base, 'journals')) });
      assert.equal(plan.where, destination);
      // The files on the host belong to the deploy user, as they did.
      assert.equal(statSync(join(host, 'settings.env')).uid, uid);
      assert.equal(statSync(join(host, '.rollback/saved', plan.id, 'files/settings.env')).uid, uid);
      assert.equal(made.length, 2, 'one connection to read the host files for the preview, one for the run');
    });
  }
});
