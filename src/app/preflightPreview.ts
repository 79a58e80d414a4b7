// Runs the plan's preflight for the preview (the one-line call in rollbackFlow.ts): the same
// script the run's first step runs, once, on the target, read-only, so the preview shows what
// it finds ("api is already down: 502", a backup whose checksum changed) before the operator
// confirms. A target that cannot be asked is said; it never stops the preview.
import type { CommandRunner } from '../core/ports';
import { PREFLIGHT_REPORT } from '../core/plan/preflight';
import { renderPreflightResults, type PreflightResult } from '../core/plan/renderPreflightResults';
import type { RollbackPlan } from '../core/plan/types';

export async function readPreflightResults(plan: RollbackPlan, runnerFor: (where: string) => CommandRunner): Promise<PreflightResult[]> {
  const runners = new Map<string, CommandRunner>();
  const results: PreflightResult[] = [];
  try {
    for (const step of plan.steps.filter((s) => s.id.startsWith('preflight'))) {
      const result: PreflightResult = { title: step.title, where: step.commands[0]?.where ?? plan.where, ok: true, found: [] };
      for (const cmd of step.commands) {
        const runner = runners.get(cmd.where) ?? runnerFor(cmd.where);
        runners.set(cmd.where, runner);
        try {
          const r = await runner.run(cmd.command, { cwd: cmd.cwd, input: cmd.input, timeoutMs: 30_000 });
          result.found.push(...r.stdout.split('\n').filter((l) => l.startsWith(PREFLIGHT_REPORT)).map((l) => l.slice(PREFLIGHT_REPORT.length).trim()));
          if (r.code === null || r.lost) result.unreadable = r.lost ? `the connection to ${cmd.where} was lost` : `no answer from ${cmd.where} within 30 s`;
          else if (r.code !== 0) {
            result.ok = false;
            result.refusal = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] || `exit ${r.code}`;
            break;
          }
        } catch (e) {
          result.unreadable = (e as Error).message;
          break;
        }
      }
      results.push(result);
      if (!result.ok) break; // The run stops at the first refusal; what follows it is not checked either.
    }
  } finally {
    for (const r of runners.values()) await r.dispose().catch(() => undefined);
  }
  return results;
}

/** The preview's section for `plan` (empty without a preflight), read on its target now. */
export async function preflightSection(plan: RollbackPlan, runnerFor: (where: string) => CommandRunner, now = new Date()): Promise<string> {
  return renderPreflightResults(await readPreflightResults(plan, runnerFor), now);
}
