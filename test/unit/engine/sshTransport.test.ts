// The SSH transport under a bad network and a slow operator, against the real sshd: a
// black-holed link is noticed within keepalive interval × count (+1 s), a host-key question
// answered after the connect timeout still connects (and a host that goes silent still times
// out), multi-byte output arrives whole, and a 50 MB output is kept as a bounded tail with
// the exact number of bytes dropped.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HostKeyPrompt, UnknownHostKey } from '../../../src/infra/ssh/hostKeyPrompt';
import { OUTPUT_TAIL_BYTES } from '../../../src/infra/outputTail';
import { ssh2Keepalive } from '../../../src/infra/ssh/connectTimers';
import { SshCommandRunner, type SshRunnerOptions } from '../../../src/infra/ssh/sshCommandRunner';
import { startBlackHoleProxy, type BlackHoleProxy } from '../../support/blackHoleProxy';
import { sshdUnavailable, startSshd, startTcpProxy, type TestSshd } from '../../support/sshd';
import { tempDir } from './helpers';

const notRoot = process.getuid?.() !== 0 ? sshdUnavailable() : undefined;
const reject: HostKeyPrompt = { confirmUnknownHost: () => Promise.resolve('reject') };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('ssh2 is configured to give up after interval × count, not interval × (count + 1)', () => {
  // ssh2 fails on the tick where its count exceeds keepaliveCountMax (lib/client.js sendKA).
  const failsAfter = (o: { keepaliveInterval: number; keepaliveCountMax: number }): number => o.keepaliveInterval * (o.keepaliveCountMax + 1);
  for (const [interval, count] of [[10_000, 3], [500, 2], [1000, 1], [15_000, 5]]) {
    assert.equal(failsAfter(ssh2Keepalive(interval, count)), interval * count, `${interval} × ${count}`);
    assert.ok(ssh2Keepalive(interval, count).keepaliveCountMax >= 1, 'never 0: ssh2 would fail on a healthy link without sending a keepalive');
  }
  assert.equal(ssh2Keepalive(0, 3).keepaliveInterval, 0, 'interval 0 is off');
});

