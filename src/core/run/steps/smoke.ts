// A smoke flow: the service's smoke entries in order, commands and HTTP steps, each with its
// own result in the journal (JournalStep.results) and the checklist (check-result events).
// Values captured from one step's JSON answer fill later steps' {placeholders}; they are
// secrets: the product's redactor learns them the moment they are read, and this step masks
// them in everything it records. The first step that fails ends the flow; the steps after it
// are recorded as not run, never as passed.
import { randomBytes } from 'node:crypto';
import type { PlanStep } from '../../plan/types';
import { lookupJson, parseJsonPath } from '../../verification/jsonPath';
import { asText, fillJson, fillTemplate, MissingValueError } from '../../verification/templates';
import type { CheckEntryResult, PlannedCommandStep, PlannedHttpStep } from '../../verification/types';
import { tail, type StepContext, type StepRun } from './context';
import { fillExpectations, judge, planValues } from './health';
import { readSecret, resolveHeaders, Secrets, sendHttp } from './httpCheck';
import { isHttpUrl } from '../../config/httpUrl';

type EntryRun = { result: Omit<CheckEntryResult, 'at' | 'name'>; lost?: boolean; output?: string };

export async function runSmoke(step: PlanStep, ctx: StepContext): Promise<StepRun> {
  const flow = step.smoke!;
  const { journal, clock } = ctx;
  const values = planValues(journal.plan);
  // One value for the whole flow, fresh for each attempt: register → login → me use the same e-mail; a retry registers a new one.
  values.set('nonce', randomBytes(6).toString('hex'));
  const secrets = new Secrets(ctx, `capture:${journal.runId}:${step.id}`);
  const results: CheckEntryResult[] = [];
  ctx.js.results = results;
  let output = '';
  let failedAt: number | undefined;
  const record = (name: string, r: EntryRun['result'], url?: string): void => {
    const at = clock.now();
    const result: CheckEntryResult = { name, ...r, detail: secrets.mask(r.detail), at: new Date(at).toISOString() };
    results.push(result);
    output = tail(`${output}[${results.length}/${flow.length}] ${name}: ${result.outcome === 'ok' ? 'ok' : result.outcome === 'skipped' ? 'not run' : 'FAILED'}: ${result.detail}\n`);
    ctx.events?.emit({ type: 'check-result', runId: journal.runId, stepId: step.id, ...(step.service ? { service: step.service } : {}), name, ...(url ? { url } : {}), ...(r.status !== undefined ? { status: r.status } : {}), outcome: result.outcome, detail: result.detail, at });
  };
  for (let i = 0; i < flow.length; i++) {
    const entry = flow[i];
    if (failedAt !== undefined) {
      record(entry.name, { outcome: 'skipped', detail: `not run: "${flow[failedAt].name}" failed before it` }, entry.type === 'http' ? entry.url : undefined);
      continue;
    }
    if (ctx.signal?.aborted) return { outcome: 'unknown', detail: `cancelled during the smoke checks, before "${entry.name}"`, output };
    const r = entry.type === 'command' ? await runCommandEntry(entry, step, ctx) : await runHttpEntry(entry, values, secrets, ctx);
    if (r.output) output = tail(output + secrets.mask(r.output));
    if (r.lost) {
      record(entry.name, r.result, entry.type === 'http' ? entry.url : undefined);
      return { outcome: 'unknown', detail: `"${entry.name}": ${secrets.mask(r.result.detail)}; whether it reached the service cannot be told`, output };
    }
    record(entry.name, r.result, entry.type === 'http' ? entry.url : undefined);
    if (r.result.outcome !== 'ok') failedAt = i;
  }
  const passed = results.filter((r) => r.outcome === 'ok');
  if (failedAt === undefined) return { outcome: 'ok', detail: `${passed.length} of ${flow.length} passed: ${passed.map((r) => r.name).join(', ')}`, output };
  const failed = results[failedAt];
  const notRun = results.length - failedAt - 1;
  return { outcome: 'failed', detail: `"${failed.name}" failed: ${failed.detail}${notRun ? `; ${notRun} step(s) after it not run` : ''}; ${passed.length} of ${flow.length} passed`, output };
}

async function runCommandEntry(entry: PlannedCommandStep, step: PlanStep, ctx: StepContext): Promise<EntryRun> {
  let output = `$ ${entry.command.command}\n`;
  const onOutput = (chunk: string, stream: 'stdout' | 'stderr'): void => {
    output = tail(output + chunk);
    ctx.events?.emit({ type: 'step-output', runId: ctx.journal.runId, stepId: step.id, chunk, stream });
  };
  const started = ctx.clock.now();
  const r = await ctx.exec(entry.command, onOutput);
  const durationMs = ctx.clock.now() - started;
  if (r.lost) return { result: { outcome: 'failed', detail: `the connection to ${entry.command.where} was lost while the command ran`, durationMs }, lost: true, output };
  if (r.timedOut) return { result: { outcome: 'failed', detail: `timed out after ${ctx.commandTimeoutMs} ms`, durationMs }, output };
  if (r.code !== 0) {
    const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
    return { result: { outcome: 'failed', detail: `${r.code === null ? `killed by signal ${r.signal ?? 'unknown'}` : `exit code ${r.code}`}${last ? `: ${last}` : ''}`, durationMs }, output };
  }
  return { result: { outcome: 'ok', detail: `exit 0 (${durationMs} ms)`, durationMs }, output };
}

