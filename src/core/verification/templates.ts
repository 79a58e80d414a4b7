// Placeholders in health and smoke checks: {to}, {sha}, {from}, {run}, {nonce} and the
// names earlier smoke steps captured. They are filled as data, never through a shell: URL
// values percent-encoded, header values refused when they hold a line break (a second header
// smuggled in), JSON bodies filled leaf by leaf before serialising (so a quote in a value
// stays a quote inside its string). `secret:NAME`, as a whole value, is read from the
// editor's secret storage at run time; it is never written in rollback.yml, the plan or the journal.

/** {name}: a letter or "_", then letters, digits or "_" ({vars.NAME} of fleets is not one: it has a dot). */
export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** A value that is a reference to a stored secret. */
export const SECRET_REF = /^secret:([A-Za-z][A-Za-z0-9._-]{0,63})$/;

/** Filled from the plan: the release rolled back to, its SHA, the release left, the run id. */
export const PLAN_PLACEHOLDERS = ['to', 'sha', 'from', 'run'] as const;
/** Fresh for each run of a smoke flow (the same value in all its steps): unique e-mails and names, so a retried flow does not collide with the first try. */
export const FLOW_PLACEHOLDERS = [...PLAN_PLACEHOLDERS, 'nonce'] as const;

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

export function secretName(value: unknown): string | undefined {
  return typeof value === 'string' ? SECRET_REF.exec(value)?.[1] : undefined;
}

/** What a filled value looks like as text (a captured number is printed as JSON). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}

export type Filled = { ok: true; text: string } | { ok: false; missing: string };

/** `template` with each placeholder replaced by encode(value); the first name without a value is returned instead. */
export function fillTemplate(template: string, values: ReadonlyMap<string, unknown>, encode: (text: string) => string = (t) => t): Filled {
  let missing: string | undefined;
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!values.has(name)) {
      missing ??= name;
      return whole;
    }
    return encode(asText(values.get(name)));
  });
  return missing === undefined ? { ok: true, text } : { ok: false, missing };
}

/**
 * A JSON body with its string leaves filled. A leaf that is exactly one placeholder takes the
 * value itself (a captured number stays a number); `secret:NAME` leaves take the secret.
 */
export async function fillJson(body: unknown, values: ReadonlyMap<string, unknown>, secret: (name: string) => Promise<string>): Promise<unknown> {
  if (typeof body === 'string') {
    const name = secretName(body);
    if (name) return secret(name);
    const whole = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(body);
    if (whole && values.has(whole[1])) return values.get(whole[1]);
    const f = fillTemplate(body, values);
    if (!f.ok) throw new MissingValueError(f.missing);
    return f.text;
  }
  if (Array.isArray(body)) {
    const out: unknown[] = [];
    for (const item of body) out.push(await fillJson(item, values, secret));
    return out;
  }
  if (typeof body === 'object' && body !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) out[k] = await fillJson(v, values, secret);
    return out;
  }
  return body;
}

/** Every string leaf of a JSON-like value, for the config's placeholder checks. */
export function stringLeaves(v: unknown, path: (string | number)[] = [], out: Array<{ path: (string | number)[]; text: string }> = []): Array<{ path: (string | number)[]; text: string }> {
  if (typeof v === 'string') out.push({ path, text: v });
  else if (Array.isArray(v)) v.forEach((x, i) => stringLeaves(x, [...path, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) stringLeaves(x, [...path, k], out);
  return out;
}

export class MissingValueError extends Error {
  constructor(readonly missing: string) {
    super(`{${missing}} has no value`);
    this.name = 'MissingValueError';
  }
}

/** Why a header value cannot be sent, or undefined: a line break would start a second header. */
export function headerValueProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'it contains a line break, which would start another header';
  if (/[\u0000]/.test(value)) return 'it contains a NUL character';
  return undefined;
}

/** RFC 9110 token characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
