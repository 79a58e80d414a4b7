// The planning-time inspection of the host's files (core/plan/inspectHostFiles.ts) works from
// the repository's top level however deep the environment's path is: read from a folder two
// levels down (a monorepo's service), it lists exactly what it lists from the top.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectHostFiles } from '../../../src/core/plan/inspectHostFiles';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { GitFixture, gitEnv, tempDir } from '../releases/gitFixture';

void describe('inspectHostFiles from a folder inside the repository', () => {
  const tmp = tempDir('inspect-depth');
  let repo: GitFixture;
  let v1: string;

  before(() => {
    repo = new GitFixture(tmp.path);
    repo.commit('v2 base', { '.gitignore': 'settings.env\n', 'services/api/app.txt': '2' });
    // The older release tracks files the host now has untracked or ignored, at the top and in the service's folder.
    repo.git('checkout', '-q', '-b', 'old');
    mkdirSync(join(repo.dir, 'services/api'), { recursive: true });
    writeFileSync(join(repo.dir, 'services/api/settings.env'), 'old');
    repo.git('add', '-f', 'services/api/settings.env');
    v1 = repo.commit('v1', { 'robots.txt': 'old', 'services/api/notes.txt': 'old' });
    repo.git('checkout', '-q', 'main');
    writeFileSync(join(repo.dir, 'robots.txt'), 'host');
    mkdirSync(join(repo.dir, 'services/api'), { recursive: true });
    writeFileSync(join(repo.dir, 'services/api/notes.txt'), 'host');
    writeFileSync(join(repo.dir, 'services/api/settings.env'), 'host');
    writeFileSync(join(repo.dir, 'services/api/app.txt'), 'edited');
  });
  after(() => tmp.remove());

  void it('lists the same files, with the same top-level paths, from services/api as from the top', async () => {
    const runner = new LocalCommandRunner({ env: gitEnv() });
    const top = await inspectHostFiles(runner, repo.dir, v1, 'checkout');
    const deep = await inspectHostFiles(runner, join(repo.dir, 'services/api'), v1, 'checkout');
    assert.deepEqual(top, {
      wouldOverwrite: [
        { path: 'services/api/settings.env', kind: 'ignored' },
        { path: 'robots.txt', kind: 'untracked' },
        { path: 'services/api/notes.txt', kind: 'untracked' },
      ],
      wouldMove: ['services/api/app.txt'],
      blocked: [],
    });
    assert.deepEqual(deep, top);
  });
});