async function runHttpEntry(e: PlannedHttpStep, values: Map<string, unknown>, secrets: Secrets, ctx: StepContext): Promise<EntryRun> {
  const cannot = (why: string): EntryRun => ({ result: { outcome: 'failed', detail: `could not run: ${why}` } });
  const url = fillTemplate(e.url, values, encodeURIComponent);
  if (!url.ok) return cannot(`the URL reads {${url.missing}}, which has no value (no earlier step captured it)`);
  if (!isHttpUrl(url.text)) return cannot(`${e.url} is not an http:// or https:// URL once filled in`);
  const headers = await resolveHeaders(e.headers, values, ctx, secrets);
  if (!headers.ok) return cannot(headers.why);
  let body: string | undefined;
  try {
    if (e.body && 'json' in e.body) {
      const secret = async (name: string): Promise<string> => {
        const got = await readSecret(name, ctx, secrets);
        if (!got.ok) throw new Error(`the body needs a ${got.why}`);
        return got.value;
      };
      body = JSON.stringify(await fillJson(e.body.json, values, secret));
      if (!headers.value.some(([n]) => n.toLowerCase() === 'content-type')) headers.value.push(['Content-Type', 'application/json']);
    } else if (e.body) {
      const f = fillTemplate(e.body.text, values);
      if (!f.ok) return cannot(`the body reads {${f.missing}}, which has no value`);
      body = f.text;
    }
  } catch (err) {
    return cannot(err instanceof MissingValueError ? `the body reads {${err.missing}}, which has no value` : (err as Error).message);
  }
  const expected = fillExpectations(e.expect.json, values);
  if (typeof expected === 'string') return cannot(expected);
  const contains = e.expect.contains === undefined ? undefined : fillTemplate(e.expect.contains, values);
  if (contains && !contains.ok) return cannot(`expect.contains reads {${contains.missing}}, which has no value`);

  const answer = await sendHttp({ method: e.method, url: url.text, headers: headers.value, ...(body !== undefined ? { body } : {}) }, e.where, e.timeoutMs, ctx, { raw: true });
  const took = `${answer.durationMs} ms`;
  if (answer.lost) return { result: { outcome: 'failed', detail: answer.error ?? 'the connection was lost', status: null, durationMs: answer.durationMs }, lost: true };
  const what = `${e.method} ${e.url}`;
  if (answer.status === null) return { result: { outcome: 'failed', detail: `${what}: no answer (${answer.error ?? 'unknown error'})`, status: null, durationMs: answer.durationMs } };

  // Captured values are secrets before anything about this answer is written down.
  const captured: string[] = [];
  let captureProblem: string | undefined;
  if (e.capture) {
    let doc: unknown;
    try {
      doc = JSON.parse(answer.body);
    } catch {
      captureProblem = `the answer is not JSON, so ${Object.keys(e.capture).join(', ')} cannot be captured`;
    }
    for (const [name, path] of Object.entries(e.capture)) {
      if (captureProblem) break;
      const parsed = parseJsonPath(path);
      if ('error' in parsed) {
        // Worded without "name: value", which the redactor would take for an assignment of a secret.
        captureProblem = `"${path}" (captured as {${name}}) is not a JSON path (${parsed.error})`;
        break;
      }
      const found = lookupJson(doc, parsed);
      if (!found.found) {
        captureProblem = `nothing in the answer matched ${path}, captured as {${name}} (${found.why})`;
        break;
      }
      values.set(name, found.value);
      secrets.add(asText(found.value));
      captured.push(name);
    }
  }
  const verdict = judge(answer, { expect: e.expect.status, ...(contains?.ok ? { contains: contains.text } : {}) }, expected);
  const snippet = secrets.mask(answer.body).slice(0, 200).replace(/\s+/g, ' ').trim();
  if (!verdict.ok) return { result: { outcome: 'failed', detail: `${what}: HTTP ${answer.status}, ${verdict.why}${snippet ? ` — ${snippet}` : ''} (${took})`, status: answer.status, durationMs: answer.durationMs } };
  if (captureProblem) return { result: { outcome: 'failed', detail: `${what} → ${answer.status}, but ${captureProblem}${snippet ? ` — ${snippet}` : ''}`, status: answer.status, durationMs: answer.durationMs } };
  return { result: { outcome: 'ok', detail: `${what} → ${answer.status} (${took})${captured.length ? `; captured ${captured.join(', ')}` : ''}`, status: answer.status, durationMs: answer.durationMs } };
}
