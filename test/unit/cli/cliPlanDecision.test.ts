// plan --cause as a real process on the fixture app deployed locally (host: local, a real git
// checkout, real /bin/sh): the plan file keeps the decision (what changed, when), and
// run --plan FILE --digest D, without a terminal, rebuilds the plan on that branch and journals
// the decision as made then, without asking it again; the post-mortem reads it from the journal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderPostmortem } from '../../../src/core/postmortem';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { buildCli, cliEnv, runCli } from './harness';

const journalsIn = (dir: string): RollbackJournal[] => {
  const at = join(dir, '.rollback/journals');
  return existsSync(at) ? readdirSync(at).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as RollbackJournal) : [];
};

interface PlanFileJson {
  digest: string;
  plan: { id: string; reason: string; steps: Array<{ id: string; kind: string; title: string }> };
  preview: string;
  decision?: { cause: string; remedy?: string; decidedAt: string };
}

describe('rollback-pilot plan --cause: the decision in the plan file, carried out by run --plan', { timeout: 600_000 }, () => {
  const tmp = tempDir('cli-plan-decision');
  let n = 0;
  const apps: string[] = [];
  before(async () => {
    await buildCli();
  });
  after(() => {
    apps.forEach(stopApp);
    tmp.cleanup();
  });

  /** The fixture app with v1.4.0 (bad) checked out here, rollback.yml's additions committed into v1.4.0, so the checkout stays clean and at the release. */
  const app = async (yml = ''): Promise<string> => {
    const { dir } = await makeAppRepo(join(tmp.dir, `app-${++n}`), { apiPort: await freePort(), workerPort: await freePort() });
    apps.push(dir);
    if (yml) appendFileSync(join(dir, 'rollback.yml'), yml);
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: cliEnv() });
    git('-c', 'user.name=Dana Deployer', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml for the test', '--allow-empty');
    git('tag', '-f', 'v1.4.0');
    return dir;
  };

  test('plan --cause config --remedy restart: the file keeps the decision; run --plan rebuilds the restart plan, journals the decision time and reason; the post-mortem shows them', async () => {
    const dir = await app();
    const reason = 'the api lost its settings after the deploy';
    const before = Date.now();
    const planned = await runCli(['plan', '--cause', 'config', '--remedy', 'restart', '--reason', reason, '--json'], { cwd: dir });
    assert.equal(planned.code, 0, planned.stderr);
    const file = JSON.parse(planned.stdout) as PlanFileJson;
    assert.equal(file.decision?.cause, 'configuration');
    assert.equal(file.decision?.remedy, 'restart');
    const decidedAt = Date.parse(file.decision!.decidedAt);
    assert.ok(decidedAt >= before - 1000 && decidedAt <= Date.now(), file.decision!.decidedAt);
    assert.equal(file.plan.reason, reason);
    assert.doesNotMatch(file.preview, /git revert|Revert the code/i, 'a restart changes no code');
    assert.match(file.preview, /restart/i);

    const planFile = join(tmp.dir, `plan-${n}.json`);
    writeFileSync(planFile, planned.stdout);
    // Some time between the decision and the run (a review, a CI queue): the journal keeps the decision's own time.
    await new Promise((r) => setTimeout(r, 1100));
    const ran = await runCli(['run', '--plan', planFile, '--digest', file.digest, '--yes'], { cwd: dir });
    // The restart ran to its health checks: v1.4.0's api still answers 500 after a restart, so the run fails there (exit 1).
    assert.equal(ran.code, 1, ran.stdout + ran.stderr);
    assert.doesNotMatch(ran.stderr, /changed since you previewed|Why are you rolling back|What changed in the bad deploy/, ran.stderr);
    assert.match(ran.stderr, /Decision \(plan --cause, [^)]+\): roll back; what changed: config \(restart\)\. Not asked again\./);
    const journals = journalsIn(dir);
    assert.deepEqual(journals.map((j) => j.runId), [file.plan.id], ran.stdout + ran.stderr);
    const [journal] = journals;
    assert.equal(journal.decidedAt, file.decision!.decidedAt);
    assert.ok(Date.parse(journal.startedAt!) - Date.parse(journal.decidedAt) >= 1000, `started ${journal.startedAt}, decided ${journal.decidedAt}`);
    assert.equal(journal.plan.reason, reason);
    assert.equal(journal.status, 'failed');
    assert.deepEqual(journal.plan.steps.map((s) => s.id), file.plan.steps.map((s) => s.id), 'the restart plan ran, not a code rollback');

    const postmortem = renderPostmortem(journal);
    assert.match(postmortem, new RegExp(`\\*\\*Reason:\\*\\* ${reason}`));
    const at = journal.decidedAt.slice(11, 19);
    assert.match(postmortem, new RegExp(`\\| [^|]*${at}[^|]* \\| Decision to roll back v1\\.4\\.0 to v1\\.4\\.0: ${reason} \\|`), postmortem.split('## Timeline')[1]?.slice(0, 600));
    // The decision record as the interactive run journals it, marked as given by the command.
    assert.deepEqual(journal.decision, { asked: [], investigations: [], decidedAt: file.decision!.decidedAt, cause: 'configuration', remedy: 'restart', causeGiven: true });
    assert.match(postmortem, /configuration \(restart\), given by the command/, postmortem.slice(0, 1500));
  });

  test('plan --cause unknown is the full rollback; the run rebuilds on the file\'s decision (taken out, the rebuild is a code rollback and nothing runs); without --cause the file has no decision', async () => {
    const dir = await app();
    const full = await runCli(['plan', '--cause', 'unknown', '--reason', 'not sure what broke', '--json'], { cwd: dir });
    assert.equal(full.code, 0, full.stderr);
    const fullFile = JSON.parse(full.stdout) as PlanFileJson;
    assert.equal(fullFile.decision?.cause, 'unknown');
    const code = await runCli(['plan', '--reason', 'not sure what broke', '--json'], { cwd: dir });
    assert.equal(code.code, 0, code.stderr);
    const codeFile = JSON.parse(code.stdout) as PlanFileJson;
    assert.equal(codeFile.decision, undefined);
    // Every service redeployed in the full rollback; the code rollback only redeploys what v1.4.0 changed.
    const deploys = (f: PlanFileJson): string[] => f.plan.steps.filter((s) => /deploy|redeploy/i.test(s.title)).map((s) => s.title);
    assert.ok(deploys(fullFile).length > deploys(codeFile).length, `${deploys(fullFile).join('; ')} vs ${deploys(codeFile).join('; ')}`);

    // The decision decides the rebuild: the full rollback's file, with its decision taken out, no longer matches what run rebuilds (a code rollback) and nothing runs.
    const stripped = join(tmp.dir, `stripped-${n}.json`);
    const { decision: _dropped, ...rest } = fullFile;
    writeFileSync(stripped, JSON.stringify(rest));
    const refused = await runCli(['run', '--plan', stripped, '--digest', fullFile.digest, '--yes'], { cwd: dir });
    assert.equal(refused.code, 3, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /changed since you previewed it, so nothing ran/);
    assert.deepEqual(journalsIn(dir), []);
  });

  test('plan --cause config without --remedy and without a terminal refuses naming --remedy; a plan file with a cause it does not know is refused (exit 3)', async () => {
    const dir = await app();
    const asked = await runCli(['plan', '--cause', 'config', '--reason', 'settings', '--json'], { cwd: dir });
    assert.equal(asked.code, 4, asked.stderr);
    assert.match(asked.stderr, /--remedy restore or --remedy restart/);
    assert.equal(asked.stdout, '');

    const planned = await runCli(['plan', '--cause', 'code', '--reason', 'bad code', '--json'], { cwd: dir });
    assert.equal(planned.code, 0, planned.stderr);
    const file = JSON.parse(planned.stdout) as PlanFileJson;
    assert.equal(file.decision?.cause, 'code');
    const bad = join(tmp.dir, `bad-${n}.json`);
    writeFileSync(bad, JSON.stringify({ ...file, decision: { ...file.decision, cause: 'weather' } }));
    const refused = await runCli(['run', '--plan', bad, '--digest', file.digest], { cwd: dir });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /"decision" names no cause \(code, database, configuration, unknown\)/);
    assert.deepEqual(journalsIn(dir), []);
  });
});
