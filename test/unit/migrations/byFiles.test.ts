import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { migrationsForFiles } from '../../../src/core/migrations';
import { detectChecked } from './shallowCheck';
import { alembicScript, makeRepo, type TempRepo } from './repo';

function git(repo: TempRepo, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: repo.root,
    encoding: 'utf8',
  });
}

void test('migrationsForFiles: the migrations a release added, from its git diff, in apply order', async () => {
  const V = 'alembic/versions';
  const repo = await makeRepo({
    [`${V}/e5_base.py`]: alembicScript('e5', 'None', 'base'),
    'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE a (id int);',
    'migrations/1_init.up.sql': 'CREATE TABLE t (id int);',
    'migrations/1_init.down.sql': 'DROP TABLE t;',
  });
  try {
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'v1');
    git(repo, 'tag', 'v1.0.0');
    // The release adds, in file-name order, revisions whose real order is the reverse.
    await repo.write({
      [`${V}/0a_second.py`]: alembicScript('0a', "'f1'", 'second'),
      [`${V}/f1_first.py`]: alembicScript('f1', "'e5'", 'first'),
      'prisma/migrations/20240202000000_add_email/migration.sql': 'ALTER TABLE a ADD COLUMN email text;',
      'migrations/2_more.up.sql': 'ALTER TABLE t ADD COLUMN x int;',
      'migrations/2_more.down.sql': 'ALTER TABLE t DROP COLUMN x;',
      'src/app.py': 'print(1)\n',
    });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'v2');
    git(repo, 'tag', 'v1.1.0');

    const changed = git(repo, 'diff', '--name-only', 'v1.0.0', 'v1.1.0').trim().split('\n');
    const groups = await detectChecked(repo.fs);
    const added = migrationsForFiles(groups, changed);
    assert.deepEqual(added.map((m) => [m.tool, m.id]), [
      ['alembic', 'f1'],
      ['alembic', '0a'],
      ['golang-migrate', '2'],
      ['prisma', '20240202000000_add_email'],
    ]);

    // A release that only touched a down file still brought that migration; Windows-style paths work too.
    assert.deepEqual(migrationsForFiles(groups, ['migrations\\1_init.down.sql']).map((m) => m.id), ['1']);
    assert.deepEqual(migrationsForFiles(groups, ['src/app.py', 'README.md']), []);
  } finally {
    await repo.cleanup();
  }
});
