// A deploy host where the checkout belongs to another user than the one we connect as: git
// refuses it ("detected dubious ownership"). Planning and the preflight say exactly that, with
// the fix, instead of "not a git work tree". Needs root to give the checkout away (CI is root).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { EnvironmentConfig } from '../../../src/core/config/types';
import { preflightStep } from '../../../src/core/plan/preflight';
import { readDeployed } from '../../../src/core/releases/deployedOnTarget';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from './helpers';

const root = process.getuid?.() === 0;

describe('a checkout owned by another user (real git, real /bin/sh)', { skip: root ? undefined : 'needs root to chown the checkout to nobody' }, () => {
  const tmp = tempDir('dubious');
  after(() => tmp.cleanup());
  const repo = join(tmp.dir, 'app');
  mkdirSync(repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=D', '-c', 'user.email=d@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'v1');
  const sha = git('rev-parse', 'HEAD');
  execFileSync('chown', ['-R', 'nobody', repo]);
  chownSync(tmp.dir, 0, 0);
  // HOME without a safe.directory of its own, so the test does not depend on the machine's git config.
  const env = { ...process.env, HOME: tmp.dir, GIT_CONFIG_NOSYSTEM: '1' };

  test('planning names the owner problem and the fix', async () => {
    const runner = new LocalCommandRunner({ env });
    const environment = { name: 'production', host: 'local', path: repo } as EnvironmentConfig;
    await assert.rejects(readDeployed(runner, environment, { resolve: async (r) => r }), (e: Error) => {
      assert.match(e.message, /is owned by another user than the one this connects as, so git refuses it \(fatal: detected dubious ownership/);
      assert.match(e.message, new RegExp(`git config --global --add safe\\.directory ${repo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
      return true;
    });
  });

  test('the preflight refuses it with the same words, before anything changes', () => {
    const step = preflightStep({
      at: (command) => ({ command, where: 'local', cwd: repo }),
      where: 'local',
      cwd: repo,
      environment: 'production',
      strategy: 'checkout',
      from: { name: 'v1', sha },
      to: { name: 'v0', sha },
      services: [],
      healthWhere: 'local',
    });
    const r = spawnSync('/bin/sh', ['-c', step.commands[0].command], { cwd: repo, env, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /is owned by another user than the one this connects as, so git refuses it/);
    assert.doesNotMatch(r.stderr, /is not a git work tree/);
  });
});
