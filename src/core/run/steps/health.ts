import type { PlanStep } from '../../plan/types';
import { tail, type StepContext, type StepRun } from './context';

/** Probes a health URL (from here, or through the target's curl) until it answers as expected or the deadline passes. */
export async function runHealth(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const { clock, journal } = ctx;
  const h = step.health!;
  const deadline = clock.now() + h.timeoutMs;
  const maxProbes = Math.ceil(h.timeoutMs / Math.max(1, h.intervalMs)) + 2;
  let output = '';
  let last = '';
  for (let probe = 0; probe < maxProbes; probe++) {
    if (ctx.signal?.aborted) return { outcome: 'unknown', detail: 'cancelled during the health check', output };
    const perProbe = Math.max(500, Math.min(h.intervalMs, deadline - clock.now()));
    let status: number | null;
    let body: string;
    let error: string | undefined;
    if (h.where === 'local' || step.commands.length === 0) {
      const r = await ctx.http.get(h.url, perProbe);
      ({ status, body, error } = r);
    } else {
      const r = await ctx.exec(step.commands[0]);
      if (r.lost) return { outcome: 'unknown', detail: `the connection to ${h.where} was lost during the health check`, output };
      const lines = r.stdout.split('\n');
      const code = Number(lines.pop());
      status = r.code === 0 && code > 0 ? code : null;
      body = lines.join('\n');
      error = r.code === 0 ? undefined : r.stderr.trim() || `curl exit ${r.code}`;
    }
    const ok = status === h.expect && (!h.contains || body.includes(h.contains));
    ctx.events?.emit({ type: 'health-probe', runId: journal.runId, stepId: step.id, service: step.service, url: h.url, status, ok, at: clock.now(), error });
    last = status === null ? `no answer (${error ?? 'unknown error'})` : `HTTP ${status} ${body.slice(0, 200).trim()}`;
    output = tail(`${output}${new Date(clock.now()).toISOString()} ${last}\n`);
    if (ok) return { outcome: 'ok', detail: `healthy: ${last}`, output };
    if (clock.now() + h.intervalMs > deadline) break;
    await clock.sleep(h.intervalMs, ctx.signal);
  }
  return { outcome: 'failed', detail: `not healthy within ${h.timeoutMs} ms; last probe: ${last}`, output };
}
