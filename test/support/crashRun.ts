// The child process of the crash test (test/unit/engine/crashAtEverySave.test.ts): runs or
// resumes one realistic local plan with the real RollbackRunner and FileJournalStore, and
// kills itself with SIGKILL right before or right after journal save number RP_CRASH_AT.
//
// Environment: RP_WORK (folder with repo/, journals/, side-effects.log, host/), RP_MODE
// ("run" | "resume"), RP_CRASH_AT (1-based save number, 0 = never), RP_CRASH_WHEN
// ("before" | "after"), RP_ASKED (file the resume's operator appends each question to).
// Prints "SAVES <n>" (the saves it made) and "STATE <json>" at the end of a run that was not killed.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanCommand, PlanStep, RollbackPlan } from '../../src/core/plan/types';
import type { RollbackJournal } from '../../src/core/run/journalTypes';
import type { JournalStore, Prompter, UnknownOutcomeAnswer } from '../../src/core/run/ports';
import { RollbackRunner } from '../../src/core/run/runner';
import { FileJournalStore } from '../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../src/infra/shell/localCommandRunner';
import { NodeLocalProcesses } from '../../src/infra/shell/localProcesses';

export const RUN_ID = 'crash-run';
export const STASH_MESSAGE = 'rollback-pilot: crash-run';

/** Every command step appends its id to this log: the test counts how often each one ran. */
export function sideEffectsLog(work: string): string {
  return join(work, 'side-effects.log');
}

/**
 * 10 steps as a local revert rollback has them: notify, preflight, stash, revert, config,
 * build and deploy of the service, a warm-up wait, a push, notify. Four have a check (stash,
 * revert, config, push), one only observes (the wait), five have no check at all (their
 * effect cannot be told from outside: only the log shows it).
 */
export function crashPlan(work: string, badSha: string): RollbackPlan {
  const repo = join(work, 'repo');
  const log = sideEffectsLog(work);
  const at = (command: string): PlanCommand => ({ command, where: 'local', cwd: repo });
  const logged = (id: string, command?: string): PlanCommand => at(`${command ? `${command} && ` : ''}echo ${id} >> '${log}'`);
  const step = (id: string, kind: PlanStep['kind'], title: string, command?: string, extra: Partial<PlanStep> = {}): PlanStep => ({
    id, kind, title, why: 'crash test', commands: [logged(id, command)], destructive: false, ...extra,
  });
  const release = join(work, 'host', 'release');
  const steps: PlanStep[] = [
    step('notify-start', 'notify', 'Tell the team the rollback starts'),
    step('preflight', 'snapshot', 'Preflight: the deployed release is the bad one', `test "$(git rev-parse HEAD)" = ${badSha}`),
    step('stash', 'code', 'Stash uncommitted work', `git stash push -q -u -m '${STASH_MESSAGE}'`, { alreadyDone: at(`git stash list | grep -qF '${STASH_MESSAGE}'`), stashMessage: STASH_MESSAGE }),
    step('code-revert', 'code', 'Revert the bad release', 'git -c user.name=t -c user.email=t@example.com revert --no-edit HEAD >/dev/null 2>&1', {
      alreadyDone: at(`git log --format=%B -1 | grep -qF 'This reverts commit ${badSha}'`),
    }),
    step('config', 'config', 'Restore the release marker on the host', `printf '1.3.0\\n' > '${release}'`, { alreadyDone: at(`test "$(cat '${release}' 2>/dev/null)" = 1.3.0`) }),
    step('build-api', 'build', 'Build api', undefined, { service: 'api' }),
    step('deploy-api', 'deploy', 'Deploy api', undefined, { service: 'api' }),
    { id: 'wait-api', kind: 'wait', title: 'Warm-up of api', why: 'crash test', commands: [], destructive: false, waitMs: 20 },
    step('push', 'push', 'Push the revert', 'git update-ref refs/rollback/pushed HEAD', { alreadyDone: at('git rev-parse -q --verify refs/rollback/pushed >/dev/null') }),
    step('notify-end', 'notify', 'Tell the team the rollback is done'),
  ];
  return {
    id: RUN_ID, environment: 'staging', where: 'local', strategy: 'revert', cwd: repo,
    from: { name: 'v1.4.0', sha: badSha }, to: { name: 'v1.3.0', sha: 'a'.repeat(40) },
    targetSource: 'previous-tag', reason: 'crash test', affectedServices: ['api'], createdAt: '2026-12-01T09:00:00.000Z', createdBy: 'dana', steps,
  };
}

