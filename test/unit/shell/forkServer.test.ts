// The command line's fork server (src/infra/shell/forkServer.ts) against LocalCommandRunner's
// own spawn, on the real /bin/sh: the same results for the same commands (codes, output,
// folders, quoting, huge output), a timeout that kills the command's whole process group, a
// server that dies (what it started is reported lost and never run twice; what it had not
// started runs without it), and the commands it must not take spawned as before.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { shQuote } from '../../../src/core/plan/shellQuote';
import type { ExecResult } from '../../../src/core/ports';
import { ShellForkServer } from '../../../src/infra/shell/forkServer';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from '../releases/gitFixture';

const comparable = (r: ExecResult) => ({ code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut, lost: r.lost, droppedBytes: r.droppedBytes });

/** Running, not a zombie waiting for its new parent to reap it. */
const alive = (pid: number): boolean => {
  try {
    return !/^Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

void describe('fork server: the same results as a spawn', () => {
  const tmp = tempDir('forkserver');
  let server: ShellForkServer;
  let served: LocalCommandRunner;
  let spawned: LocalCommandRunner;
  const odd = join(tmp.path, `a folder with 'quotes', "double", $dollar and spaces`);

  before(() => {
    mkdirSync(odd);
    const s = ShellForkServer.start();
    assert.ok(s, 'a fork server starts on this machine (/bin/sh and setsid)');
    server = s;
    served = new LocalCommandRunner({ cwd: tmp.path, timeoutMs: 20_000, forkServer: server });
    spawned = new LocalCommandRunner({ cwd: tmp.path, timeoutMs: 20_000 });
  });
  after(() => {
    server.close();
    tmp.remove();
  });

  void it('a shell ended by a signal: 128 + its number from the server (its wait cannot tell the two apart), the signal from a spawn; a failure either way', async () => {
    const [a, b] = await Promise.all([served.run('kill -TERM $$'), spawned.run('kill -TERM $$')]);
    assert.deepEqual([a.code, a.signal], [143, null]);
    assert.deepEqual([b.code, b.signal], [null, 'SIGTERM']);
  });

  void it('codes, stdout, stderr, folders, stdin at EOF, multi-line scripts, UTF-8', async () => {
    const cases: Array<[string, string | undefined]> = [
      ['true', undefined],
      ['exit 42', undefined],
      ['echo out; echo err >&2; exit 1', undefined],
      ['pwd', odd],
      ['pwd; cd ..; pwd', undefined],
      ['cat; echo "read: $?"', undefined],
      ["printf 'caf\\303\\251 \\342\\202\\254\\n'", undefined],
      ['x=1\nif [ "$x" = 1 ]; then\n  echo multi\nfi\nfor i in 1 2 3; do printf %s "$i"; done', undefined],
      ['nosuchcommand-rp', undefined],
      ['echo "$HOME"', undefined],
    ];
    for (const [command, cwd] of cases) {
      const [a, b] = await Promise.all([served.run(command, { cwd }), spawned.run(command, { cwd })]);
      assert.deepEqual(comparable(a), comparable(b), command);
    }
  });

  void it('any text printed through shQuote comes back the same (property, 100 commands)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        const command = `printf '%s' ${shQuote(s)}`;
        const [a, b] = await Promise.all([served.run(command), spawned.run(command)]);
        assert.deepEqual(comparable(a), comparable(b));
        assert.equal(a.stdout, s);
      }),
      { numRuns: 100 },
    );
  });

  void it('scripts of any shape, short (read by the shell) and long (read by cat), run as a spawn runs them (property, 60 scripts)', async () => {
    // Lines with leading and trailing blanks, backslashes, CRs, empty lines, runs of trailing newlines, no final newline.
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0') && !s.includes('\n')).map((s) => `printf '[%s]\\n' ${shQuote(s)}`),
      fc.constantFrom('', '   ', '\t', 'echo " lead and trail "  ', 'echo back\\\\slash', 'echo cr\r', ': \\', 'x=1; echo "$x"'),
    );
    const padding = fc.constantFrom('', `# ${'long comment '.repeat(200)}\n`);
    const script = fc.tuple(padding, fc.array(fc.tuple(line, fc.constantFrom('\n', '\n\n', '\n\n\n')), { minLength: 1, maxLength: 6 }), fc.constantFrom('', '\n', '\n\n\n'));
    await fc.assert(
      fc.asyncProperty(script, async ([pad, lines, end]) => {
        const command = pad + lines.map(([l, sep]) => l + sep).join('').replace(/\n+$/, '') + end;
        const [a, b] = await Promise.all([served.run(command), spawned.run(command)]);
        assert.deepEqual(comparable(a), comparable(b), JSON.stringify(command));
      }),
      { numRuns: 60 },
    );
  });

  void it('output over the 1 MiB tail: the same tail and exactly the same dropped byte counts', async () => {
    // 1.5 MiB of a 3-byte character on stdout (a cut inside a character), 1.2 MiB on stderr.
    const command = "head -c 1572864 /dev/zero | tr '\\0' x | sed 's/x/\\xe2\\x82\\xac/g'; head -c 1258291 /dev/zero | tr '\\0' y >&2";
    const [a, b] = await Promise.all([served.run(command), spawned.run(command)]);
    assert.ok(a.droppedBytes && a.droppedBytes.stdout > 0 && a.droppedBytes.stderr > 0, JSON.stringify(a.droppedBytes));
    assert.deepEqual(comparable(a), comparable(b));
  });

  void it('forty commands at once, each with its own answer', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => served.run(`sleep 0.0${i % 10}; echo ${i}; exit ${i % 7}`)));
    results.forEach((r, i) => {
      assert.equal(r.stdout, `${i}\n`);
      assert.equal(r.code, i % 7);
    });
  });

  void it('a timeout kills the whole process group, background children included', async () => {
    const pidFile = join(tmp.path, 'grandchild.pid');
    const r = await served.run(`sleep 30 & echo $! > ${shQuote(pidFile)}; wait`, { timeoutMs: 500 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
    assert.equal(r.signal, 'SIGKILL');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // Bounded: the kill is immediate, the process table may lag a moment.
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(alive(grandchild), false, `the background sleep ${grandchild} was killed with its group`);
  });

  void it('what it must not take (stdin text, streamed output, a reported process group, an abort signal) is spawned by the runner', async () => {
    // A served command's parent is the server's shell; a spawned one's is this process.
    const parent = async (options: Parameters<LocalCommandRunner['run']>[1]) => Number((await served.run('echo $PPID', options)).stdout);
    assert.notEqual(await parent({}), process.pid, 'a plain query is served');
    assert.equal(await parent({ input: '' }), process.pid);
    assert.equal(await parent({ onOutput: () => undefined }), process.pid);
    assert.equal(await parent({ onStarted: () => undefined }), process.pid);
    assert.equal(await parent({ signal: new AbortController().signal }), process.pid);
    const missing = join(tmp.path, 'no-such-folder');
    const [a, b] = await Promise.all([served.run('pwd', { cwd: missing }), spawned.run('pwd', { cwd: missing })]);
    assert.deepEqual(comparable(a), comparable(b), 'a folder that does not exist fails as a spawn fails');
  });
});

