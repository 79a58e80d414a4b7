import { judgeBackupList } from '../../database/backupAge';
import { compareRowCounts } from '../../database/rowCounts';
import { preflightDetail } from '../../plan/planner';
import type { PlanStep } from '../../plan/types';
import { droppedOutputNote } from '../droppedOutput';
import { tail, type StepContext, type StepRun } from './context';

// A backup listing beyond this is cut: the newest backups of any sane listing fit.
const MAX_LISTING_CHARS = 1 << 20;

/** Runs a step's commands in order, stopping at the first that fails; then the step's own verdict on the output, if it has one. */
export async function runCommands(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const { journal, js } = ctx;
  const plan = journal.plan;
  let output = '';
  // The backup check judges the whole listing, not the tail kept for the journal.
  let listing = '';
  for (const cmd of step.commands) {
    const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
      output = tail(output + chunk);
      if (step.backupAge && stream === 'stdout' && listing.length < MAX_LISTING_CHARS) listing += chunk;
      ctx.events?.emit({ type: 'step-output', runId: journal.runId, stepId: step.id, chunk, stream });
    };
    output = tail(`${output}$ ${cmd.command}\n`);
    const onStarted = (processGroup: number, startTicks?: string): void => {
      js.process = { processGroup, command: cmd.command, where: cmd.where, ...(startTicks ? { startTicks } : {}) };
      // Not awaited: the command is already running. If this write fails, the one at the step's end reports it.
      ctx.save().catch(() => undefined);
    };
    const r = await ctx.exec(cmd, onOutput, onStarted);
    const droppedNote = droppedOutputNote(r);
    if (droppedNote) onOutput(`${droppedNote}\n`, 'stderr');
    // A remote command we lost sight of may still run on its host: the journal keeps it for the resume.
    const mayStillRun = cmd.where !== 'local' && (r.lost || r.timedOut || ctx.signal?.aborted);
    if (!mayStillRun) delete js.process;
    if (r.lost) return { outcome: 'unknown', detail: `the connection to ${cmd.where} was lost while the command ran`, output };
    if (ctx.signal?.aborted) return { outcome: 'unknown', detail: 'cancelled while the command ran; it was killed part way', output };
    if (r.timedOut) {
      return cmd.where === 'local'
        ? { outcome: 'failed', detail: `timed out after ${ctx.commandTimeoutMs} ms and was killed`, output }
        : { outcome: 'unknown', detail: `no answer from ${cmd.where} within ${ctx.commandTimeoutMs} ms; it may still be running there`, output };
    }
    if (r.code !== 0) {
      const why = r.code === null ? `killed by signal ${r.signal ?? 'unknown'}` : `exit code ${r.code}`;
      const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
      return { outcome: 'failed', detail: `${why}${last ? `: ${last}` : ''}`, output };
    }
  }
  if (step.rowCountsBefore && step.commands.length) {
    const before = plan.steps.findIndex((s) => s.id === step.rowCountsBefore);
    const verdict = compareRowCounts(before >= 0 ? journal.steps[before]?.outputTail : undefined, output);
    return { outcome: verdict.ok ? 'ok' : 'failed', detail: verdict.detail, output };
  }
  if (step.backupAge && step.commands.length) {
    const verdict = judgeBackupList(listing, new Date(ctx.clock.now()), step.backupAge.maxAgeMs, step.backupAge.purpose);
    return { outcome: verdict.ok ? 'ok' : 'failed', detail: verdict.detail, output };
  }
  return { outcome: 'ok', detail: step.commands.length ? (step.id.startsWith('preflight') || step.checksBackup ? preflightDetail(output) : 'done') : 'informational: nothing to run', output };
}
