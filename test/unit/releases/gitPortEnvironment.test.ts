// SimpleGitPort's git environment and its plain reads (the command line's fork server), on real
// repositories: variables simple-git refuses to pass on (PREFIX, GIT_EXEC_PATH, EDITOR in any
// case) no longer stop every read, and the first reads of a listing answered by the fork
// server are exactly what simple-git answers, in the same environment, falling back to
// simple-git whenever the plain read does not answer cleanly.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SimpleGitPort, plainGitCommand, type PlainGitRead } from '../../../src/infra/git/simpleGitPort';
import { fileTagFieldsCache } from '../../../src/infra/git/tagCache';
import { ShellForkServer } from '../../../src/infra/shell/forkServer';
import { GitFixture, tempDir } from './gitFixture';

/** Runs `body` with `vars` set in process.env (undefined: removed), then puts everything back. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  put(vars);
  try {
    return await body();
  } finally {
    put(saved);
  }
}

void describe('SimpleGitPort: the environment git runs in, and plain reads', () => {
  const tmp = tempDir('port-env');
  let repo: GitFixture;
  let other: GitFixture;
  let server: ShellForkServer;

  before(() => {
    repo = new GitFixture(`${tmp.path}/repo`);
    for (let i = 0; i < 4; i++) {
      repo.commit(`change ${i}`, { 'a.txt': String(i) });
      repo.tag(`v1.${i}.0`, { annotated: i % 2 === 0 });
    }
    other = new GitFixture(`${tmp.path}/other`);
    other.commit('elsewhere', { 'b.txt': 'b' });
    other.tag('v9.9.9');
    const s = ShellForkServer.start();
    assert.ok(s, 'a fork server starts here');
    server = s;
  });
  after(() => {
    server.close();
    tmp.remove();
  });

  const fork: PlainGitRead = (command) => server.read(command, repo.dir, 20_000, 64 * 1024 * 1024);
  const answers = async (port: SimpleGitPort) => ({ state: await port.repoState(), tags: await port.listTags('v*') });

  void it('lists the tags and reads HEAD with variables set that simple-git refuses to pass on (PREFIX, GIT_EXEC_PATH, a lowercase editor) or that point elsewhere (GIT_DIR)', async () => {
    const expected = await answers(new SimpleGitPort(repo.dir));
    assert.equal(expected.tags.length, 4);
    const hostile = { PREFIX: '/data/data/com.termux/files/usr', GIT_EXEC_PATH: '/nonexistent/git-core', editor: 'vi', Pager: 'less', GIT_DIR: `${other.dir}/.git` };
    const got = await withEnv(hostile, () => answers(new SimpleGitPort(repo.dir)));
    assert.deepEqual(got, expected);
  });

  void it('answers the repository state and the tag listing through plainRead exactly as through simple-git, with and without the tag cache', async () => {
    const asked: string[] = [];
    const counting: PlainGitRead = (command) => {
      asked.push(command);
      return fork(command);
    };
    const expected = await answers(new SimpleGitPort(repo.dir));
    assert.deepEqual(await answers(new SimpleGitPort(repo.dir, { plainRead: counting })), expected);
    const cache = fileTagFieldsCache(`${tmp.path}/cache/tags.cache`);
    assert.deepEqual(await answers(new SimpleGitPort(repo.dir, { plainRead: counting, tagCache: cache })), expected, 'first run: the cache is written');
    assert.deepEqual(await answers(new SimpleGitPort(repo.dir, { plainRead: counting, tagCache: cache })), expected, 'second run: the tags come from the cache');
    assert.ok(asked.some((c) => c.includes("'rev-parse' '--is-shallow-repository'") || c.includes('rev-parse --is-shallow-repository')), asked.join('\n'));
    assert.ok(asked.some((c) => c.includes('for-each-ref')), 'the names listing went through plainRead');
  });

  void it('in the environment simple-git gives git: a GIT_DIR set to another repository does not reach the plain read', async () => {
    const expected = await answers(new SimpleGitPort(repo.dir));
    // A command line started with them (from a git hook, say): its fork server has them too.
    const got = await withEnv({ GIT_DIR: `${other.dir}/.git`, GIT_WORK_TREE: other.dir }, async () => {
      const own = ShellForkServer.start();
      assert.ok(own);
      try {
        const asked: string[] = [];
        const plainRead: PlainGitRead = (command) => (asked.push(command), own.read(command, repo.dir, 20_000));
        const result = await answers(new SimpleGitPort(repo.dir, { plainRead, tagCache: fileTagFieldsCache(`${tmp.path}/cache-env/tags.cache`) }));
        assert.equal(asked.length, 2, `the state and the names listing were read plainly: ${JSON.stringify(asked)}`);
        return result;
      } finally {
        own.close();
      }
    });
    assert.deepEqual(got, expected);
    assert.match(plainGitCommand(['rev-parse', 'HEAD'], { GIT_DIR: '/x', PREFIX: '/y', HOME: '/h' }) ?? '', /^unset GIT_DIR PREFIX\n.*exec git rev-parse HEAD$/);
    assert.equal(plainGitCommand(['rev-parse'], { 'GIT_BAD-NAME': 'x' }), undefined, 'a variable no shell can unset: simple-git reads instead');
  });

  void it('a hostile tag pattern reaches git through the plain read as one quoted word: nothing runs, the answer is simple-git\'s', async () => {
    const marker = `${tmp.path}/pwned`;
    for (const pattern of [`v*';touch\${IFS}${marker};'`, 'v*$(touch${IFS}' + marker + ')', 'v*`touch${IFS}' + marker + '`', 'v*";touch${IFS}' + marker + ';"']) {
      const asked: string[] = [];
      const plainRead: PlainGitRead = (command) => (asked.push(command), fork(command));
      const cache = fileTagFieldsCache(`${tmp.path}/cache-hostile/tags.cache`);
      const got = await new SimpleGitPort(repo.dir, { plainRead, tagCache: cache }).listTags(pattern);
      assert.deepEqual(got, await new SimpleGitPort(repo.dir).listTags(pattern), pattern);
      assert.ok(asked.some((c) => c.includes('for-each-ref')), 'the names listing went through the shell');
      assert.equal(existsSync(marker), false, `${pattern} ran a command`);
    }
  });

  void it('anything but a clean, whole answer is asked again through simple-git: a failure, no answer, output cut short, a folder that is not a repository', async () => {
    const expected = await answers(new SimpleGitPort(repo.dir));
    const failing: PlainGitRead = () => Promise.resolve({ code: 1, stdout: 'wrong' });
    const silent: PlainGitRead = () => Promise.resolve(undefined);
    const throwing: PlainGitRead = () => Promise.reject(new Error('server gone'));
    const cut: PlainGitRead = async (command) => {
      const r = await fork(command);
      return r && { ...r, stdout: r.stdout.slice(0, 10), droppedBytes: { stdout: 100 } };
    };
    for (const plainRead of [failing, silent, throwing, cut]) assert.deepEqual(await answers(new SimpleGitPort(repo.dir, { plainRead })), expected);
    const plain = tempDir('port-env-plain');
    try {
      const notRepo = new SimpleGitPort(plain.path, { plainRead: (command) => server.run(command, plain.path, 20_000, () => Promise.resolve({ code: null, signal: null, stdout: '', stderr: '', durationMs: 0 })) ?? Promise.resolve(undefined) });
      assert.equal((await notRepo.repoState()).kind, 'not-a-repo', 'git\'s error is classified by simple-git as before');
    } finally {
      plain.remove();
    }
  });
});
