// One HTTP exchange of a health or smoke check, from where the plan says: this machine's
// HTTP client, or the target's curl over the run's SSH connection (the request on stdin, see
// verification/curl.ts). Secrets named by the check are read here, at run time, handed to the
// product's redactor first, and masked in everything this step records.
import type { HttpProbeResult } from '../../ports';
import { REDACTED } from '../../redact/patterns';
import { MIN_SECRET_LENGTH } from '../../redact/redactor';
import { curlCommand, curlConfig, readCurlOutput } from '../../verification/curl';
import { fillTemplate, headerValueProblem } from '../../verification/templates';
import type { PlannedHeader } from '../../verification/types';
import { secretStorageKey } from '../../verification/ports';
import type { StepContext } from './context';

export interface HttpAnswer {
  status: number | null;
  body: string;
  error?: string;
  /** The SSH connection died: whether the request reached the service cannot be told. */
  lost?: boolean;
  durationMs: number;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** The secret values one check has seen, masked in all it records (the product's redactor knows them too). */
export class Secrets {
  private readonly values = new Set<string>();
  constructor(
    private readonly ctx: Pick<StepContext, 'verification'>,
    private readonly source: string,
  ) {}

  add(...values: string[]): void {
    let added = false;
    for (const v of values) {
      if (v.length >= MIN_SECRET_LENGTH && !this.values.has(v)) {
        this.values.add(v);
        added = true;
      }
    }
    if (added) this.ctx.verification?.remember?.(this.source, [...this.values]);
  }

  /** Text as this step may record it: its own secrets masked, then the product's redactor. */
  mask(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return this.ctx.verification?.redact ? this.ctx.verification.redact(out) : out;
  }
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; why: string };

/** A check's headers with their secrets read and their templates filled; or what is missing. */
export async function resolveHeaders(headers: readonly PlannedHeader[] | undefined, values: ReadonlyMap<string, unknown>, ctx: Pick<StepContext, 'verification'>, secrets: Secrets): Promise<Resolved<Array<[string, string]>>> {
  const out: Array<[string, string]> = [];
  for (const h of headers ?? []) {
    let value: string;
    if (h.secret !== undefined) {
      const got = await readSecret(h.secret, ctx, secrets);
      // Not "Authorization: …": the redactor would take what follows for the credentials.
      if (!got.ok) return { ok: false, why: `the ${h.name} header needs a ${got.why}` };
      value = got.value;
    } else {
      const f = fillTemplate(h.value ?? '', values);
      if (!f.ok) return { ok: false, why: `header ${h.name} reads {${f.missing}}, which has no value` };
      value = f.text;
    }
    const problem = headerValueProblem(value);
    if (problem) return { ok: false, why: `header ${h.name} was not sent: ${problem}` };
    out.push([h.name, value]);
  }
  return { ok: true, value: out };
}

export async function readSecret(name: string, ctx: Pick<StepContext, 'verification'>, secrets: Secrets): Promise<Resolved<string>> {
  const value = ctx.verification?.secret ? await ctx.verification.secret(name).catch(() => undefined) : undefined;
  if (!value) return { ok: false, why: `secret "${name}" that is not set (stored as ${secretStorageKey(name)}); set it with "Rollback: Set Health Check Secret…", then retry` };
  secrets.add(value);
  return { ok: true, value };
}

/**
 * Sends the request from `where`; the command line on the target carries none of its values
 * (they go on stdin). `raw`: the answer comes back as the service sent it, not redacted,
 * because a value is captured from it (smoke steps); the caller masks what it records.
 * Without it a plain GET goes through the redacting probe (health checks, as before).
 */
export async function sendHttp(req: OutgoingRequest, where: string, timeoutMs: number, ctx: StepContext, options: { raw?: boolean } = {}): Promise<HttpAnswer> {
  const started = ctx.clock.now();
  if (where === 'local') {
    const plainGet = req.method === 'GET' && req.headers.length === 0 && req.body === undefined;
    let r: HttpProbeResult;
    if (plainGet && (!options.raw || !ctx.http.request)) r = await ctx.http.get(req.url, timeoutMs);
    else if (ctx.http.request) r = await ctx.http.request(req, timeoutMs);
    else return { status: null, body: '', error: 'this HTTP client cannot send headers or a body', durationMs: 0 };
    return { status: r.status, body: r.body, ...(r.error !== undefined ? { error: r.error } : {}), durationMs: r.durationMs };
  }
  const command = curlCommand(timeoutMs, { config: true });
  const input = curlConfig({ method: req.method, url: req.url, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}) });
  // curl's --max-time bounds the request; the command's own timeout is the backstop for a host that stops answering.
  const r = await ctx.exec({ command, where, input, timeoutMs: timeoutMs + 10_000, ...(options.raw ? { rawOutput: true } : {}) });
  const durationMs = ctx.clock.now() - started;
  if (r.lost) return { status: null, body: '', error: `the connection to ${where} was lost`, lost: true, durationMs };
  if (r.timedOut) return { status: null, body: '', error: `curl on ${where} did not finish within ${timeoutMs + 10_000} ms`, durationMs };
  return { ...readCurlOutput(r, where), durationMs };
}
