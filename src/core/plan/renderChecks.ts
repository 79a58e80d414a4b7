// The preview's account of a health check and a smoke flow: each request as it will be sent
// (method, URL, the headers by name with secrets named, never their values, the body, what the
// answer must be and what is captured), so the operator reads what "verified" will mean.
import type { PlannedHeader, PlannedHealth, PlannedSmokeEntry } from '../verification/types';

const place = (where: string): string => (where === 'local' ? 'this machine' : `\`${where}\` (its curl)`);
const code = (text: string): string => `\`${text.replace(/`/g, 'ˋ')}\``;

function headerList(headers: readonly PlannedHeader[] | undefined): string | undefined {
  if (!headers?.length) return undefined;
  return headers.map((h) => (h.secret ? `${code(h.name)}: the secret ${code(h.secret)} from secret storage` : `${code(h.name)}: ${code(h.value ?? '')}`)).join(', ');
}

function jsonList(json: ReadonlyArray<{ path: string; equals: unknown }> | undefined): string | undefined {
  return json?.length ? json.map((j) => `${code(j.path)} = ${code(JSON.stringify(j.equals))}`).join(', ') : undefined;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The health check's probe, when the step has no command of its own (probed from here or with the target's curl). */
export function renderHealthCheck(h: PlannedHealth): string[] {
  const out = [`GET ${code(h.url)} from ${place(h.where)}, expect ${h.expect}${h.contains ? ` and a body containing ${code(h.contains)}` : ''}; every ${seconds(h.intervalMs)} for at most ${seconds(h.timeoutMs)}, each probe at most ${seconds(h.probeTimeoutMs ?? 5000)}.`];
  const headers = headerList(h.headers);
  if (headers) out.push(`- headers: ${headers}`);
  const json = jsonList(h.json);
  if (json) out.push(`- the JSON answer must have ${json}`);
  return out;
}

/** A smoke flow, one numbered line per command or request, in the order the run sends them. */
export function renderSmokeFlow(flow: readonly PlannedSmokeEntry[]): string[] {
  const out = ['The flow, in order (a failed entry fails the step; {placeholders} are filled when it runs):', ''];
  flow.forEach((e, i) => {
    if (e.type === 'command') {
      out.push(`${i + 1}. **${e.name}**: ${code(e.command.command)} on ${place(e.command.where)}, must exit 0`);
      return;
    }
    out.push(`${i + 1}. **${e.name}**: ${e.method} ${code(e.url)} from ${place(e.where)}, expect ${e.expect.status}, at most ${seconds(e.timeoutMs)}`);
    const headers = headerList(e.headers);
    if (headers) out.push(`   - headers: ${headers}`);
    if (e.body) out.push(`   - body: ${'json' in e.body ? code(JSON.stringify(e.body.json)) : code(e.body.text)}`);
    const json = jsonList(e.expect.json);
    if (json) out.push(`   - the JSON answer must have ${json}`);
    if (e.expect.contains) out.push(`   - the body must contain ${code(e.expect.contains)}`);
    if (e.capture) out.push(`   - keeps ${Object.entries(e.capture).map(([name, path]) => `${code(`{${name}}`)} from ${code(path)}`).join(', ')} for later entries (never written down)`);
  });
  return out;
}

/** Where a smoke flow sends its requests and runs its commands. */
export function smokeFlowWheres(flow: readonly PlannedSmokeEntry[]): string[] {
  return [...new Set(flow.map((e) => (e.type === 'command' ? e.command.where : e.where)))];
}
