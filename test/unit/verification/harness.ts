// The real parts of the verification tests: an HTTP service on 127.0.0.1 (node:http) shaped
// like runbook 004's API (a slow /health, an internal health behind an operator token, a
// register → login → /auth/me flow, project CRUD), plans made the way the planner makes
// them (rollback.yml parsed, then verifySteps), and runs of the real RollbackRunner built
// through redactRunnerDeps as the product builds it, with journals on disk.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config';
import type { RollbackConfig } from '../../../src/core/config/types';
import type { CommandRunner } from '../../../src/core/ports';
import { verifySteps } from '../../../src/core/plan/serviceSteps';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import { RedactingRollbackEvents, redactingJournalStore, Redactor, redactRunnerDeps } from '../../../src/core/redact';
import type { RollbackEvent } from '../../../src/core/run/events';
import type { JournalStore, Notifier, Prompter } from '../../../src/core/run/ports';
import { RollbackRunner, type RunResult } from '../../../src/core/run/runner';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestApp {
  base: string;
  port: number;
  /** What /health reports as its version. */
  version: string;
  /** How long /health takes to answer. */
  healthDelayMs: number;
  /** The operator token /health/internal wants, as "Bearer <token>". */
  operatorToken: string;
  /** When set, /auth/login answers { access_token } instead of { token } (a capture that finds nothing). */
  loginOmitsToken: boolean;
  /** When set, a refused /auth/me echoes the Authorization header it got (a service that leaks it). */
  echoAuthorization: boolean;
  /** Tokens handed out by /auth/login, newest last. */
  tokens: string[];
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startApp(): Promise<TestApp> {
  const users = new Map<string, string>();
  const sessions = new Map<string, string>();
  const projects = new Map<string, { id: string; name: string; owner: string }>();
  const app: Omit<TestApp, 'base' | 'port' | 'close'> = { version: 'v1.3.0', healthDelayMs: 1500, operatorToken: `op-${randomBytes(16).toString('hex')}`, loginOmitsToken: false, echoAuthorization: false, tokens: [], seen: [] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      app.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value?: unknown): void => {
        if (value === undefined) res.writeHead(status).end();
        else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      const input = (): Record<string, unknown> => {
        try {
          return JSON.parse(body) as Record<string, unknown>;
        } catch {
          return {};
        }
      };
      const user = sessions.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      if (route === 'GET /health') {
        setTimeout(() => json(200, { status: 'ok', version: app.version }), app.healthDelayMs);
        return;
      }
      if (route === 'GET /health/internal') {
        if (req.headers.authorization !== `Bearer ${app.operatorToken}`) return json(401, { error: 'operator token required' });
        return json(200, { status: 'ok', db: { ok: true }, version: app.version });
      }
      if (route === 'POST /auth/register') {
        const { email, password } = input();
        if (typeof email !== 'string' || typeof password !== 'string') return json(400, { error: 'email and password required' });
        if (users.has(email)) return json(409, { error: 'already registered' });
        users.set(email, password);
        return json(201, { id: users.size, email });
      }
      if (route === 'POST /auth/login') {
        const { email, password } = input();
        if (typeof email !== 'string' || users.get(email) !== password) return json(401, { error: 'bad credentials' });
        const token = randomBytes(24).toString('hex');
        sessions.set(token, email);
        app.tokens.push(token);
        return json(200, app.loginOmitsToken ? { access_token: token } : { token, expiresIn: 3600 });
      }
      if (route === 'GET /auth/me') {
        if (!user) return json(401, app.echoAuthorization ? { error: 'unauthorized', got: req.headers.authorization ?? null } : { error: 'unauthorized' });
        return json(200, { email: user });
      }
      if (!user && (req.url ?? '').startsWith('/projects')) return json(401, { error: 'unauthorized' });
      if (route === 'POST /projects') {
        const id = `p${randomBytes(4).toString('hex')}`;
        projects.set(id, { id, name: String(input().name), owner: user! });
        return json(201, { id });
      }
      if (route === 'GET /projects') return json(200, [...projects.values()].filter((p) => p.owner === user));
      const del = /^DELETE \/projects\/([^/]+)$/.exec(route);
      if (del) return projects.delete(decodeURIComponent(del[1])) ? json(204) : json(404, { error: 'no such project' });
      json(404, { error: `no route ${route}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return Object.assign(app, {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

/** rollback.yml's services section, parsed as the product parses it; throws with the Problems when it has any. */
export function servicesFrom(yaml: string): RollbackConfig['services'] {
  const parsed = parseConfig(`environments:\n  production:\n    host: local\n${yaml}`, 'rollback.yml');
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (!parsed.config || errors.length) throw new Error(`rollback.yml has problems: ${errors.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return parsed.config.services;
}

/** A plan of the services' checks on `where`, closed by the all-clear, as buildPlan would end one. */
export function checksPlan(services: RollbackConfig['services'], opts: { where: string; cwd: string; healthWhere?: string; id?: string }): RollbackPlan {
  const at = (command: string, extra = {}) => ({ command, where: opts.where, cwd: opts.cwd, ...extra });
  const steps: PlanStep[] = [
    ...verifySteps({ services, at, healthWhere: opts.healthWhere ?? opts.where }),
    { id: 'notify-end', kind: 'notify', title: 'All-clear to the team', why: 'production is back on v1.3.0 and healthy.', commands: [], destructive: false },
  ];
  return {
    id: opts.id ?? `rb-verif-${randomBytes(4).toString('hex')}`,
    environment: 'production',
    where: opts.where,
    strategy: 'revert',
    from: { name: 'v1.4.0', sha: 'a'.repeat(40) },
    to: { name: 'v1.3.0', sha: 'b'.repeat(40) },
    targetSource: 'previous-tag',
    reason: '/health answers 500 since v1.4.0',
    steps,
    affectedServices: services.map((s) => s.name),
    createdAt: new Date().toISOString(),
    createdBy: 'dana@laptop',
    cwd: opts.cwd,
  };
}

export interface RunArtifacts {
  result: RunResult;
  /** The journal files as written on disk. */
  journalText: string;
  events: RollbackEvent[];
  logLines: string[];
  redactor: Redactor;
}

/** Runs `plan` with the real runner, built as the product builds it (the one redactor around every port). */
export async function runChecks(plan: RollbackPlan, o: { dir: string; prompter: Prompter; secrets?: Record<string, string>; runnerFor?: (where: string) => CommandRunner; notify?: Notifier; journals?: JournalStore; events?: RedactingRollbackEvents; redactor?: Redactor }): Promise<RunArtifacts> {
  const redactor = o.redactor ?? new Redactor();
  const journalDir = join(o.dir, '.rollback', 'journals');
  mkdirSync(journalDir, { recursive: true });
  const events = o.events ?? new RedactingRollbackEvents(redactor);
  const seen: RollbackEvent[] = [];
  const sub = events.on((e) => seen.push(e));
  const logLines: string[] = [];
  const runner = new RollbackRunner(redactRunnerDeps({
    runnerFor: o.runnerFor ?? (() => new LocalCommandRunner({ cwd: o.dir })),
    journals: o.journals ?? redactingJournalStore(new FileJournalStore(journalDir), redactor),
    prompter: o.prompter,
    http: new NodeHttp(),
    events,
    log: { log: (l) => logLines.push(l) },
    operator: 'dana@laptop',
    ...(o.notify ? { notify: o.notify } : {}),
    verification: { secret: (name) => Promise.resolve(o.secrets?.[name]) },
  }, redactor));
  const result = await runner.run(plan);
  sub.dispose();
  const journalText = readdirSync(journalDir).map((f) => readFileSync(join(journalDir, f), 'utf8')).join('\n');
  return { result, journalText, events: seen, logLines, redactor };
}

export function stepOf(result: RunResult, id: string) {
  const s = result.journal.steps.find((x) => x.stepId === id);
  if (!s) throw new Error(`no step ${id} in the journal (${result.journal.steps.map((x) => x.stepId).join(', ')})`);
  return s;
}

/** Runbook 004's "Smoke Test Suite (Minimal)", as a team writes it in rollback.yml. */
export function runbook004(base: string, from: 'local' | 'target'): string {
  return `services:
  api:
    health: { url: "${base}/health", json: { version: "{to}" }, timeout: 10s, from: ${from} }
    smoke:
      - { name: internal health, url: "${base}/health/internal", headers: { Authorization: "secret:operator-token" }, expect: { status: 200, json: { "$.db.ok": true } }, from: ${from} }
      - name: register
        method: POST
        url: ${base}/auth/register
        body: { email: "smoke-{nonce}@example.com", password: "secret:smoke-password" }
        expect: 201
        from: ${from}
      - name: login
        method: POST
        url: ${base}/auth/login
        body: { email: "smoke-{nonce}@example.com", password: "secret:smoke-password" }
        capture: { token: "$.token" }
        from: ${from}
      - { name: me, url: "${base}/auth/me", headers: { Authorization: "Bearer {token}" }, expect: { json: { email: "smoke-{nonce}@example.com" } }, from: ${from} }
      - { name: create project, method: POST, url: "${base}/projects", headers: { Authorization: "Bearer {token}" }, body: { name: "smoke {run}" }, expect: 201, capture: { project: "$.id" }, from: ${from} }
      - { name: list projects, url: "${base}/projects", headers: { Authorization: "Bearer {token}" }, expect: { contains: "smoke {run}" }, from: ${from} }
      - { name: delete project, method: DELETE, url: "${base}/projects/{project}", headers: { Authorization: "Bearer {token}" }, expect: 204, from: ${from} }
`;
}
