import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostKeyPrompt, RefusedHostKey, UnknownHostKey } from '../../../src/infra/ssh/hostKeyPrompt';
import { RemoteProcessGroups } from '../../../src/core/run/remoteProcesses';
import { SshCommandRunner, type SshRunnerOptions } from '../../../src/infra/ssh/sshCommandRunner';
import { resolveDestination } from '../../../src/infra/ssh/sshConfig';
import { sshdUnavailable, startSshd, type TestSshd } from '../../support/sshd';
import { tempDir } from './helpers';

class RecordingPrompt implements HostKeyPrompt {
  asked: UnknownHostKey[] = [];
  refused: RefusedHostKey[] = [];
  constructor(private readonly answer: 'accept-once' | 'accept-and-save' | 'reject' = 'reject') {}
  confirmUnknownHost(key: UnknownHostKey): Promise<'accept-once' | 'accept-and-save' | 'reject'> {
    this.asked.push(key);
    return Promise.resolve(this.answer);
  }
  hostKeyRefused(key: RefusedHostKey): void {
    this.refused.push(key);
  }
}

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;

describe('SSH runner against a real OpenSSH server', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('ssh-keys');
  const runners: SshCommandRunner[] = [];
  const runner = (over: Partial<SshRunnerOptions> & { prompt?: HostKeyPrompt } = {}): SshCommandRunner => {
    const r = new SshCommandRunner({
      destination: `${sshd.user}@${sshd.host}:${sshd.port}`,
      hostKeyPrompt: over.prompt ?? new RecordingPrompt(),
      knownHostsFiles: [sshd.knownHostsPath],
      identityFiles: [sshd.keyPath],
      sshConfigFile: join(tmp.dir, 'no-ssh-config'),
      agent: false,
      ...over,
    });
    runners.push(r);
    return r;
  };

  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    for (const r of runners) await r.dispose();
    await sshd?.stop();
    tmp.cleanup();
  });

  test('runs commands over one connection: exit codes, signals, stdin closed or fed, both streams drained', async () => {
    const r = runner();
    const hi = await r.run('echo hi; echo oops >&2');
    assert.deepEqual([hi.code, hi.signal, hi.stdout, hi.stderr], [0, null, 'hi\n', 'oops\n']);
    assert.equal((await r.run('exit 3')).code, 3);
    const killed = await r.run('kill -TERM $$');
    assert.deepEqual([killed.code, killed.signal], [null, 'SIGTERM']);
    assert.equal((await r.run('cat')).stdout, '', 'stdin is closed at once, so cat ends');
    assert.equal((await r.run('cat', { input: 'SELECT 1;\n' })).stdout, 'SELECT 1;\n');
    const big = await r.run('head -c 300000 /dev/zero | tr "\\0" a; head -c 300000 /dev/zero | tr "\\0" b >&2');
    assert.deepEqual([big.code, big.stdout.length, big.stderr.length], [0, 300000, 300000]);
    assert.equal((await r.run('pwd', { cwd: '/tmp' })).stdout, '/tmp\n');
    assert.equal(r.connections, 1);
  });

  test('unknown host key: asks with the SHA256 fingerprint ssh-keygen prints; rejected means nothing runs; accepted and saved means known next time', async () => {
    const kh = join(tmp.dir, 'empty_known_hosts');
    writeFileSync(kh, '');
    const reject = new RecordingPrompt('reject');
    const r1 = await runner({ knownHostsFiles: [kh], prompt: reject }).run(`touch ${join(tmp.dir, 'should-not-exist')}`);
    assert.equal(r1.code, null);
    assert.match(r1.stderr, /was not accepted/);
    assert.equal(existsSync(join(tmp.dir, 'should-not-exist')), false);
    assert.equal(reject.asked.length, 1);
    const asked = reject.asked[0];
    assert.equal(asked.fingerprint, sshd.fingerprints[asked.keyType]);
    assert.equal(asked.port, sshd.port);
    const save = new RecordingPrompt('accept-and-save');
    assert.equal((await runner({ knownHostsFiles: [kh], prompt: save }).run('echo ok')).stdout, 'ok\n');
    assert.match(readFileSync(kh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ${asked.keyType} `));
    const again = new RecordingPrompt('reject');
    assert.equal((await runner({ knownHostsFiles: [kh], prompt: again }).run('echo ok')).stdout, 'ok\n');
    assert.equal(again.asked.length, 0);
  });

  test('changed host key is refused without asking', async () => {
    const other = join(tmp.dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const kh = join(tmp.dir, 'changed_known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const prompt = new RecordingPrompt('accept-once');
    const r = await runner({ knownHostsFiles: [kh], prompt }).run('echo should-not-run');
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /HOST KEY CHANGED/);
    assert.equal(prompt.asked.length, 0);
    assert.equal(prompt.refused[0]?.reason, 'changed');
  });

  test('a revoked host key is refused', async () => {
    const kh = join(tmp.dir, 'revoked_known_hosts');
    writeFileSync(kh, `${readFileSync(sshd.knownHostsPath, 'utf8')}@revoked * ${sshd.hostKeys['ssh-ed25519']}\n@revoked * ${sshd.hostKeys['ecdsa-sha2-nistp256']}\n`);
    const prompt = new RecordingPrompt('accept-once');
    const r = await runner({ knownHostsFiles: [kh], prompt }).run('echo should-not-run');
    assert.match(r.stderr, /revoked/);
    assert.equal(prompt.refused[0]?.reason, 'revoked');
  });

  test('hashed known_hosts entries (ssh-keygen -H) are accepted; @cert-authority lines do not admit a key', async () => {
    const kh = join(tmp.dir, 'hashed_known_hosts');
    writeFileSync(kh, readFileSync(sshd.knownHostsPath));
    execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'ignore' });
    assert.match(readFileSync(kh, 'utf8'), /^\|1\|/);
    const prompt = new RecordingPrompt('reject');
    assert.equal((await runner({ knownHostsFiles: [kh], prompt }).run('echo hashed')).stdout, 'hashed\n');
    assert.equal(prompt.asked.length, 0);
    const ca = join(tmp.dir, 'ca_known_hosts');
    writeFileSync(ca, `@cert-authority * ${sshd.hostKeys['ssh-ed25519']}\n`);
    const caPrompt = new RecordingPrompt('reject');
    await runner({ knownHostsFiles: [ca], prompt: caPrompt }).run('true');
    assert.equal(caPrompt.asked.length, 1, 'a CA line is not a host key: the user is asked');
  });

  test('~/.ssh/config aliases give HostName, Port, User and IdentityFile; Match exec is never run', async () => {
    const marker = join(tmp.dir, 'match-exec-ran');
    const cfg = join(tmp.dir, 'ssh_config');
    writeFileSync(cfg, `Match exec "touch ${marker}"\n  User root\n\nHost prod-1\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.keyPath}\n`);
    const dest = resolveDestination('prod-1', readFileSync(cfg, 'utf8'));
    assert.deepEqual({ ...dest, identityFiles: dest.identityFiles }, { alias: 'prod-1', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.keyPath] });
    const r = await runner({ destination: 'prod-1', sshConfigFile: cfg, identityFiles: [] }).run('id -un');
    assert.equal(r.stdout, `${sshd.user}\n`);
    assert.equal(existsSync(marker), false);
  });

  test('a remote command reports its process group, which RemoteProcessGroups sees and stops on the host (children included)', async () => {
    const r = runner();
    let pg: number | undefined;
    // The shell starts a child that outlives it in the same group, then waits on a second one.
    const running = r.run('echo started; sleep 60 & sleep 60', {
      onStarted: (id) => { pg = id; },
      onOutput: () => undefined,
    });
    for (let i = 0; i < 100 && pg === undefined; i++) await new Promise((res) => setTimeout(res, 50));
    assert.ok(pg, 'the runner reported the remote shell');
    const groups = new RemoteProcessGroups(runner());
    assert.equal(await groups.isRunning(pg), true);
    process.kill(pg, 'SIGKILL'); // the shell itself goes (sshd runs on this machine): its children are still in the group
    assert.equal(await groups.isRunning(pg), true, 'the group is still alive without its leader');
    await groups.terminate(pg, 3000);
    assert.equal(await groups.isRunning(pg), false);
    // The channel closes once the last child holding its pipes is gone.
    const result = await running;
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.stdout, 'started\n');
    assert.equal(result.stderr, '', 'the pid line never reaches the output');
    assert.equal(await groups.isRunning(999_999_999), false);
    const plain = await r.run('echo out; echo err >&2', { onStarted: () => undefined });
    assert.deepEqual([plain.stdout, plain.stderr], ['out\n', 'err\n']);
  });
});
