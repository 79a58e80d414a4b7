import { judgeToolStatus } from '../../database/toolStatus';
import type { PlanStep } from '../../plan/types';
import { tail, type StepContext, type StepRun } from './context';

/**
 * The migration tool's own status command after the rollback (core/database/toolStatus.ts):
 * bounded by its own timeout, judged on what the tool says. It only reads, so a timeout or a
 * lost connection is a failure to retry, not an unknown outcome to investigate.
 */
export async function runToolStatus(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const spec = step.toolStatus!;
  const [status, listing] = step.commands;
  let output = '';
  let all = '';
  const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
    output = tail(output + chunk);
    // The verdict reads the whole answer (the version may come before a long log), bounded.
    if (all.length < 1 << 20) all += chunk;
    ctx.events?.emit({ type: 'step-output', runId: ctx.journal.runId, stepId: step.id, chunk, stream });
  };
  output = tail(`$ ${status.command}\n`);
  const r = await ctx.exec(status, onOutput);
  if (ctx.signal?.aborted) return { outcome: 'unknown', detail: 'cancelled while the status command ran', output };
  let files: string | undefined;
  if (listing && r.code === 0 && !r.timedOut && !r.lost) {
    const l = await ctx.exec(listing);
    if (l.code !== 0 || l.lost) {
      return { outcome: 'failed', detail: `could not list ${spec.versionDir} on ${status.where}: ${(l.stderr || l.stdout).trim().split('\n').pop() ?? `exit ${l.code}`}`, output };
    }
    files = l.stdout;
  }
  const verdict = judgeToolStatus(spec, { code: r.code, timedOut: r.timedOut, lost: r.lost, output: all }, status.where, files);
  return { outcome: verdict.ok ? 'ok' : 'failed', detail: verdict.detail, output };
}
