// Shared pieces of the engine tests: temp folders, free ports, a prompter whose answers
// the test scripts (the VS Code layer answers with quick picks), and a plain health probe.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import type { FailureDecision, FailureState, Prompter, UnknownOutcomeAnswer, UnknownOutcomeInfo } from '../../../src/core/run/ports';
import { NodeHttp } from '../../../src/infra/http';
export { freePort } from '../../support/freePort';

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `rp-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}


export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'safe.directory=*', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Wraps target runners and counts the target's HEAD reads (`git rev-parse HEAD`) made through them. */
export class HeadReadCounter {
  reads = 0;
  wrap(runner: CommandRunner): CommandRunner {
    return {
      where: runner.where,
      run: (command, options) => {
        if (command === 'git rev-parse HEAD') this.reads++;
        return runner.run(command, options);
      },
      dispose: () => runner.dispose(),
    };
  }
}

export class ScriptedPrompter implements Prompter {
  readonly failures: Array<{ step: PlanStep; state: FailureState }> = [];
  readonly confirmations: PlanStep[] = [];
  constructor(
    private readonly onFailure: FailureDecision[] = [],
    private readonly typed: string | undefined = undefined,
    private readonly confirm: 'run' | 'skip' | 'stop' = 'run',
  ) {}
  chooseOnFailure(step: PlanStep, state: FailureState): Promise<FailureDecision> {
    this.failures.push({ step, state: structuredClone({ ...state, plan: undefined, journal: undefined }) as unknown as FailureState });
    return Promise.resolve(this.onFailure.shift() ?? { action: 'stop' });
  }
  confirmStep(step: PlanStep, _plan: RollbackPlan): Promise<'run' | 'skip' | 'stop'> {
    this.confirmations.push(step);
    return Promise.resolve(this.confirm);
  }
  /** Asked on resume about a step whose outcome is unknown and cannot be checked; answers like an operator who says "run it again" unless told otherwise. */
  readonly unknownAsked: Array<{ step: PlanStep; info: UnknownOutcomeInfo }> = [];
  unknownAnswer: UnknownOutcomeAnswer | ((step: PlanStep, info: UnknownOutcomeInfo) => UnknownOutcomeAnswer) = 'run-again';
  unknownOutcome(step: PlanStep, info: UnknownOutcomeInfo): Promise<UnknownOutcomeAnswer> {
    this.unknownAsked.push({ step, info: { ...info, plan: undefined } as unknown as UnknownOutcomeInfo });
    return Promise.resolve(typeof this.unknownAnswer === 'function' ? this.unknownAnswer(step, info) : this.unknownAnswer);
  }
  readonly typedFor: PlanStep[][] = [];
  typeEnvironmentName(_environment: string, steps: PlanStep[]): Promise<string | undefined> {
    this.typedFor.push(steps);
    return Promise.resolve(this.typed);
  }
}

/** Polls a health URL until it answers (bounded), for tests that start the app by hand. */
export async function healthOf(url: string, tries = 50): Promise<{ status: number | null; body: string }> {
  const http = new NodeHttp();
  let last = { status: null as number | null, body: '' };
  for (let i = 0; i < tries; i++) {
    const r = await http.get(url, 1000);
    last = { status: r.status, body: r.body };
    if (r.status !== null) return last;
    await new Promise((res) => setTimeout(res, 100));
  }
  return last;
}
