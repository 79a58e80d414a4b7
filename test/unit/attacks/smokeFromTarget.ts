// HTTP smoke steps and health checks sent from the target (from: target: curl on the host, the
// request on its stdin as a curl config) with values a hostile service hands out: a login
// answers a token made of shell and curl-config syntax, and the later steps put it into their
// URL ({token}, percent-encoded), a header ("Bearer {token}") and a JSON and a text body. The
// service records what reached it, so the test checks both that nothing ran (no PWNED file)
// and that each value arrived exactly as data.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { checksPlan, runChecks, servicesFrom } from '../verification/harness';

/** Shell syntax and curl-config syntax (a second `url =`, `output =`, quotes and escapes curl reads). */
export const CURL_CONFIG_PAYLOADS = [
  '"\noutput = "PWNED',
  '"\nurl = "file:///etc/hostname',
  '\\"\n-o PWNED',
  '" -o "PWNED',
  '\\',
  '\\\\"',
  '\toutput PWNED',
  '--output=PWNED',
  '$(touch PWNED)',
  '`touch PWNED`',
  "'; touch PWNED; '",
  '%0aoutput=PWNED',
  '\r\nX-Injected: 1',
  'é✓\u2028',
];

export interface Received {
  query?: string;
  header?: string;
  json?: unknown;
  text?: string;
}

export interface HostileService {
  base: string;
  /** The token /login/<k> hands out. */
  tokens: Map<string, string>;
  /** What /use/<k> received, by k. */
  received: Map<string, Received>;
  close(): Promise<void>;
}

export async function startHostileService(): Promise<HostileService> {
  const tokens = new Map<string, string>();
  const received = new Map<string, Received>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [, route, k] = url.pathname.split('/');
      const send = (status: number, v: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (route === 'login') return send(200, { token: tokens.get(k) ?? '' });
      if (route === 'use') {
        const r = received.get(k) ?? {};
        if (url.searchParams.has('t')) r.query = url.searchParams.get('t')!;
        if (req.headers['x-token'] !== undefined) r.header = String(req.headers['x-token']);
        if (req.method === 'POST') {
          if (String(req.headers['content-type']).startsWith('application/json')) r.json = JSON.parse(body) as unknown;
          else r.text = body;
        }
        received.set(k, r);
        return send(200, { ok: true, echo: tokens.get(k) });
      }
      if (route === 'health') return send(200, { status: 'ok' });
      send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    base,
    tokens,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** rollback.yml's services: one per token, each a from: target flow login → GET with the token in the URL and a header → POST JSON → POST text. */
export function hostileFlowsYaml(base: string, keys: string[]): string {
  const lines = ['services:'];
  for (const k of keys) {
    lines.push(
      `  s${k}:`,
      `    health: { url: "${base}/health", headers: { X-Probe: "secret:probe" }, timeout: 2s, interval: 100ms, from: target }`,
      '    smoke:',
      `      - { name: login, method: POST, url: "${base}/login/${k}", body: { user: smoke }, capture: { token: "$.token" }, from: target }`,
      `      - { name: get, url: "${base}/use/${k}?t={token}", headers: { X-Token: "Bearer {token}" }, from: target }`,
      `      - { name: json, method: POST, url: "${base}/use/${k}", body: { t: "{token}", nested: ["{token}"] }, from: target }`,
      `      - { name: text, method: POST, url: "${base}/use/${k}", headers: { Content-Type: text/plain }, body: "t={token}", from: target }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the flows for `tokens` (15 services a plan) through the real runner, built as the
 * product builds it; the plan's host is a name, and its runner the local shell in place of the
 * SSH transport (curl, its stdin config and the shell are real). `canaries` lists PWNED files.
 */
export async function runHostileFlows(tokens: string[], dir: string, canaries: () => string[]): Promise<{ figures: Record<string, number>; wrong: string[]; found: string[] }> {
  const service = await startHostileService();
  mkdirSync(dir, { recursive: true });
  const figures = { values: 0, 'arrived exactly (URL, header, JSON, text)': 0, 'refused before sending (a line break in a header)': 0, 'batches with a side effect': 0 };
  const wrong: string[] = [];
  const found: string[] = [];
  const prompter = { chooseOnFailure: () => Promise.resolve({ action: 'skip' as const, reason: 'fuzz' }), confirmStep: () => Promise.resolve('run' as const), typeEnvironmentName: (e: string) => Promise.resolve(e) };
  try {
    for (let i = 0; i < tokens.length; i += 15) {
      const keys = tokens.slice(i, i + 15).map((tok, j) => {
        const k = String(i + j);
        service.tokens.set(k, tok);
        return k;
      });
      const plan = checksPlan(servicesFrom(hostileFlowsYaml(service.base, keys)), { where: 'deploy@prod-1.test', cwd: dir, id: `rb-smoke-target-${i}` });
      const run = await runChecks(plan, { dir: join(dir, `run-${i}`), prompter, secrets: { probe: 'probe-secret' }, runnerFor: () => new LocalCommandRunner({ cwd: dir }) });
      for (const k of keys) {
        figures.values++;
        const tok = service.tokens.get(k)!;
        const results = run.result.journal.steps.find((s) => s.stepId === `smoke-s${k}`)?.results ?? [];
        const got = service.received.get(k) ?? {};
        // HTTP drops a header value's trailing spaces and tabs (only those); node reads its bytes as latin1.
        const header = got.header === undefined ? undefined : Buffer.from(got.header, 'latin1').toString('utf8');
        const refused = /[\r\n]/.test(tok) && results.find((r) => r.name === 'get')?.outcome === 'failed' && got.query === undefined;
        if (refused) figures['refused before sending (a line break in a header)']++;
        else if (got.query === tok && header === `Bearer ${tok}`.replace(/[ \t]+$/, '') && JSON.stringify(got.json) === JSON.stringify({ t: tok, nested: [tok] }) && got.text === `t=${tok}`) figures['arrived exactly (URL, header, JSON, text)']++;
        else wrong.push(`${JSON.stringify(tok)} arrived as ${JSON.stringify({ ...got, header })}; steps ${JSON.stringify(results.map((r) => [r.name, r.outcome, r.detail]))}`);
      }
      const seen = canaries();
      if (seen.length) {
        figures['batches with a side effect']++;
        found.push(...seen);
        for (const f of seen) rmSync(f, { recursive: true, force: true });
      }
    }
  } finally {
    await service.close();
  }
  return { figures, wrong, found };
}
