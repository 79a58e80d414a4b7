// Issue 13's secrets, in the pattern of test/unit/engine/noSecretWritten.property.test.ts:
// fast-check generates the values a health or smoke check reads from secret storage (header
// and body secrets) and the values a service hands out (a session captured from a login),
// in every shape (plain words no pattern knows, hex, JWT-like, tokens with known prefixes).
// A real service on 127.0.0.1 echoes each of them back in failing answers, so they reach the
// step's details, output tails, probe events and the operator's questions; then every
// artifact of the real run is searched: the journal files, the event stream, the log lines,
// the checklist built from the events, the questions asked, the post-mortem, the CHANGELOG note.
// Half the runs send the checks from the target (from: target: curl on the host, its values on
// stdin as a curl config), the other half from this machine. A service of the plan also has
// smoke commands with a PGPASSWORD=… and a postgresql://user:pass@… URL (rollback.yml commands
// as teams write them) that print them and fail; the reason typed holds one too. The local
// journal keeps the plan's own commands verbatim (src/core/redact/decorators.ts,
// JOURNAL_IDENTITY: Resume runs them): the journal is searched without its plan, plus the
// plan's reason; every other artifact is searched whole.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { applyEvent, createChecklistState } from '../../../src/core/checklist';
import { proposeChangelogNote, renderPostmortem } from '../../../src/core/postmortem';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { redactingJournalStore, Redactor } from '../../../src/core/redact';
import type { FailureDecision, Prompter } from '../../../src/core/run/ports';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { tempDir } from '../engine/helpers';
import { checksPlan, runChecks, servicesFrom } from './harness';

