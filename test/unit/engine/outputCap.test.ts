// Output kept as a bounded tail: the local runner on a real /bin/sh printing 50 MB, and the
// tail itself against a plain reference over generated multi-byte streams.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { droppedOutputNote } from '../../../src/core/run/droppedOutput';
import { OUTPUT_TAIL_BYTES, OutputTail } from '../../../src/infra/outputTail';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PsqlClient } from '../../../src/infra/sql/pgClient';
import { startPostgres } from '../../support/postgres';
import { git, tempDir } from './helpers';

test('a local command printing 50 MB on each stream: a 1 MiB tail of each, the exact bytes dropped, every byte streamed', async () => {
  const total = 50 * 1024 * 1024;
  const streamed = { stdout: 0, stderr: 0 };
  const r = await new LocalCommandRunner().run(`head -c ${total} /dev/zero | tr '\\0' a; printf END; head -c ${total} /dev/zero | tr '\\0' b >&2; printf ERR >&2`, {
    onOutput: (c, s) => (streamed[s] += Buffer.byteLength(c)),
  });
  assert.equal(r.code, 0);
  assert.deepEqual(streamed, { stdout: total + 3, stderr: total + 3 });
  assert.ok(r.stdout.length <= OUTPUT_TAIL_BYTES && r.stderr.length <= OUTPUT_TAIL_BYTES, `kept ${r.stdout.length} + ${r.stderr.length} chars`);
  assert.ok(r.stdout.endsWith('aaEND') && r.stderr.endsWith('bbERR'));
  assert.deepEqual(r.droppedBytes, { stdout: total + 3 - Buffer.byteLength(r.stdout), stderr: total + 3 - Buffer.byteLength(r.stderr) });
  assert.equal(droppedOutputNote(r), `[… ${(2 * (total + 3) - Buffer.byteLength(r.stdout) - Buffer.byteLength(r.stderr)).toLocaleString('en-US')} bytes of output not kept (stdout ${r.droppedBytes!.stdout.toLocaleString('en-US')}, stderr ${r.droppedBytes!.stderr.toLocaleString('en-US')}): only the end of each stream was kept]`);
});

test('a local command with small output keeps all of it and reports nothing dropped', async () => {
  const r = await new LocalCommandRunner().run("printf 'é€😀\\n'; echo err >&2");
  assert.deepEqual([r.stdout, r.stderr, r.droppedBytes], ['é€😀\n', 'err\n', undefined]);
  assert.equal(droppedOutputNote(r), undefined);
});

/** The reference: the longest suffix of the whole text that starts on a character and fits the cap. */
function referenceTail(full: string, cap: number): { kept: string; dropped: number } {
  const buf = Buffer.from(full, 'utf8');
  let start = Math.max(0, buf.length - cap);
  while (start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
  return { kept: buf.subarray(start).toString('utf8'), dropped: start };
}

test('OutputTail keeps exactly the longest whole-character suffix that fits, and counts every byte it lets go', () => {
  const char = fc.constantFrom('a', 'é', '€', '😀', '\n', 'z');
  const chunk = fc.array(char, { maxLength: 40 }).map((cs) => cs.join(''));
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 60 }), fc.integer({ min: 1, max: 64 }), (chunks, cap) => {
      const t = new OutputTail(cap);
      for (const c of chunks) t.append(c);
      const full = chunks.join('');
      const want = referenceTail(full, cap);
      assert.equal(t.text(), want.kept);
      assert.equal(t.dropped, want.dropped);
      assert.equal(t.keptBytes + t.dropped, Buffer.byteLength(full));
      assert.ok(t.keptBytes <= cap);
    }),
    { numRuns: 2000 },
  );
});

test('an answer larger than the tail is refused where it is parsed whole, never read in part: git (planner) and psql (applied state)', async () => {
  const t = tempDir('out-cap-git');
  const pg = await startPostgres();
  try {
    git(t.dir, 'init', '-q');
    // A 1.5 MB commit subject: git's answer to the planner's "subject" question does not fit.
    writeFileSync(join(t.dir, 'msg'), `${'x'.repeat(1_500_000)}\n`);
    git(t.dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-F', 'msg');
    const q = gitQueriesVia(new LocalCommandRunner(), t.dir);
    const sha = await q.revParseCommit('HEAD');
    await assert.rejects(q.subject(sha), /git failed: git log -1 --format=%s .*\nits output was too large to read whole \(\d+ bytes not kept\)/s);
    const db = new PsqlClient(new LocalCommandRunner(), pg.psqlCommand());
    assert.deepEqual(await db.query("SELECT 'small', 1"), [['small', '1']]);
    await assert.rejects(db.query("SELECT repeat('y', 2000000)"), /the answer was too large to read whole \(\d+ bytes not kept\)/);
  } finally {
    await pg.stop();
    t.cleanup();
  }
});
