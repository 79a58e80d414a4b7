// Who ran it, as rollback-pilot records it: the git identity of the repository (user.name and
// user.email of its config), "Name <email>" as the extension records it, and only without one
// the OS user at the machine. A real `rollback-pilot run` (the shipped bundle, a real process)
// on the fixture app in a real git repository; the journal it writes is read back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { buildCli, cliEnv, runCli } from './harness';

const journalsIn = (dir: string): RollbackJournal[] => {
  const at = join(dir, '.rollback/journals');
  return existsSync(at) ? readdirSync(at).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as RollbackJournal) : [];
};

describe('rollback-pilot records the operator as the git identity (journal of a real run)', { timeout: 300_000 }, () => {
  const tmp = tempDir('cli-operator');
  const apps: string[] = [];
  // A HOME of its own: no global git config, so the repository's config is the only identity.
  const home = join(tmp.dir, 'home');
  before(async () => {
    mkdirSync(home, { recursive: true });
    await buildCli();
  });
  after(() => {
    for (const dir of apps) stopApp(dir);
    tmp.cleanup();
  });

  const app = async (name: string): Promise<string> => {
    const { dir } = await makeAppRepo(join(tmp.dir, name), { apiPort: await freePort(), workerPort: await freePort() });
    apps.push(dir);
    return dir;
  };
  const run = (dir: string) => runCli(['run', '--cause', 'code', '--reason', 'api /health answers 500 since v1.4.0', '--yes'], { cwd: dir, env: cliEnv({ HOME: home }) });

  test("the repository's user.name and user.email: the journal says \"Olga Oncall <olga@shop.example>\"", async () => {
    const dir = await app('with-identity');
    execFileSync('git', ['config', 'user.name', 'Olga Oncall'], { cwd: dir });
    execFileSync('git', ['config', 'user.email', 'olga@shop.example'], { cwd: dir });
    const r = await run(dir);
    const journals = journalsIn(dir);
    assert.equal(journals.length, 1, `one run started (exit ${r.code}): ${r.stderr}`);
    assert.equal(journals[0].operator, 'Olga Oncall <olga@shop.example>');
  });

  test('no git identity anywhere: the OS user at this machine stands in', async () => {
    const dir = await app('without-identity');
    execFileSync('git', ['config', '--unset', 'user.name'], { cwd: dir });
    execFileSync('git', ['config', '--unset', 'user.email'], { cwd: dir });
    const r = await run(dir);
    const journals = journalsIn(dir);
    assert.equal(journals.length, 1, `one run started (exit ${r.code}): ${r.stderr}`);
    assert.equal(journals[0].operator, `${os.userInfo().username}@${os.hostname()}`);
  });

  test('plan, which reads the identity alongside the target: the plan is by "Olga Oncall <olga@shop.example>" and git config was asked once', async () => {
    const dir = await app('plan-identity');
    execFileSync('git', ['config', 'user.name', 'Olga Oncall'], { cwd: dir });
    execFileSync('git', ['config', 'user.email', 'olga@shop.example'], { cwd: dir });
    // git on PATH that notes each identity question before running the real git.
    const bin = join(tmp.dir, 'counting-bin');
    const calls = join(tmp.dir, 'identity-calls');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), `#!/bin/sh\ncase "$*" in *user*name*email*) echo x >> '${calls}';; esac\nexec '${realGit}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const r = await runCli(['plan', '--reason', 'api /health answers 500 since v1.4.0', '--json'], { cwd: dir, env: cliEnv({ HOME: home, PATH: `${bin}:${process.env.PATH}` }) });
    assert.equal(r.code, 0, r.stderr);
    const file = JSON.parse(r.stdout) as { plan: { createdBy: string; steps: Array<{ commands?: string[] }> } };
    assert.equal(file.plan.createdBy, 'Olga Oncall <olga@shop.example>');
    assert.match(JSON.stringify(file.plan.steps), /Olga Oncall/, 'the revert commit carries the identity');
    assert.equal(readFileSync(calls, 'utf8').split('\n').filter(Boolean).length, 1, 'the identity is read once per command');
  });
});
