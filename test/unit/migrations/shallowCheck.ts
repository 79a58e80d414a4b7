// Every existing detection test also checks that the shallow first paint agrees with the full
// detection on its fixture: the tests call `detectChecked` instead of `detectMigrations`.
import assert from 'node:assert/strict';
import { detectMigrations, type DetectOptions, type MigrationGroup } from '../../../src/core/migrations';
import type { FileSystemPort } from '../../../src/core/ports';
import { CountingFileSystem } from './repo';

/** Problems only a file's contents reveal; the shallow pass may leave these to the full pass. */
const CONTENT_ONLY_PROBLEM = [
  /^not UTF-8 /,
  /^could not read: /,
  /^Python syntax error at /,
  /^does not parse: /,
  /^looks like a .* migration \(.*\), but this folder holds /,
  /^no exported `(up|down)` function/,
  /^`down` is false: /,
  /^no `-- \+goose (Up|Down)`/,
  /^no `-- Down Migration` section/,
  /^registers no down function/,
];

function isContentOnly(problem: string): boolean {
  return CONTENT_ONLY_PROBLEM.some((re) => re.test(problem));
}

/** `shallow` must be `full` with some content-only problems left out, in the same order. */
function assertProblemsAgree(full: string[], shallow: string[], where: string): void {
  let i = 0;
  for (const problem of full) {
    if (i < shallow.length && shallow[i] === problem) i++;
    else assert.ok(isContentOnly(problem), `${where}: shallow detection lost the problem ${JSON.stringify(problem)} (shallow: ${JSON.stringify(shallow)})`);
  }
  assert.equal(i, shallow.length, `${where}: shallow detection has problems the full one lacks: ${JSON.stringify(shallow.slice(i))}`);
}

function withoutProblems(groups: MigrationGroup[]): unknown {
  return groups.map(({ problems: _g, migrations, ...group }) => ({
    ...group,
    migrations: migrations.map(({ problems: _m, ...migration }) => migration),
  }));
}

export function assertShallowAgrees(full: MigrationGroup[], shallow: MigrationGroup[]): void {
  assert.deepEqual(withoutProblems(shallow), withoutProblems(full), 'shallow detection gave other groups than the full one');
  full.forEach((g, gi) => {
    assertProblemsAgree(g.problems, shallow[gi].problems, `group ${g.dir}`);
    g.migrations.forEach((m, mi) => assertProblemsAgree(m.problems, shallow[gi].migrations[mi].problems, `${m.file}`));
  });
}

/** Full detection (what the test asserts on), cross-checked against a shallow one of the same repo. */
export async function detectChecked(fs: FileSystemPort, opts: DetectOptions = {}): Promise<MigrationGroup[]> {
  const full = await detectMigrations(fs, opts);
  // The shallow pass must not disturb a test that counts the full pass's reads.
  const plain = fs instanceof CountingFileSystem ? fs.inner : fs;
  assertShallowAgrees(full, await detectMigrations(plain, { ...opts, shallow: true }));
  return full;
}
