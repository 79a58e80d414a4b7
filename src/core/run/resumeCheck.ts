import type { Clock, ExecResult } from '../ports';
import type { PlanCommand, PlanStep } from '../plan/types';
import type { JournalStep, RollbackJournal } from './journalTypes';
import type { ProcessGroups, Prompter, UnknownOutcomeAnswer, UnknownOutcomeInfo } from './ports';

/** How often a resume looks whether a command left over from the interrupted run has ended. */
const LEFTOVER_POLL_MS = 500;
const TERMINATE_GRACE_MS = 5_000;

/** What the resume of one interrupted step needs from the runner. */
export interface ResumeContext {
  journal: RollbackJournal;
  prompter: Prompter;
  operator: string;
  clock: Clock;
  signal?: AbortSignal;
  commandTimeoutMs: number;
  event(kind: string, message: string, data?: Record<string, unknown>): void;
  save(): Promise<void>;
  /** Runs a check (the step's alreadyDone) on its target. */
  exec(cmd: PlanCommand): Promise<ExecResult>;
  /** This machine's process groups, or the host's over SSH. */
  processGroupsOn(where: string): ProcessGroups | undefined;
  /** A line in the step's output (terminal, checklist). */
  say(stepId: string, line: string): void;
}

/** Run the step (again), record it done without running it, or stop the rollback here with this message. */
export type ResumeVerdict = { action: 'run' } | { action: 'done'; detail: string; output: string } | { action: 'stop'; state: string };

const RUN: ResumeVerdict = { action: 'run' };

/**
 * Steps that only look (a health probe, a wait, nothing to run): running them twice changes
 * nothing, so an interrupted one just runs again. A notify step sends a message: not one of them.
 */
function observesOnly(step: PlanStep): boolean {
  // The migration tool's status command only reads its own table (core/database/toolStatus.ts).
  return step.kind === 'health' || step.kind === 'wait' || !!step.toolStatus || (step.commands.length === 0 && step.kind !== 'notify');
}

/**
 * What a check's exit status says. Exit 0: the effect is there. The "not there" status is the
 * one the checks the planner writes use for "false" (test, grep -q, git diff --quiet: 1; psql
 * with ON_ERROR_STOP when the check raises: 3). Anything else (command not found, git's 128,
 * psql's 2 for a connection that failed, a signal, a lost host) means the check could not
 * tell, and the step is not run again on its word.
 */
export function judgeCheck(cmd: PlanCommand, r: ExecResult): 'done' | 'absent' | { why: string } {
  if (r.lost) return { why: `the connection to ${cmd.where} was lost while it ran` };
  if (r.timedOut) return { why: 'it timed out' };
  if (r.code === 0) return 'done';
  if (r.code === null) return { why: `it was killed by signal ${r.signal ?? 'unknown'}` };
  const absent = /\bpsql\b/.test(cmd.command) ? 3 : 1;
  if (r.code === absent) return 'absent';
  const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
  return { why: `exit code ${r.code}${last ? `: ${last}` : ''}; only exit ${absent} means "not done"` };
}

/**
 * A step found "running" or "unknown" on resume: its command may have finished (the run died
 * before it could record that), may still run, or never started. It runs again only when that
 * cannot do harm twice: its check ran and says the effect is absent, or it only observes.
 * A step with no check, or whose check cannot tell, is marked unknown and the operator is
 * asked; it is never run again silently.
 */
export async function settleInterruptedStep(ctx: ResumeContext, step: PlanStep, js: JournalStep): Promise<ResumeVerdict> {
  if (js.outcome !== 'running' && js.outcome !== 'unknown') return RUN;
  let leftover: LeftoverVerdict = 'none';
  if (js.process) {
    leftover = await settleLeftoverCommand(ctx, step, js);
    if (typeof leftover === 'object') return { action: 'stop', state: leftover.stop };
  }
  if (observesOnly(step)) {
    ctx.event('resume-rerun', `"${step.title}" only observes; it runs again`, { stepId: step.id });
    return RUN;
  }
  let whyNotChecked = 'the plan has no check for whether it took effect';
  if (step.alreadyDone) {
    const check = await ctx.exec(step.alreadyDone);
    const verdict = judgeCheck(step.alreadyDone, check);
    if (verdict === 'done') return { action: 'done', detail: 'its effect was already there (checked on resume); not run again', output: check.stdout + check.stderr };
    if (verdict === 'absent') {
      ctx.event('resume-checked', `"${step.title}": its check says the effect is not there (${step.alreadyDone.command}); it runs again`, { stepId: step.id });
      return RUN;
    }
    whyNotChecked = `its check could not tell (${verdict.why}): ${step.alreadyDone.command}`;
  }
  // The operator already chose "stop it and run the step again" for the leftover command.
  if (leftover === 'terminated') return RUN;
  return askAboutUnknown(ctx, step, js, whyNotChecked);
}