const RUNS = 16;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
const secretValue = fc.oneof(
  chars(ALNUM, 12, 40),
  chars('0123456789abcdef', 16, 48),
  fc.tuple(chars(ALNUM, 10, 30), chars(ALNUM, 10, 40), chars(ALNUM, 20, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
  chars(ALNUM, 36, 36).map((t) => `ghp_${t}`),
  fc.tuple(chars(ALNUM, 8, 16), chars('!%^_+.~@:-', 1, 3), chars(ALNUM, 4, 12)).map(([a, b, c]) => a + b + c),
);
// PGPASSWORD=… and user:pass@ are redacted by their shape: values of the characters such passwords have.
const shapedPassword = fc.oneof(chars(ALNUM, 10, 32), fc.tuple(chars(ALNUM, 6, 16), chars('!%^_+.~-', 1, 2), chars(ALNUM, 4, 12)).map(([a, b, c]) => a + b + c));
const runArb = fc.record({
  operator: secretValue,
  password: secretValue,
  session: secretValue,
  wrap: fc.constantFrom('', 'Bearer ', 'Token '),
  pgPassword: shapedPassword,
  urlPassword: chars(ALNUM, 10, 32),
  from: fc.constantFrom<'local' | 'target'>('local', 'target'),
});

let server: Server;
let base = '';
let current = { operator: '', password: '', session: '' };
/** The session each /whoami got in its query string (the captured value substituted into a later URL). */
const whoamiQueries: string[] = [];
const tmp = tempDir('verif-nosecret');

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const send = (status: number, text: string): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      // Every failing answer quotes what it was sent: a service that leaks credentials into its errors.
      if (req.url === '/internal') return send(503, JSON.stringify({ error: 'db down', operator: req.headers['x-operator'], hint: `X-Operator was ${String(req.headers['x-operator'])}` }));
      if (req.url === '/login') {
        const sentPassword = (JSON.parse(body || '{}') as { password?: string }).password;
        return sentPassword === current.password ? send(200, JSON.stringify({ session: current.session, note: `welcome, session ${current.session}` })) : send(401, JSON.stringify({ error: 'bad password', got: sentPassword }));
      }
      if ((req.url ?? '').startsWith('/whoami')) {
        whoamiQueries.push(new URL(req.url ?? '', 'http://x').searchParams.get('s') ?? '');
        return send(500, `crashed while reading session ${String(req.headers['x-session'])} for password ${current.password} (${req.url})`);
      }
      send(404, '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) leaves(x, out);
  return out;
}

class SkippingPrompter implements Prompter {
  readonly shown: string[] = [];
  chooseOnFailure(...args: unknown[]): Promise<FailureDecision> {
    this.shown.push(...leaves(args));
    return Promise.resolve({ action: 'skip', reason: 'checked by hand' });
  }
  confirmStep(): Promise<'run'> {
    return Promise.resolve('run');
  }
  typeEnvironmentName(environment: string): Promise<string> {
    return Promise.resolve(environment);
  }
  allClearException(...args: unknown[]): Promise<undefined> {
    this.shown.push(...leaves(args));
    return Promise.resolve(undefined);
  }
}

const found: string[] = [];
let runs = 0;
let reachedService = 0;
let targetRuns = 0;

async function oneRun(input: { operator: string; password: string; session: string; wrap: string; pgPassword: string; urlPassword: string; from: 'local' | 'target' }): Promise<void> {
  current = { operator: input.operator, password: input.password, session: input.session };
  const n = ++runs;
  const dir = join(tmp.dir, `run-${n}`);
  const from = input.from;
  const dbUrl = `postgresql://app:${input.urlPassword}@db-1.internal:5432/app`;
  const services = servicesFrom(`services:
  api:
    health: { url: "${base}/internal", headers: { X-Operator: "secret:operator" }, timeout: 300ms, interval: 100ms, from: ${from} }
    smoke:
      - { name: login, method: POST, url: "${base}/login", body: { user: smoke, password: "secret:smoke-password" }, capture: { session: "$.session" }, from: ${from} }
      - { name: whoami, url: "${base}/whoami?s={session}", headers: { X-Session: "${input.wrap}{session}" }, from: ${from} }
  db:
    smoke:
      - "echo connecting with PGPASSWORD=${input.pgPassword} psql ${dbUrl}; echo 'psql: error: connection to ${dbUrl} failed: FATAL: password authentication failed' >&2; exit 2"
`);
  // from: target runs curl on the host over the run's connection; here the SSH transport is replaced by the local shell (the commands, curl and its stdin config are real).
  const where = from === 'target' ? 'deploy@prod-1.test' : 'local';
  const plan = checksPlan(services, { where, cwd: dir, id: `rb-nosecret-verif-${n}` });
  plan.reason = `/health answers 500; tried PGPASSWORD=${input.pgPassword} psql by hand`;
  const redactor = new Redactor();
  const prompter = new SkippingPrompter();
  const journals = redactingJournalStore(new FileJournalStore(join(dir, '.rollback', 'journals')), redactor);
  const queriesBefore = whoamiQueries.length;
  const run = await runChecks(plan, { dir, prompter, journals, redactor, secrets: { operator: input.operator, 'smoke-password': input.password }, runnerFor: () => new LocalCommandRunner({ cwd: dir }) });
  assert.deepEqual(whoamiQueries.slice(queriesBefore), [input.session], 'the captured session reached the later URL exactly');
  // The run did what the test means: the secrets were sent, the session captured and sent on, every answer failed loudly.
  const smoke = run.result.journal.steps.find((s) => s.stepId === 'smoke-api');
  assert.deepEqual(smoke?.results?.map((r) => [r.name, r.outcome]), [['login', 'ok'], ['whoami', 'failed']], smoke?.detail);
  reachedService++;
  if (from === 'target') targetRuns++;
  let checklist = createChecklistState({ runId: plan.id, decidedAt: plan.createdAt }).state;
  for (const e of run.events) checklist = applyEvent(checklist, e);
  const loaded = await journals.load(plan.id);
  assert.ok(loaded);
  // The journal files without the plan (kept verbatim for Resume), and the plan's reason, which is redacted.
  const journalDir = join(dir, '.rollback', 'journals');
  const journalFiles = readdirSync(journalDir).map((f) => readFileSync(join(journalDir, f), 'utf8'));
  const withoutPlan = journalFiles.map((t) => {
    const j = JSON.parse(t) as { plan?: { reason?: string } };
    const reason = j.plan?.reason;
    delete j.plan;
    return `${JSON.stringify(j)}\n${reason ?? ''}`;
  });
  assert.ok(journalFiles.some((t) => t.includes(`PGPASSWORD=${input.pgPassword}`)), 'the journal keeps the plan\'s own commands verbatim (the documented exception): the test reads the right files');
  const artifacts: Record<string, string> = {
    'journal file (outside the plan)': withoutPlan.join('\n'),
    'journal steps as loaded': JSON.stringify(loaded.steps) + JSON.stringify(loaded.events) + loaded.plan.reason,
    'event stream': leaves(run.events).join('\n'),
    'log line': run.logLines.join('\n'),
    checklist: JSON.stringify(checklist),
    'question asked': prompter.shown.join('\n'),
    'post-mortem': renderPostmortem(loaded, undefined, { redactor }) + renderPostmortem(run.result.journal, undefined, { redactor }),
    'final state': run.result.state,
    'CHANGELOG note': proposeChangelogNote('# Changelog\n\n## [1.4.1]\n', { from: plan.from.name, to: plan.to.name, date: '2026-12-02', reason: plan.reason, environment: plan.environment, redactor }),
  };
  const db = run.result.journal.steps.find((s) => s.stepId === 'smoke-db');
  assert.equal(db?.outcome, 'skipped', 'the db smoke command failed and was skipped by the operator');
  for (const [name, secret] of Object.entries({ operator: input.operator, password: input.password, session: input.session, PGPASSWORD: input.pgPassword, 'URL password': input.urlPassword })) {
    for (const [artifact, text] of Object.entries(artifacts)) {
      const i = text.indexOf(secret);
      if (i >= 0) found.push(`${name} ${JSON.stringify(secret)} in the ${artifact}: …${text.slice(Math.max(0, i - 60), i + secret.length + 20)}…`);
    }
  }
}

test(`no secret a check reads or captures is found in any artifact (${RUNS} real runs against a service that echoes them)`, { timeout: 120_000 }, async () => {
  await fc.assert(fc.asyncProperty(runArb, oneRun), { numRuns: RUNS, endOnFailure: true });
  console.log(`verification no-secret: ${runs} runs (${targetRuns} from the target), ${reachedService} reached the service, ${runs * 5} secrets searched in 9 artifacts, found: ${found.length}`);
  assert.deepEqual(found.slice(0, 5), []);
  assert.equal(reachedService, RUNS);
});
