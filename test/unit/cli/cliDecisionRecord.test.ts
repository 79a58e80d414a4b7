// rollback-pilot run records the decision as the extension does (the same application layer):
// on a real pseudo-terminal, a brief investigation runs to its end, the question comes back,
// "roll back", the code; once the run has started, its journal (a real file) says when the
// question was asked (twice), the investigation and how it ended, and the decision's cause.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { makeAppRepo } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { buildCli, cliEnv } from './harness';
import { PtySession } from './pty';

const journalsIn = (dir: string): RollbackJournal[] => {
  const at = join(dir, '.rollback/journals');
  return existsSync(at) ? readdirSync(at).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(at, f), 'utf8')) as RollbackJournal) : [];
};

describe('rollback-pilot run: the decision in the journal', { timeout: 180_000 }, () => {
  const tmp = tempDir('cli-decision-record');
  let cli: string;
  let session: PtySession | undefined;
  before(async () => {
    cli = await buildCli();
  });
  after(() => {
    session?.kill();
    tmp.cleanup();
  });

  test('investigated to the end on a terminal, then roll back, the code: the run\'s journal has the question, the investigation and the cause', async () => {
    // The fixture app with v1.4.0 (bad) checked out, rollback.yml's 2-second investigation committed into it (the checkout stays clean).
    const { dir } = await makeAppRepo(join(tmp.dir, 'app'), { apiPort: await freePort(), workerPort: await freePort() });
    appendFileSync(join(dir, 'rollback.yml'), 'decision: { investigateFor: 2s }\n');
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: cliEnv() });
    git('-c', 'user.name=Dana Deployer', '-c', 'user.email=dana@shop.example', 'commit', '-qam', 'rollback.yml for the test');
    git('tag', '-f', 'v1.4.0');
    const p = (session = new PtySession([process.execPath, cli, 'run'], { cwd: dir, env: cliEnv({ TERM: 'xterm' }) }));
    await p.expect('Choose 1-3 [1]');
    p.type('3');
    await p.expect('Brief investigation (2 s, runbook 000)');
    await p.expect('The investigation time is over: decide now', 15_000);
    await p.expect('Choose 1-3 [1]');
    p.type('1');
    await p.expect('What changed in the bad deploy?');
    await p.expect('Choose 1-4');
    p.type('1');
    await p.expect('Why are you rolling back?');
    p.type('api /health answers 500 since v1.4.0');
    await p.expect('Run this plan? [y/N]');
    p.type('y');
    // The journal is written when the run starts; what the run asks later does not matter here.
    let journal: RollbackJournal | undefined;
    for (let i = 0; i < 150 && !journal; i++) {
      journal = journalsIn(dir)[0];
      if (!journal) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(journal, `a journal was written:\n${p.output}`);
    const d = journal.decision;
    assert.ok(d, `the journal has the decision: ${Object.keys(journal).join(', ')}`);
    assert.equal(d.asked.length, 2, 'asked, then asked again after the investigation');
    assert.deepEqual(d.investigations.map((i) => [i.lengthMs, i.ended, i.timeUp]), [[2_000, 'asked-again', true]]);
    assert.ok(Date.parse(d.investigations[0]!.startedAt) >= Date.parse(d.asked[0]!.at) && Date.parse(d.asked[1]!.at) >= Date.parse(d.investigations[0]!.endedAt));
    assert.deepEqual([d.cause, d.causeGiven, d.decidedAt], ['code', undefined, journal.decidedAt]);
  });
});
