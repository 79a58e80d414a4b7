// operatorGitIdentity reads user.name and user.email with one git process, and answers what
// `git config --get` answers for each: the repository's value over the global one, the last of
// several, a value with spaces and non-ASCII kept; nothing when either is missing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { operatorGitIdentity } from '../../../src/core/plan/preflight';
import type { CommandRunner, ExecOptions } from '../../../src/core/ports';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { gitEnv, tempDir } from '../releases/gitFixture';

void describe('operatorGitIdentity', () => {
  const tmp = tempDir('git-identity');
  after(() => tmp.remove());
  let n = 0;

  /** A repository with `local` as its config and `global` as the user's; the runner counts what it runs. */
  const setup = (local: string, global: string) => {
    const dir = join(tmp.path, `r${++n}`);
    execFileSync('git', ['init', '-q', dir], { env: gitEnv() });
    writeFileSync(join(dir, '.git', 'config'), `[core]\n\trepositoryformatversion = 0\n${local}`);
    const home = join(tmp.path, `global${n}`);
    writeFileSync(home, global);
    const env = { ...gitEnv(), GIT_CONFIG_GLOBAL: home };
    const commands: string[] = [];
    const inner = new LocalCommandRunner({ env });
    const runner: CommandRunner = { where: 'local', run: (c: string, o?: ExecOptions) => (commands.push(c), inner.run(c, o)), dispose: () => inner.dispose() };
    const get = (key: string): string => {
      try {
        return execFileSync('git', ['config', '--get', key], { cwd: dir, env, encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    return { dir, runner, commands, get };
  };

  void it('answers as git config --get does, from one process', async () => {
    const r = setup('[user]\n\tname = First Name\n\tname = Zoë Ops-Lead\n', '[user]\n\tname = Global Person\n\temail = zoe@shop.example\n');
    const id = await operatorGitIdentity(r.runner, r.dir);
    assert.deepEqual(id, { name: r.get('user.name'), email: r.get('user.email') });
    assert.deepEqual(id, { name: 'Zoë Ops-Lead', email: 'zoe@shop.example' });
    assert.equal(r.commands.length, 1);
  });

  void it('nothing when the email (or the name) is not set', async () => {
    const a = setup('[user]\n\tname = Only Name\n', '');
    assert.equal(await operatorGitIdentity(a.runner, a.dir), undefined);
    const r = setup('[user]\n\temail = only@shop.example\n', '');
    assert.equal(await operatorGitIdentity(r.runner, r.dir), undefined);
  });
});
