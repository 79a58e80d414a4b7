// The operator recorded in journals, locks and bad marks is the git identity, read with the
// real git from the workspace's config and then the global one; the OS user stands in only
// when git has none. Each case runs git in a real repository with its own global config file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { operatorName, readOperatorIdentity } from '../../../src/app/operator';
import { identityOfLabel, operatorLabel } from '../../../src/core/plan/operatorIdentity';
import { revertIdentity } from '../../../src/core/plan/preflight';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { git, tempDir } from '../engine/helpers';

describe('operator identity (real git)', () => {
  const tmp = tempDir('operator');
  after(() => tmp.cleanup());
  const repo = join(tmp.dir, 'repo');
  const emptyGlobal = join(tmp.dir, 'empty.gitconfig');
  const global = join(tmp.dir, 'global.gitconfig');
  writeFileSync(emptyGlobal, '');
  writeFileSync(global, '[user]\n\tname = Glob Al\n\temail = global@example.com\n');
  git(tmp.dir, 'init', '-q', repo);
  const runner = (globalFile: string) => new LocalCommandRunner({ env: { ...process.env, GIT_CONFIG_GLOBAL: globalFile, GIT_CONFIG_NOSYSTEM: '1', HOME: tmp.dir } });
  const osLabel = `${os.userInfo().username}@${os.hostname()}`;

  test('no git identity anywhere: the OS user at this machine', async () => {
    assert.equal(await readOperatorIdentity(runner(emptyGlobal), repo), osLabel);
    assert.equal(operatorName(), osLabel);
  });

  test('the global identity, when the repository has none', async () => {
    assert.equal(await readOperatorIdentity(runner(global), repo), 'Glob Al <global@example.com>');
  });

  test("the repository's own identity wins over the global one, and operatorName says it from then on", async () => {
    git(repo, 'config', 'user.name', 'Dana Ops');
    git(repo, 'config', 'user.email', 'dana@example.com');
    assert.equal(await readOperatorIdentity(runner(global), repo), 'Dana Ops <dana@example.com>');
    assert.equal(operatorName(), 'Dana Ops <dana@example.com>');
  });

  test('only a name, no email: not an identity, the OS user stands in', async () => {
    git(repo, 'config', '--unset', 'user.email');
    assert.equal(await readOperatorIdentity(runner(emptyGlobal), repo), osLabel);
  });
});

describe('operator label', () => {
  test('name <email>, else user@host', () => {
    assert.equal(operatorLabel({ name: ' Dana Ops ', email: 'dana@example.com' }, { user: 'root', host: 'vm' }), 'Dana Ops <dana@example.com>');
    assert.equal(operatorLabel({ name: 'Dana', email: '' }, { user: 'root', host: 'vm' }), 'root@vm');
    assert.equal(operatorLabel(undefined, { user: 'root', host: 'vm' }), 'root@vm');
    // Asked lazily: the OS user (a passwd lookup) is read only when git has no identity.
    let asked = 0;
    const lazy = () => (asked++, { user: 'root', host: 'vm' });
    assert.equal(operatorLabel({ name: 'Dana Ops', email: 'dana@example.com' }, lazy), 'Dana Ops <dana@example.com>');
    assert.equal(asked, 0, 'not read when git names the operator');
    assert.equal(operatorLabel({ name: 'Dana', email: ' ' }, lazy), 'root@vm');
    assert.equal(asked, 1);
    assert.deepEqual(identityOfLabel('Dana Ops <dana@example.com>'), { name: 'Dana Ops', email: 'dana@example.com' });
    assert.equal(identityOfLabel('root@vm'), undefined);
  });

  test('a revert commit planned by a labelled operator carries that identity, not a "Dana <dana" user name', () => {
    assert.deepEqual(revertIdentity(undefined, 'Dana Ops <dana@example.com>'), { name: 'Dana Ops', email: 'dana@example.com' });
    assert.deepEqual(revertIdentity(undefined, 'root@vm'), { name: 'root', email: 'root@vm', fallback: true });
  });
});
