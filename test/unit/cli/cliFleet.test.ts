// rollback-pilot on a fleet (issues 12 and 15): the command line drives the same fleet flow as
// the extension, over four real sshd hosts and the real ansible-playbook, with the Ansible
// plugins it ships beside its bundle. status reads every host; plan previews the batches, the
// playbook and every host's preflight; run --plan refuses a fleet's plan file, saying why, with
// nothing run; run, answered on a pseudo-terminal, rolls the fleet in batches; snapshot records
// the next pre-deploy state on the db host, where the flow reads it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { dbStepRuns, fleetRollbackYml, fleetSshConfig, fleetUnavailable, startFleet, type TestFleet } from '../../support/fleet';
import { healthOf, tempDir } from '../engine/helpers';
import { buildCli, cliEnv, runCli } from './harness';
import { PtySession } from './pty';

const why = fleetUnavailable();

const readdirSafe = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

const journalsIn = (dir: string): RollbackJournal[] => {
  const at = join(dir, '.rollback/journals');
  return existsSync(at) ? readdirSync(at).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as RollbackJournal) : [];
};

describe('rollback-pilot on a fleet (4 real sshd hosts, real ansible-playbook)', { skip: why, timeout: 600_000 }, () => {
  let tmp: { dir: string; cleanup(): void };
  let repo: AppRepo;
  let fleet: TestFleet | undefined;
  let fixtureYml: string;
  let cli: string;
  const sessions: PtySession[] = [];
  before(async () => {
    tmp = tempDir('cli-fleet');
    repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort: 1, workerPort: 2 });
    fixtureYml = readFileSync(join(repo.dir, 'rollback.yml'), 'utf8');
    cli = await buildCli();
  });
  afterEach(async () => {
    while (sessions.length) sessions.pop()!.kill();
    await fleet?.stop();
    fleet = undefined;
  });
  after(() => tmp.cleanup());

  async function setup(): Promise<string[]> {
    fleet = await startFleet({ count: 4, sourceRepo: repo.dir });
    writeFileSync(join(repo.dir, 'rollback.yml'), fleetRollbackYml(fixtureYml, fleet, { healthTimeout: '4s' }));
    const sshConfig = join(tmp.dir, 'ssh_config');
    writeFileSync(sshConfig, fleetSshConfig(fleet));
    return ['--known-hosts', fleet.knownHostsPath, '--ssh-config', sshConfig];
  }

  test('status, plan, then run on a pseudo-terminal: every host on v1.3.0 with health 200, the database step once, the journal is the fleet grid; status says so after', async () => {
    const sshArgs = await setup();
    const before = await runCli(['status', '--env', 'production', '--json', ...sshArgs], { cwd: repo.dir });
    assert.equal(before.code, 0, before.stderr);
    const read = JSON.parse(before.stdout) as { fleet: { summary: string; mixed: boolean }; locks: Array<{ host: string; lock: unknown }> };
    assert.match(read.fleet.summary, /4 hosts/);
    assert.match(read.fleet.summary, /v1\.4\.0/);
    assert.equal(read.locks.length, 4);
    assert.ok(read.locks.every((l) => l.lock === null), JSON.stringify(read.locks));

    // ansible-playbook on PATH that notes each version check (a Python start-up) before running the real one.
    const bin = join(tmp.dir, 'counting-bin');
    const checks = join(tmp.dir, 'version-checks');
    const real = execFileSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).trim();
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ansible-playbook'), `#!/bin/sh\ncase "$*" in *--version*) echo x >> '${checks}';; esac\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'ansible-playbook'), 0o755);
    const planned = await runCli(['plan', '--env', 'production', '--reason', 'api 500 since v1.4.0', ...sshArgs], { cwd: repo.dir, timeoutMs: 180_000, env: cliEnv({ PATH: `${bin}:${process.env.PATH}` }) });
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal(readFileSync(checks, 'utf8').split('\n').filter(Boolean).length, 1, "Ansible's version is checked once per plan");
    assert.match(planned.stdout, /## Fleet: 4 hosts, 3 batches/);
    assert.match(planned.stdout, /### The playbook Ansible runs/);
    assert.match(planned.stdout, /## Preflight on every host, checked just now/);
    // The dry run reaches the canary and fails nothing: check mode calls no URL, so the health task has nothing to wait for.
    assert.match(planned.stdout, /127\.0\.0\.11 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0/);
    assert.doesNotMatch(planned.stdout, /fatal: \[/);
    assert.deepEqual(fleet!.hosts.map(dbStepRuns), [0, 0, 0, 0], 'plan ran nothing');

    // A fleet's plan file: what runs also depends on what it does not hold (the hosts as resolved, the playbook), so run --plan refuses it, saying what to do.
    const json = await runCli(['plan', '--env', 'production', '--reason', 'api 500 since v1.4.0', '--cause', 'code', '--json', ...sshArgs], { cwd: repo.dir, timeoutMs: 180_000 });
    assert.equal(json.code, 0, json.stderr);
    const planFile = join(tmp.dir, 'fleet-plan.json');
    writeFileSync(planFile, json.stdout);
    const refused = await runCli(['run', '--plan', planFile, '--digest', (JSON.parse(json.stdout) as { digest: string }).digest, ...sshArgs], { cwd: repo.dir, timeoutMs: 180_000 });
    assert.equal(refused.code, 3, `${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, /Nothing ran: production is a fleet, and a fleet's plan file cannot be run unchanged .* Run rollback-pilot run --env production/);
    assert.deepEqual(fleet!.hosts.map(dbStepRuns), [0, 0, 0, 0], 'nothing ran');
    assert.equal(journalsIn(repo.dir).length, 0, 'no run was journaled');

    const p = new PtySession([process.execPath, cli, 'run', '--env', 'production', ...sshArgs], { cwd: repo.dir, env: cliEnv({ TERM: 'xterm' }) });
    sessions.push(p);
    {
      await p.expect('Roll back, roll forward, or investigate first?');
      p.type('1');
      await p.expect('What changed in the bad deploy?');
      p.type('1');
      await p.expect('Why are you rolling back?');
      p.type('api /health answers 500 since v1.4.0');
      await p.expect('## Fleet: 4 hosts, 3 batches', 180_000);
      await p.expect('Run this plan? [y/N]', 120_000);
      p.type('y');
      // Each destructive step asks for the environment's name typed (no flag skips it); the database step's choice, when asked, is to run it.
      const questions: string[] = [];
      for (let i = 0; i < 4; i++) {
        const asked = await p.expect(/Choose 1-\d|Type "production" to run it|Rollback finished|Rollout (stopped|finished)|Nothing ran/, 300_000);
        if (/Choose 1-\d$/.test(asked)) p.type('1');
        else if (asked.endsWith('Type "production" to run it')) p.type('production');
        else break;
        questions.push(asked.split('\n').filter(Boolean).slice(-2).join(' / '));
      }
      assert.equal(await p.exitCode(300_000), 0, p.output);
      assert.ok(questions.some((q) => q.includes('Type "production"')), `the environment's name was asked: ${questions.join(' | ')}`);
    }
    for (const h of fleet!.hosts) {
      const r = await healthOf(`http://127.0.0.1:${h.apiPort}/health`);
      assert.equal(r.status, 200, `host ${h.index}`);
      assert.match(r.body, /1\.3\.0/);
    }
    assert.deepEqual(fleet!.hosts.map(dbStepRuns), [1, 0, 0, 0], 'the database step ran once, on the first host');
    const journals = journalsIn(repo.dir);
    assert.equal(journals.length, 1);
    assert.equal(journals[0].status, 'succeeded');
    // The decision as the terminal took it, journaled with its own time (before the run started), as a single host's run keeps it.
    assert.equal(journals[0].decision?.cause, 'code');
    assert.ok(Date.parse(journals[0].decidedAt) < Date.parse(journals[0].startedAt ?? ''), `${journals[0].decidedAt} before ${journals[0].startedAt}`);
    const after = await runCli(['status', '--env', 'production', ...sshArgs], { cwd: repo.dir });
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /4 hosts/);
    assert.match(after.stdout, /locks: free on all 4 hosts/);

    // The next deploy's pre-deploy snapshot, taken where the flow reads it: on the db host (here the first host), its health at its own URL.
    const snap = await runCli(['snapshot', '--env', 'production', ...sshArgs], { cwd: repo.dir, timeoutMs: 120_000 });
    assert.equal(snap.code, 0, `${snap.stdout}${snap.stderr}`);
    assert.match(snap.stdout + snap.stderr, /Snapshot of production \([^)]*127\.0\.0\.11[^)]*\): .*Baseline: api healthy, worker healthy\./);
    const snapshots = (i: number): string[] => readdirSafe(join(fleet!.hosts[i].path, '.rollback/snapshots')).filter((f) => f.endsWith('.json'));
    assert.equal(snapshots(0).length, 1, 'written on the db host');
    assert.deepEqual([1, 2, 3].map((i) => snapshots(i).length), [0, 0, 0], 'and nowhere else');
  });
});
