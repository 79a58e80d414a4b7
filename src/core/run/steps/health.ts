import type { PlanStep, RollbackPlan } from '../../plan/types';
import { jsonMatches, lookupJson, parseJsonPath, showJson } from '../../verification/jsonPath';
import { curlConfig } from '../../verification/curl';
import { fillTemplate } from '../../verification/templates';
import type { JsonExpectation } from '../../verification/types';
import { tail, type StepContext, type StepRun } from './context';
import { resolveHeaders, Secrets, sendHttp, type HttpAnswer } from './httpCheck';

/** One probe's own limit when the plan predates probeTimeout (it used to be the interval, so a 1.5 s /health never passed). */
export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** The shortest a probe is given near the deadline: less would fail a healthy service for being a few ms late. */
const MIN_PROBE_MS = 500;

/** The values a check's {placeholders} read from the plan. */
export function planValues(plan: Pick<RollbackPlan, 'id' | 'from' | 'to'>): Map<string, unknown> {
  return new Map<string, unknown>([['to', plan.to.name], ['sha', plan.to.sha], ['from', plan.from.name], ['run', plan.id]]);
}

/**
 * Probes a health URL (from here, or through the target's curl) until it answers as expected
 * or the deadline passes. Each probe has its own timeout (probeTimeout), separate from the
 * pause between probes. A check that cannot run (a secret not set, a JSON path that does not
 * parse) fails with why: it is never counted as passed.
 */
export async function runHealth(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const { clock, journal } = ctx;
  const h = step.health!;
  const probeTimeoutMs = h.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const deadline = clock.now() + h.timeoutMs;
  const maxProbes = Math.ceil(h.timeoutMs / Math.max(1, h.intervalMs)) + 2;
  const secrets = new Secrets(ctx, `check:${journal.runId}:${step.id}`);
  const cannot = (why: string): StepRun => {
    ctx.events?.emit({ type: 'health-probe', runId: journal.runId, stepId: step.id, service: step.service, url: h.url, status: null, ok: false, at: clock.now(), error: why });
    return { outcome: 'failed', detail: `could not run the health check: ${why}`, output: `${why}\n` };
  };
  const expected = fillExpectations(h.json, planValues(journal.plan));
  if (typeof expected === 'string') return cannot(expected);
  const headers = await resolveHeaders(h.headers, planValues(journal.plan), ctx, secrets);
  if (!headers.ok) return cannot(headers.why);

  let output = '';
  let last = '';
  for (let probe = 0; probe < maxProbes; probe++) {
    if (ctx.signal?.aborted) return { outcome: 'unknown', detail: 'cancelled during the health check', output };
    const perProbe = Math.min(probeTimeoutMs, Math.max(MIN_PROBE_MS, deadline - clock.now()));
    let answer: HttpAnswer;
    if (h.where === 'local' || step.commands.length === 0) {
      answer = await sendHttp({ method: 'GET', url: h.url, headers: headers.value }, 'local', perProbe, ctx);
    } else {
      // Exactly the previewed command; the headers (with their secrets) go on stdin.
      const cmd = headers.value.length ? { ...step.commands[0], input: curlConfig({ headers: headers.value }) } : step.commands[0];
      const r = await ctx.exec(cmd);
      if (r.lost) return { outcome: 'unknown', detail: `the connection to ${h.where} was lost during the health check`, output };
      const lines = r.stdout.split('\n');
      const code = Number(lines.pop());
      answer = r.code === 0 && code > 0 ? { status: code, body: lines.join('\n'), durationMs: r.durationMs } : { status: null, body: '', error: r.stderr.trim() || `curl exit ${r.code}`, durationMs: r.durationMs };
    }
    const body = secrets.mask(answer.body);
    const verdict = judge(answer, h, expected);
    const error = answer.error !== undefined ? secrets.mask(answer.error) : verdict.ok ? undefined : `HTTP ${answer.status}: ${verdict.why}`;
    ctx.events?.emit({ type: 'health-probe', runId: journal.runId, stepId: step.id, service: step.service, url: h.url, status: answer.status, ok: verdict.ok, at: clock.now(), ...(error ? { error } : {}) });
    last = answer.status === null ? `no answer (${error ?? 'unknown error'})` : `HTTP ${answer.status} ${body.slice(0, 200).trim()}${verdict.ok ? '' : ` — ${verdict.why}`}`;
    output = tail(`${output}${new Date(clock.now()).toISOString()} ${last}\n`);
    if (verdict.ok) return { outcome: 'ok', detail: `healthy: ${last}`, output };
    if (clock.now() + h.intervalMs > deadline) break;
    await clock.sleep(h.intervalMs, ctx.signal);
  }
  return { outcome: 'failed', detail: `not healthy within ${h.timeoutMs} ms; last probe: ${last}`, output };
}

type Filled = Array<JsonExpectation & { parsed: Exclude<ReturnType<typeof parseJsonPath>, { error: string }> }>;

/** The JSON expectations with their placeholders filled and paths parsed; or why they cannot be used. */
export function fillExpectations(json: readonly JsonExpectation[] | undefined, values: ReadonlyMap<string, unknown>): Filled | string {
  const out: Filled = [];
  for (const j of json ?? []) {
    const parsed = parseJsonPath(j.path);
    if ('error' in parsed) return `"${j.path}" is not a JSON path: ${parsed.error}`;
    let equals = j.equals;
    if (typeof equals === 'string') {
      const f = fillTemplate(equals, values);
      if (!f.ok) return `the expectation for ${j.path} reads {${f.missing}}, which has no value`;
      equals = f.text;
    }
    out.push({ path: j.path, equals, parsed });
  }
  return out;
}

/** Whether an answer is the one expected: status, body text, JSON fields; and if not, why, in a person's words (after "HTTP 503: "). */
export function judge(a: Pick<HttpAnswer, 'status' | 'body'>, want: { expect: number; contains?: string }, json: Filled): { ok: true } | { ok: false; why: string } {
  if (a.status === null) return { ok: false, why: 'no answer' };
  if (a.status !== want.expect) return { ok: false, why: `expected ${want.expect}` };
  if (want.contains && !a.body.includes(want.contains)) return { ok: false, why: `the body does not contain "${want.contains}"` };
  if (json.length === 0) return { ok: true };
  let doc: unknown;
  try {
    doc = JSON.parse(a.body);
  } catch {
    return { ok: false, why: `the body is not JSON, so ${json.map((j) => j.path).join(', ')} cannot be read` };
  }
  for (const j of json) {
    const found = lookupJson(doc, j.parsed);
    if (!found.found) return { ok: false, why: `the JSON path ${j.path} matched nothing (${found.why})` };
    if (!jsonMatches(found.value, j.equals)) return { ok: false, why: `${j.path} is ${showJson(found.value)}, expected ${showJson(j.equals)}` };
  }
  return { ok: true };
}