async function askAboutUnknown(ctx: ResumeContext, step: PlanStep, js: JournalStep, whyNotChecked: string): Promise<ResumeVerdict> {
  const was = js.outcome === 'unknown' ? 'unknown' : 'running';
  const info: UnknownOutcomeInfo = {
    plan: ctx.journal.plan,
    outcome: was,
    startedAt: js.startedAt,
    commands: step.commands.map((c) => `${c.where}$ ${c.command}`),
    detail: js.detail,
    outputTail: js.outputTail,
    whyNotChecked,
    attempts: js.attempts,
  };
  // Durable before the question: a window closed on it leaves a journal that says "unknown", and why.
  js.outcome = 'unknown';
  js.detail = `${was === 'running' ? 'the run was interrupted while this step ran' : js.detail ?? 'cut off while it ran'}; whether it took effect is not known: ${whyNotChecked}`;
  await ctx.save();
  const stopHere = (why: string): ResumeVerdict => {
    ctx.journal.status = 'stopped';
    ctx.event('stopped', `Stopped before ${step.title}: ${why}`, { stepId: step.id });
    return { action: 'stop', state: `Stopped before "${step.title}": ${why}. Nothing was run again.` };
  };
  if (!ctx.prompter.unknownOutcome) return stopHere(`its outcome is unknown (${whyNotChecked}) and nobody here can be asked whether to run it again; Resume Rollback in VS Code asks`);
  const answer: UnknownOutcomeAnswer = await ctx.prompter.unknownOutcome(step, info);
  const said = answer === 'run-again' ? 'run it again' : answer === 'mark-done' ? 'it took effect: record it as done' : 'stop here';
  ctx.event('unknown-outcome-answered', `"${step.title}" had an unknown outcome (${whyNotChecked}); ${ctx.operator} answered: ${said}`, { stepId: step.id, answer, by: ctx.operator, was, whyNotChecked });
  if (answer === 'run-again') return RUN;
  if (answer === 'mark-done') return { action: 'done', detail: `recorded as done by ${ctx.operator} on resume, without running it again: its outcome was unknown (${whyNotChecked})`, output: '' };
  return stopHere(`its outcome is unknown and you chose to stop (${whyNotChecked}); Resume Rollback asks again`);
}

/** The leftover command is gone ("none": there was none to look for), ended by itself, or was stopped at the operator's word; or the rollback stops with this message. */
type LeftoverVerdict = 'none' | 'ended' | 'terminated' | { stop: string };

/**
 * The step was running when the run was interrupted (a crashed window, a lost SSH
 * connection), and its command may have outlived that: a local one in its own process
 * group, a remote one in the session sshd gave it. A second copy must never run beside it:
 * wait for it (or stop it, if the operator says so) before the step is checked or run
 * again. Its exit status is lost, so the step is then checked, or the operator asked.
 */
async function settleLeftoverCommand(ctx: ResumeContext, step: PlanStep, js: JournalStep): Promise<LeftoverVerdict> {
  const { journal, signal } = ctx;
  const leftover = { where: 'local', ...js.process! };
  const groups = ctx.processGroupsOn(leftover.where);
  const host = leftover.where === 'local' ? '' : ` on ${leftover.where}`;
  const what = `"${leftover.command}" (process group ${leftover.processGroup}${host})`;
  const say = (line: string): void => ctx.say(step.id, line);
  const stopHere = async (why: string, then = 'Resume again once it has ended.'): Promise<{ stop: string }> => {
    journal.status = 'stopped';
    ctx.event('stopped', `Stopped before ${step.title}: ${why}`, { stepId: step.id });
    await ctx.save();
    return { stop: `Stopped before "${step.title}": ${why}. ${then}` };
  };
  const unreachable = (reason: string): Promise<{ stop: string }> =>
    stopHere(`cannot tell whether ${what} from the interrupted run is still running (${reason}); nothing was run`, `Resume again when ${leftover.where} answers.`);
  const { processGroup, startTicks } = leftover;
  let running = groups ? await groups.isRunning(processGroup, startTicks) : false;
  if (typeof running === 'string') return unreachable(running);
  let verdict: LeftoverVerdict = groups ? 'ended' : 'none';
  if (running && groups) {
    const choice = (await ctx.prompter.commandStillRunning?.(step, leftover)) ?? 'wait';
    if (choice === 'stop') return stopHere(`${what} from the interrupted run is still running`);
    if (choice === 'terminate') {
      ctx.event('leftover-terminated', `${what} from the interrupted run was stopped by ${ctx.operator}`, { stepId: step.id });
      say(`Stopping ${what}, left running by the interrupted run`);
      await groups.terminate(processGroup, TERMINATE_GRACE_MS, startTicks);
      running = await groups.isRunning(processGroup, startTicks);
      verdict = 'terminated';
    } else {
      ctx.event('leftover-waited', `Waiting for ${what} from the interrupted run to end`, { stepId: step.id });
      await ctx.save();
      say(`Waiting for ${what}, left running by the interrupted run, to end before "${step.title}" is checked or run again`);
      const polls = Math.ceil(ctx.commandTimeoutMs / LEFTOVER_POLL_MS);
      for (let i = 0; i < polls && running === true && !signal?.aborted; i++) {
        await ctx.clock.sleep(LEFTOVER_POLL_MS, signal);
        running = await groups.isRunning(processGroup, startTicks);
      }
    }
    if (typeof running === 'string') return unreachable(running);
    if (running) return stopHere(`${signal?.aborted ? 'cancelled while waiting for' : 'still running:'} ${what} from the interrupted run`);
    ctx.event('leftover-ended', `${what} from the interrupted run has ended; its exit status was lost with the run, so "${step.title}" is checked, or you are asked, before it runs again`, { stepId: step.id });
  }
  delete js.process;
  await ctx.save();
  return verdict;
}
