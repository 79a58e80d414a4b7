// One file per step kind; this picks the one a step needs.
import type { PlanStep } from '../../plan/types';
import { isAllClearStep } from '../../verification/checks';
import { runCommands } from './commands';
import type { StepContext, StepRun } from './context';
import { runHealth } from './health';
import { runSmoke } from './smoke';
import { runAllClear } from './allClear';
import { runToolStatus } from './toolStatus';
import { runLogCheck, runLogWatchStart } from './logWatch';

export async function runStepOfKind(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  if (step.kind === 'health' && step.health) return runHealth(step, ctx);
  if (step.kind === 'wait') return runWait(step, ctx);
  if (step.kind === 'smoke' && step.smoke) return runSmoke(step, ctx);
  if (step.toolStatus && step.commands.length) return runToolStatus(step, ctx);
  if (step.kind === 'log-watch') return runLogWatchStart(step, ctx);
  if (step.kind === 'logs') return runLogCheck(step, ctx);
  if (step.kind === 'notify' && step.commands.length === 0) return isAllClearStep(step) ? runAllClear(step, ctx) : runNotify(step, ctx);
  return runCommands(step, ctx);
}

async function runWait(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  await ctx.clock.sleep(step.waitMs ?? 0, ctx.signal);
  if (ctx.signal?.aborted) return { outcome: 'unknown', detail: 'cancelled during the wait', output: '' };
  return { outcome: 'ok', detail: `waited ${step.waitMs ?? 0} ms`, output: '' };
}

async function runNotify(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  if (!ctx.notify) return { outcome: 'skipped', detail: 'no notifier configured; tell the team from the checklist', output: '' };
  const r = await ctx.notify(step, ctx.journal.plan);
  const detail = r === 'sent' ? 'sent' : r === 'copied' ? 'no webhook set: the message was copied for pasting into the incident channel' : 'not sent';
  return { outcome: r === 'sent' ? 'ok' : 'skipped', detail, output: '' };
}