describe('SSH transport against a real OpenSSH server', { skip: notRoot }, () => {
  let sshd: TestSshd;
  const tmp = tempDir('ssh-transport');
  const closers: Array<() => unknown> = [];
  const runner = (port: number, over: Partial<SshRunnerOptions> = {}): SshCommandRunner => {
    // Through a proxy the host is [127.0.0.1]:<proxy port>: known_hosts must say so.
    const kh = join(tmp.dir, `known_hosts_${port}`);
    writeFileSync(kh, readFileSync(sshd.knownHostsPath, 'utf8').replaceAll(`]:${sshd.port} `, `]:${port} `));
    const r = new SshCommandRunner({
      destination: `${sshd.user}@127.0.0.1:${port}`,
      hostKeyPrompt: reject,
      knownHostsFiles: [kh],
      identityFiles: [sshd.keyPath],
      sshConfigFile: join(tmp.dir, 'no-ssh-config'),
      agent: false,
      ...over,
    });
    closers.push(() => r.dispose());
    return r;
  };
  const proxy = async (): Promise<BlackHoleProxy> => {
    const p = await startBlackHoleProxy(sshd.port);
    closers.push(() => p.close());
    return p;
  };

  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    await sshd?.stop();
    tmp.cleanup();
  });

  for (const [interval, count] of [[500, 2], [1000, 1]] as const) {
    test(`a black-holed link mid-command is reported lost within ${interval} ms × ${count} + 1 s`, async (t) => {
      const p = await proxy();
      const r = runner(p.port, { keepaliveIntervalMs: interval, keepaliveCountMax: count });
      let seen = '';
      const running = r.run('echo started; sleep 30; echo finished', { onOutput: (c) => (seen += c) });
      for (let i = 0; i < 200 && !seen.includes('started'); i++) await sleep(25);
      assert.match(seen, /started/, 'the command runs through the proxy');
      // Let at least one keepalive be answered first, so the link was healthy with keepalive on.
      await sleep(interval * 1.5);
      const holedAt = Date.now();
      p.holeAll();
      const result = await running;
      const took = Date.now() - holedAt;
      const silent = Date.now() - p.lastToClientAt;
      t.diagnostic(`black hole noticed ${took} ms after it began, ${silent} ms after the host's last bytes (bound ${interval * count + 1000} ms)`);
      assert.equal(result.lost, true, `the step's result is lost: ${JSON.stringify(result)}`);
      assert.doesNotMatch(result.stdout, /finished/);
      assert.match(result.stderr, /no answer from the host for .* s \(keepalive\)/);
      assert.ok(took <= interval * count + 1000, `noticed after ${took} ms; the bound is ${interval * count + 1000} ms`);
      // The sharper measure: from the last bytes the host sent (the last keepalive answer),
      // exactly interval × count, where ssh2's own count gave interval × (count + 1).
      assert.ok(silent <= interval * count + 250, `lost ${silent} ms after the host's last bytes; interval × count is ${interval * count} ms`);
      assert.ok(silent >= interval * count - 100, `lost ${silent} ms after the host's last bytes: too early to be the keepalive`);
    });
  }

  test('a healthy idle link is not taken for dead with the tightest keepalive (1 s × 1)', async () => {
    const p = await proxy();
    const r = runner(p.port, { keepaliveIntervalMs: 1000, keepaliveCountMax: 1 });
    const result = await r.run('sleep 3.5; echo still-here');
    assert.deepEqual([result.code, result.lost, result.stdout], [0, undefined, 'still-here\n']);
  });

  test('a host-key question answered after longer than the connect timeout still connects', async () => {
    const kh = join(tmp.dir, 'empty_known_hosts');
    writeFileSync(kh, '');
    const asked: UnknownHostKey[] = [];
    const slow: HostKeyPrompt = {
      confirmUnknownHost: async (key) => {
        asked.push(key);
        await sleep(2000);
        return 'accept-once';
      },
    };
    const started = Date.now();
    const r = runner(sshd.port, { readyTimeoutMs: 1000, hostKeyPrompt: slow, knownHostsFiles: [kh] });
    const result = await r.run('echo connected');
    assert.equal(asked.length, 1);
    assert.ok(Date.now() - started >= 2000, 'the answer came after the 1 s timeout');
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'connected\n', '']);
  });

  test('the connect timeout still fires for a host that goes silent after the question was answered', async () => {
    const p = await proxy();
    const kh = join(tmp.dir, 'empty_known_hosts_2');
    writeFileSync(kh, '');
    let answeredAt = 0;
    const slow: HostKeyPrompt = {
      confirmUnknownHost: async () => {
        p.holeAll(); // while the user reads, the host vanishes
        await sleep(1500);
        answeredAt = Date.now();
        return 'accept-once';
      },
    };
    const r = runner(p.port, { readyTimeoutMs: 1000, hostKeyPrompt: slow, knownHostsFiles: [kh] });
    const result = await r.run('echo should-not-run');
    const after = Date.now() - answeredAt;
    assert.ok(answeredAt > 0, 'the question was asked');
    assert.equal(result.code, null);
    assert.match(result.stderr, new RegExp(`no SSH handshake with 127\\.0\\.0\\.1:${p.port} within 1 s`));
    assert.ok(after <= 1000 + 500, `timed out ${after} ms after the answer: only what was left of the 1 s counts`);
  });

  test('a host that closes the connection while the host-key question is open says why (LoginGraceTime), and nothing runs', async () => {
    const cut = await startTcpProxy(sshd.port);
    closers.push(() => cut.close());
    const kh = join(tmp.dir, 'empty_known_hosts_3');
    writeFileSync(kh, '');
    const slow: HostKeyPrompt = {
      confirmUnknownHost: async () => {
        cut.cutAll(); // as sshd does after LoginGraceTime
        await sleep(300);
        return 'accept-once';
      },
    };
    const result = await runner(cut.port, { readyTimeoutMs: 1000, hostKeyPrompt: slow, knownHostsFiles: [kh] }).run('echo should-not-run');
    assert.equal(result.code, null);
    assert.match(result.stderr, new RegExp(`connection to 127\\.0\\.0\\.1:${cut.port} closed during the handshake while the host-key question was open .*LoginGraceTime`));
    await sleep(500); // the late answer lands on a closed connection: nothing is thrown, nothing runs
  });

  test('a host that accepts TCP and never speaks SSH times out after the connect timeout', async () => {
    const held: Socket[] = [];
    const mute: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => {
      for (const s of held) s.destroy();
      mute.close(() => r());
    }));
    const port = (mute.address() as { port: number }).port;
    const started = Date.now();
    const result = await runner(port, { readyTimeoutMs: 1000 }).run('true');
    const took = Date.now() - started;
    assert.match(result.stderr, new RegExp(`no SSH handshake with 127\\.0\\.0\\.1:${port} within 1 s`));
    assert.ok(took >= 900 && took <= 2500, `timed out after ${took} ms`);
  });

  test('multi-byte UTF-8 output arrives whole: streamed chunks and the final stdout and stderr', async () => {
    const unit = 'é€😀'; // 2 + 3 + 4 bytes: 9, so 32 KiB packets cut inside characters
    const times = 60_000;
    const make = `yes "$(printf '\\303\\251\\342\\202\\254\\360\\237\\230\\200')" | head -n ${times} | tr -d '\\n'`;
    const r = runner(sshd.port);
    const streamed = { stdout: '', stderr: '' };
    const result = await r.run(`${make}; ${make} >&2`, { onOutput: (c, s) => (streamed[s] += c) });
    const expected = unit.repeat(times);
    assert.equal(result.code, 0);
    assert.equal(streamed.stdout.includes('\ufffd'), false, 'no replacement character in the streamed output');
    assert.ok(streamed.stdout === expected, `streamed stdout intact (${streamed.stdout.length} vs ${expected.length} chars)`);
    assert.ok(streamed.stderr === expected, 'streamed stderr intact');
    assert.ok(result.stdout === expected, 'final stdout intact');
    assert.ok(result.stderr === expected, 'final stderr intact');
    assert.equal(result.droppedBytes, undefined, `${Buffer.byteLength(expected)} bytes fit the tail`);
  });

  test('50 MB of output: a bounded tail, the exact count of bytes dropped, every byte still streamed', async () => {
    const total = 50 * 1024 * 1024;
    const r = runner(sshd.port);
    let streamedBytes = 0;
    const result = await r.run(`head -c ${total} /dev/zero | tr '\\0' a; printf END; echo oops >&2`, { onOutput: (c, s) => (streamedBytes += s === 'stdout' ? Buffer.byteLength(c) : 0) });
    assert.equal(result.code, 0);
    assert.equal(streamedBytes, total + 3);
    assert.ok(result.stdout.length <= OUTPUT_TAIL_BYTES, `kept ${result.stdout.length} chars`);
    assert.ok(result.stdout.endsWith('aaaEND'), 'the tail is the end of the output');
    assert.deepEqual(result.droppedBytes, { stdout: total + 3 - Buffer.byteLength(result.stdout), stderr: 0 });
    assert.equal(result.stderr, 'oops\n');
  });
});