void describe('fork server: when it dies', () => {
  void it('a command it started is reported lost and never run again; a command after that runs without it; its folder is removed on close', async () => {
    const tmp = tempDir('forkserver-dies');
    const server = ShellForkServer.start();
    assert.ok(server?.pid);
    const runner = new LocalCommandRunner({ cwd: tmp.path, timeoutMs: 20_000, forkServer: server });
    const ran = join(tmp.path, 'ran');
    const started = join(tmp.path, 'started');
    const running = runner.run(`echo once >> ${shQuote(ran)}; : > ${shQuote(started)}; sleep 2`);
    for (let i = 0; i < 200 && !existsSync(started); i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(existsSync(started), 'the command started');
    process.kill(-server.pid, 'SIGKILL');
    const r = await running;
    assert.equal(r.lost, true, JSON.stringify(r));
    assert.match(r.stderr, /outcome is unknown/);
    const after = await runner.run('echo after');
    assert.equal(after.stdout, 'after\n');
    assert.equal(after.code, 0);
    assert.equal(readFileSync(ran, 'utf8'), 'once\n', 'never run twice');
    server.close();
    tmp.remove();
  });

  void it('a read answers as run does, and is undefined (for the caller to ask again its own way) when the server cannot take it', async () => {
    const tmp = tempDir('forkserver-read');
    const server = ShellForkServer.start();
    assert.ok(server);
    const r = await server.read("printf 'a\\nb'; exit 3", tmp.path, 20_000);
    assert.equal(r?.stdout, 'a\nb');
    assert.equal(r?.code, 3);
    assert.equal(await server.read('echo hi', join(tmp.path, 'missing'), 20_000), undefined, 'a folder that does not exist');
    server.close();
    assert.equal(await server.read('echo hi', tmp.path, 20_000), undefined, 'a closed server');
    tmp.remove();
  });

  void it('leaves no folder behind and does not keep the process alive', async () => {
    const tmp = tempDir('forkserver-exit');
    const script = join(tmp.path, "use.mts");
    const module = join(process.cwd(), 'src/infra/shell/forkServer.ts');
    writeFileSync(script, `export {};\nimport { ShellForkServer } from ${JSON.stringify(module)};\nimport { LocalCommandRunner } from ${JSON.stringify(join(process.cwd(), 'src/infra/shell/localCommandRunner.ts'))};\nconst s = ShellForkServer.start();\nconst r = await new LocalCommandRunner({ forkServer: s }).run('echo hi');\nconsole.log(JSON.stringify({ out: r.stdout, pid: s?.pid }));\n`);
    const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 })) as { out: string; pid: number };
    assert.equal(out.out, 'hi\n');
    for (let i = 0; i < 50 && alive(out.pid); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(alive(out.pid), false, 'the server shell ended with the process');
    tmp.remove();
  });
});
