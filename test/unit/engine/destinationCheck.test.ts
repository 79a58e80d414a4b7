// A wrong SSH destination gets its own diagnosis, before anything is planned or sent: an
// alias nobody knows, a port where nothing listens, a key the host refuses, a host key that
// changed. Real sshd, real ssh2, real DNS lookups (of names that cannot resolve).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EnvironmentConfig } from '../../../src/core/config/types';
import { readDeployed } from '../../../src/core/releases/deployedOnTarget';
import { describeConnectError, displayPath, inSshConfig } from '../../../src/infra/ssh/destinationCheck';
import { SshCommandRunner, type SshRunnerOptions } from '../../../src/infra/ssh/sshCommandRunner';
import { freePort } from '../../support/freePort';
import { sshdUnavailable, startSshd, type TestSshd } from '../../support/sshd';
import { tempDir } from './helpers';

describe('which Host blocks count as "in the ssh config"', () => {
  const config = 'Host *\n  ServerAliveInterval 5\nHost shop-prod shop-stage\n  HostName 127.0.0.1\nHost db-* !db-old\n  User ops\n';
  test('exact names, patterns and negations; the catch-all alone is not "in the config"', () => {
    assert.deepEqual(['shop-prod', 'SHOP-STAGE', 'db-1', 'db-old', 'prod1', 'shop'].map((h) => inSshConfig(config, h)), [true, true, true, false, false, false]);
    assert.equal(inSshConfig(undefined, 'shop-prod'), false);
  });
  test('the home folder is written ~', () => {
    assert.equal(displayPath('/home/dana/.ssh/config', '/home/dana'), '~/.ssh/config');
    assert.equal(displayPath('/etc/ssh/ssh_config', '/home/dana'), '/etc/ssh/ssh_config');
  });
  test('socket errors in words', () => {
    const dest = { alias: 'prod1', host: '10.0.0.9', port: 22, user: 'deploy', identityFiles: [] };
    const e = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
    assert.match(describeConnectError(e('ECONNREFUSED'), dest, 15_000) ?? '', /^nothing listens on 10\.0\.0\.9:22 \(prod1\): connection refused/);
    assert.match(describeConnectError(e('ETIMEDOUT'), dest, 15_000) ?? '', /did not answer: timed out/);
    assert.match(describeConnectError(e('EHOSTUNREACH'), dest, 15_000) ?? '', /is unreachable: no route/);
    assert.match(describeConnectError(Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), dest, 15_000) ?? '', /did not complete the SSH handshake within 15 s/);
    assert.equal(describeConnectError(new Error('something else'), dest, 15_000), undefined);
  });
});

describe('wrong destinations over the real sshd: each its own message, and nothing ran', { skip: sshdUnavailable() }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('dest');
  let sshConfig: string;
  const marker = () => join(tmp.dir, 'ran');
  const env = (host: string): EnvironmentConfig => ({ name: 'production', host, path: tmp.dir, branch: 'main', strategy: 'revert', push: false, configFiles: [], commandTimeoutMs: 60_000 });

  before(async () => {
    sshd = await startSshd();
    sshConfig = join(tmp.dir, 'ssh_config');
    writeFileSync(sshConfig, `Host shop-prod\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\nHost shop-typo\n  HostName shop-prod.invalid\n`);
  });
  after(async () => {
    await sshd?.stop();
    tmp.cleanup();
  });

  /** Runs a command that would leave a file, through a runner built with these options; returns what the operator is told. */
  async function attempt(destination: string, over: Partial<SshRunnerOptions> = {}): Promise<{ message: string; connections: number }> {
    const runner = new SshCommandRunner({ destination, hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') }, knownHostsFiles: [sshd.knownHostsPath], identityFiles: [sshd.keyPath], sshConfigFile: sshConfig, agent: false, readyTimeoutMs: 5000, ...over });
    try {
      const r = await runner.run(`touch ${marker()}`);
      assert.equal(r.code, null, 'the command never ran');
      // The flow's first read goes through the same runner: its refusal carries the same sentence.
      const read = await readDeployed(runner, env(destination), { resolve: () => Promise.reject(new Error('unused')) }).then(() => 'read', (e: Error) => e.message);
      assert.ok(read.includes(r.stderr.trim()), `${read} / ${r.stderr}`);
      return { message: r.stderr.trim(), connections: runner.connections };
    } finally {
      await runner.dispose();
      assert.equal(existsSync(marker()), false, 'nothing ran on the host');
    }
  }

  test('an alias that is neither in the ssh config nor in DNS is named as such, not reported as a missing key', async () => {
    // No agent and no key at all: the old message blamed those.
    const r = await attempt('prod1', { identityFiles: [join(tmp.dir, 'no-key')] });
    assert.equal(r.message, `prod1 is not in ${sshConfig} and does not resolve (DNS): check the environment's host in rollback.yml, or add a Host prod1 block to ${sshConfig}`);
    assert.equal(r.connections, 0);
    const withUser = await attempt('root@prod1');
    assert.match(withUser.message, /^prod1 is not in .* and does not resolve/);
  });

  test('an alias in the config whose HostName does not resolve says that', async () => {
    const r = await attempt('shop-typo');
    assert.equal(r.message, `shop-typo is in ${sshConfig}, but its HostName shop-prod.invalid does not resolve (DNS)`);
  });

  test('a port where nothing listens: "nothing listens on host:port"', async () => {
    const port = await freePort();
    const r = await attempt(`${sshd.user}@127.0.0.1:${port}`);
    assert.match(r.message, new RegExp(`^nothing listens on 127\\.0\\.0\\.1:${port}: connection refused`));
  });

  test('a host that refuses the key: the key message, naming user, host and port', async () => {
    const other = join(tmp.dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const r = await attempt('shop-prod', { identityFiles: [other] });
    assert.equal(r.message, `${sshd.user}@127.0.0.1:${sshd.port} refused every key offered (agent and identity files)`);
  });

  test('a host key that does not match known_hosts is refused before anything is sent', async () => {
    const known = join(tmp.dir, 'known_hosts_other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tmp.dir, 'fake_host')]);
    const fake = readFileSync(join(tmp.dir, 'fake_host.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(known, `[127.0.0.1]:${sshd.port} ${fake}\n`);
    const r = await attempt('shop-prod', { knownHostsFiles: [known] });
    assert.match(r.message, new RegExp(`^HOST KEY CHANGED for 127\\.0\\.0\\.1:${sshd.port}: .* refusing to connect`));
  });

  test('the same alias, reachable, reads what is deployed', async () => {
    const runner = new SshCommandRunner({ destination: 'shop-prod', hostKeyPrompt: { confirmUnknownHost: () => Promise.resolve('reject') }, knownHostsFiles: [sshd.knownHostsPath], identityFiles: [sshd.keyPath], sshConfigFile: sshConfig, agent: false });
    try {
      const r = await runner.run('id -un');
      assert.deepEqual([r.code, r.stdout.trim()], [0, sshd.user]);
    } finally {
      await runner.dispose();
    }
  });
});
