// The post-mortem's path comes from a journal, which is a file anyone can edit or commit:
// hostile journals must not name a file outside the workspace's docs/postmortems folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultPostmortemPath, postmortemPathIn, PostmortemPathError } from '../../../src/core/postmortem';
import { safeNamePart } from '../../../src/core/postmortem/paths';

const journal = (decidedAt: unknown, from = 'v1.4.2', to = 'v1.4.1') => ({
  runId: 'rb-test',
  decidedAt: decidedAt as string,
  plan: { from: { name: from, sha: 'a'.repeat(40) }, to: { name: to, sha: 'b'.repeat(40) } } as never,
});

test('a journal whose decidedAt is not a date is refused with a message naming the run and the value', () => {
  for (const bad of ['../../etc/x', '2026-11-21/../../../etc/passwd', '2026-13-01T00:00:00Z', '2026-02-30', '', 'yesterday', '2026-11-21T10:00:00Z/../x', `2026-11-21\0`, 42, null]) {
    assert.throws(() => defaultPostmortemPath(journal(bad)), (e: Error) => e instanceof PostmortemPathError && /run rb-test has decidedAt .* not an ISO 8601 date/.test(e.message), JSON.stringify(bad));
  }
  assert.equal(defaultPostmortemPath(journal('2026-11-21T10:00:00.000Z')), 'docs/postmortems/2026-11-21-v1.4.2-to-v1.4.1.md');
  assert.equal(defaultPostmortemPath(journal('2026-11-21T10:00:00+02:00')), 'docs/postmortems/2026-11-21-v1.4.2-to-v1.4.1.md');
});

test('release names with /, .., NUL, backslashes or only dots become safe file-name parts', () => {
  const d = '2026-11-21T10:00:00.000Z';
  assert.equal(defaultPostmortemPath(journal(d, '../../../etc/passwd', 'v1.0\0/../../x')), 'docs/postmortems/2026-11-21-etc-passwd-to-v1.0-x.md');
  assert.equal(defaultPostmortemPath(journal(d, '..', '...')), 'docs/postmortems/2026-11-21-unknown-to-unknown.md');
  assert.equal(defaultPostmortemPath(journal(d, 'release\\..\\..\\win', 'C:\\x')), 'docs/postmortems/2026-11-21-release-win-to-C-x.md');
  assert.equal(defaultPostmortemPath(journal(d, 'a..b', 'v2$(touch PWNED)')), 'docs/postmortems/2026-11-21-a.b-to-v2-touch-PWNED.md');
  assert.equal(safeNamePart('x'.repeat(500)).length, 80, 'a file name stays under the 255-byte limit');
});

test('any journal names a file directly inside <workspace>/docs/postmortems, or is refused', () => {
  const root = mkdtempSync(join(tmpdir(), 'rp-pm-'));
  try {
    const folder = join(root, 'docs', 'postmortems');
    const name = fc.string({ unit: fc.constantFrom('.', '/', '\\', '\0', 'a', '-', ' ', 'é', ':', '~', '$'), maxLength: 30 });
    fc.assert(
      fc.property(fc.oneof(name, fc.constant('2026-11-21T00:00:00Z')), name, name, (decidedAt, from, to) => {
        let file: string;
        try {
          file = postmortemPathIn(root, journal(decidedAt, from, to));
        } catch (e) {
          assert.ok(e instanceof PostmortemPathError, String(e));
          return;
        }
        assert.equal(dirname(file), folder);
        assert.match(file.slice(folder.length + 1), /^\d{4}-\d{2}-\d{2}-[A-Za-z0-9._-]+-to-[A-Za-z0-9._-]+\.md$/);
      }),
      { numRuns: 1000 },
    );
    assert.throws(() => postmortemPathIn(root, journal('2026-11-21T00:00:00Z'), '../outside'), /not a file directly inside the workspace folder|outside/);
    assert.throws(() => postmortemPathIn(root, journal('2026-11-21T00:00:00Z'), '/etc'), PostmortemPathError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
