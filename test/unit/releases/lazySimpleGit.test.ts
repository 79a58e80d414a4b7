// simple-git loads with the first read that needs it, not with SimpleGitPort's module: the
// command line's plan reads git through its fork server (plainRead) and never needs it. Each
// test file runs in its own process, so the module cache here starts without it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SimpleGitPort, type PlainGitRead } from '../../../src/infra/git/simpleGitPort';
import { ShellForkServer } from '../../../src/infra/shell/forkServer';
import { GitFixture, tempDir } from './gitFixture';

const loaded = (): boolean => Object.keys(require.cache).some((k) => k.includes('/node_modules/simple-git/'));

const tmp = tempDir('lazy-simple-git');
after(() => tmp.remove());

test('importing SimpleGitPort and reading the repository state through plainRead loads no simple-git; the first read through simple-git loads it', async () => {
  assert.equal(typeof SimpleGitPort, 'function');
  assert.equal(loaded(), false, 'simple-git loaded at import');
  const repo = new GitFixture(tmp.path);
  repo.commit('one', { 'a.txt': '1' });
  const server = ShellForkServer.start();
  assert.ok(server);
  try {
    const plainRead: PlainGitRead = (command) => server.read(command, repo.dir, 20_000);
    const port = new SimpleGitPort(repo.dir, { plainRead });
    const state = await port.repoState();
    assert.equal(state.kind, 'repo');
    assert.equal(loaded(), false, 'the plain read needed no simple-git');
    assert.equal(await port.isRepo(), true);
    assert.equal(loaded(), true, 'a read through simple-git loads it');
  } finally {
    server.close();
  }
});