/** Counts saves and dies at the chosen one: a crash exactly before or after a journal write. */
class CrashingStore implements JournalStore {
  saves = 0;
  constructor(
    private readonly inner: FileJournalStore,
    private readonly at: number,
    private readonly when: string,
  ) {}
  async save(journal: RollbackJournal): Promise<void> {
    this.saves++;
    if (this.saves === this.at && this.when === 'before') process.kill(process.pid, 'SIGKILL');
    await this.inner.save(journal);
    if (this.saves === this.at && this.when === 'after') process.kill(process.pid, 'SIGKILL');
  }
  load(runId: string) {
    return this.inner.load(runId);
  }
  list() {
    return this.inner.list();
  }
  problems() {
    return this.inner.problems();
  }
}

/**
 * The operator of the resume, asked about a step whose outcome is unknown: looks at what the
 * step would have left (its line in the side-effects log, as a person would look at the
 * host) and says "it took effect" or "run it again". Every question is recorded.
 */
function operator(work: string, askedFile: string): Prompter {
  return {
    chooseOnFailure: () => Promise.resolve({ action: 'stop' }),
    confirmStep: () => Promise.resolve('run'),
    typeEnvironmentName: (env) => Promise.resolve(env),
    commandStillRunning: () => Promise.resolve('wait'),
    unknownOutcome: (step, info): Promise<UnknownOutcomeAnswer> => {
      const log = existsSync(sideEffectsLog(work)) ? readFileSync(sideEffectsLog(work), 'utf8').split('\n') : [];
      const answer = log.includes(step.id) ? 'mark-done' : 'run-again';
      appendFileSync(askedFile, `${JSON.stringify({ stepId: step.id, outcome: info.outcome, answer })}\n`);
      return Promise.resolve(answer);
    },
  };
}

const noHttp = () => Promise.resolve({ status: null, body: '', error: 'no HTTP in the crash test', durationMs: 0 });

async function main(): Promise<void> {
  const work = process.env.RP_WORK!;
  const store = new CrashingStore(new FileJournalStore(join(work, 'journals')), Number(process.env.RP_CRASH_AT ?? 0), process.env.RP_CRASH_WHEN ?? 'before');
  const repo = join(work, 'repo');
  const badSha = readFileSync(join(work, 'bad-sha'), 'utf8').trim();
  const runner = new RollbackRunner({
    runnerFor: () => new LocalCommandRunner({ cwd: repo }),
    journals: store,
    prompter: operator(work, process.env.RP_ASKED ?? join(work, 'asked.log')),
    http: { get: noHttp, postJson: noHttp },
    operator: 'dana@laptop',
    machine: 'laptop',
    processes: new NodeLocalProcesses(),
  });
  let journal: RollbackJournal | undefined;
  if (process.env.RP_MODE === 'resume') {
    const saved = await store.load(RUN_ID);
    // Killed before the first save: nothing ran and nothing is recorded; the operator starts again.
    if (!saved) journal = (await runner.run(crashPlan(work, badSha))).journal;
    else if (saved.status === 'succeeded') journal = saved;
    else journal = (await runner.resume(saved)).journal;
  } else {
    journal = (await runner.run(crashPlan(work, badSha))).journal;
  }
  // Exit at once: the test starts ~160 of these, and nothing is left to wait for.
  process.stdout.write(`SAVES ${store.saves}\nSTATE ${JSON.stringify({ status: journal.status, steps: journal.steps.map((s) => [s.stepId, s.outcome]) })}\n`, () => process.exit(0));
}

if (process.env.RP_WORK) main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
