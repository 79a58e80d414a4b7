// Issue 10, item 3: no secret is written down. fast-check generates secrets of every family
// the redactor knows (assignments, URL userinfo, Authorization, Bearer, private keys, token
// shapes, chat webhooks) and values the product knows are secret (SecretStorage values, the
// values of an environment's .env file). Real rollbacks (RollbackRunner built through
// redactRunnerDeps as RollbackSessions builds it, the real local shell, a real HTTP server on
// 127.0.0.1 for the health checks and the webhook, journals on disk) print them on stdout and
// stderr, in a failing command's error, in health bodies and in the operator's reason; then
// every artifact the run produced is searched for each of them: the journal files, the log
// lines, the event stream as the terminal shows it, the questions asked, the final state, the
// plan preview, the post-mortem file, the CHANGELOG note and the webhook payload. Then the
// command line (the shipped bundle, run as a real process on the fixture app): a PGPASSWORD=…
// and a user:pass@ URL printed by a smoke command and typed in the reason, a token a smoke
// step captured and a service echoes back, searched in its stdout, stderr and journal (outside
// the plan, which the journal keeps verbatim for Resume: src/core/redact/decorators.ts).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { formatRollbackMessage, toSlackPayload, WebhookSender } from '../../../src/core/notify';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import { proposeChangelogNote, renderPostmortem } from '../../../src/core/postmortem';
import { isPlainConfigValue, REDACTED, RedactingRollbackEvents, redactingJournalStore, redactingWebhookHttp, Redactor, redactRunnerDeps, secretValuesOfEnvFile } from '../../../src/core/redact';
import type { RollbackEvent } from '../../../src/core/run/events';
import type { FailureDecision, Prompter } from '../../../src/core/run/ports';
import { RollbackRunner } from '../../../src/core/run/runner';
import { NodeHttp } from '../../../src/infra/http';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { cliSecretRuns } from '../attacks/cliSecrets';
import { tempDir } from './helpers';

const RUNS = 20;
const SECRETS_PER_RUN = 10;

// ---- generated secrets -----------------------------------------------------------------

type Family = 'assignment' | 'url-userinfo' | 'authorization' | 'bearer' | 'private-key' | 'token' | 'secret-storage' | 'env-file';
type Where = 'stdout' | 'stderr' | 'failure' | 'health-ok' | 'health-failing' | 'reason';

interface Injected {
  family: Family;
  /** The strings that must appear in no artifact. */
  needles: string[];
  /** How the output prints it. */
  text: string;
  where: Where;
  /** For .env values: the variable it is written under. */
  envName?: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`;
const B64URL = `${ALNUM}-_`;
const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
/** Starts with a letter or digit, so no value looks like an option or a variable reference. */
const word = (alphabet: string, min: number, max: number): fc.Arbitrary<string> => fc.tuple(fc.constantFrom(...ALNUM), chars(alphabet, min - 1, max - 1)).map(([a, b]) => a + b);
const inContext = (t: string): fc.Arbitrary<string> => fc.constantFrom(`using ${t} now`, `[${t}]`, `(${t})`, `"${t}"`, t, `value ${t}, next`);

const SECRET_NAMES = ['PGPASSWORD', 'DB_PASSWORD', 'MYSQL_PWD', 'API_TOKEN', 'GITHUB_TOKEN', 'SECRET_KEY_BASE', 'STRIPE_SECRET', 'AWS_SESSION_TOKEN', 'client_secret', 'apiKey', 'db.password', 'X-Api-Key', 'AUTH_TOKEN', 'REDIS_PASSWORD', 'credentials', 'passphrase'];
const assignment = fc
  .tuple(fc.constantFrom(...SECRET_NAMES), fc.integer({ min: 0, max: 7 }), word(`${ALNUM}!@#%^_+=.~/:-`, 8, 40))
  .map(([name, form, v]): Omit<Injected, 'where'> => {
    const forms = [`${name}=${v}`, `export ${name}='${v}'`, `${name}: ${v}`, `"${name}": "${v}"`, `--${name.toLowerCase().replace(/[_.]/g, '-')}=${v}`, `GET /cb?${name}=${v}&page=2`, `${name} = ${v}`, `--password ${v} --user app`];
    return { family: 'assignment', needles: [v], text: forms[form] };
  });

const urlUserinfo = fc
  .tuple(fc.constantFrom('postgres', 'postgresql', 'mysql', 'redis', 'amqp', 'https', 'mongodb+srv'), word(ALNUM, 3, 10), word(`${ALNUM}-._~!$&()*+,;=%@`, 8, 32), fc.integer({ min: 0, max: 3 }))
  .map(([scheme, user, pass, form]): Omit<Injected, 'where'> => {
    const url = `${scheme}://${user}:${pass}@db-1.internal:5432/app`;
    return { family: 'url-userinfo', needles: [pass], text: [`psql: error: could not connect to ${url}`, `DATABASE_URL=${url}`, `origin\t${url} (fetch)`, `"${url}"`][form] };
  });

const authorization = fc
  .tuple(fc.constantFrom('Bearer', 'Basic', 'token', 'Digest'), word(`${B64URL}.=`, 12, 60), fc.integer({ min: 0, max: 3 }))
  .map(([scheme, cred, form]): Omit<Injected, 'where'> => ({
    family: 'authorization',
    needles: [cred],
    text: [`Authorization: ${scheme} ${cred}`, `curl -s -H "Authorization: ${scheme} ${cred}" https://api.example.com/v1`, `{'authorization': '${scheme} ${cred}'}`, `> Proxy-Authorization: ${scheme} ${cred}`][form],
  }));

const bearer = fc
  .tuple(word(`${B64URL}.~+/`, 16, 60), fc.integer({ min: 0, max: 1 }))
  .map(([tok, form]): Omit<Injected, 'where'> => ({ family: 'bearer', needles: [tok], text: [`WWW-Authenticate: Bearer ${tok}`, `token_type Bearer ${tok} expires 3600`][form] }));

const privateKey = fc
  .tuple(fc.constantFrom('RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'), fc.array(chars(`${ALNUM}+/`, 64, 64), { minLength: 2, maxLength: 6 }), chars(`${ALNUM}+/`, 16, 40))
  .map(([label, lines, last]): Omit<Injected, 'where'> => {
    const body = [...lines, `${last}==`];
    return { family: 'private-key', needles: body, text: `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----` };
  });

const digits = (n: number): fc.Arbitrary<string> => chars('0123456789', n, n);
const token = fc
  .oneof(
    chars(ALNUM, 36, 36).map((t) => [`ghp_${t}`]),
    chars(ALNUM, 36, 36).map((t) => [`gho_${t}`]),
    fc.tuple(chars(ALNUM, 22, 22), chars(ALNUM, 59, 59)).map(([a, b]) => [`github_pat_${a}_${b}`]),
    chars(B64URL, 20, 20).map((t) => [`glpat-${t}`]),
    fc.tuple(digits(12), digits(13), chars(ALNUM, 24, 24)).map(([a, b, c]) => [`xoxb-${a}-${b}-${c}`]),
    chars(`${UPPER}234567`, 16, 16).map((t) => [`AKIA${t}`]),
    fc.tuple(chars(B64URL, 12, 40), chars(B64URL, 12, 60), chars(B64URL, 20, 43)).map(([h, p, s]) => [`eyJ${h}.eyJ${p}.${s}`]),
    chars(ALNUM, 32, 48).map((t) => [`sk-${t}`]),
    chars(ALNUM, 24, 34).map((t) => [`sk_live_${t}`]),
    chars(`${ALNUM}/+`, 40, 40).map((t) => [t, `aws_secret_access_key = ${t}`]),
    fc.tuple(chars(UPPER, 8, 8), chars(UPPER, 8, 8), chars(ALNUM, 24, 24)).map(([t, b, x]) => [x, `https://hooks.slack.com/services/T${t}/B${b}/${x}`]),
    fc.tuple(digits(18), chars(B64URL, 68, 68)).map(([id, t]) => [t, `https://discord.com/api/webhooks/${id}/${t}`]),
  )
  .chain(([needle, shown]) => inContext(shown ?? needle).map((text): Omit<Injected, 'where'> => ({ family: 'token', needles: [needle], text })));

const storedSecret = word(`${ALNUM}!%^_+.~@:/-=`, 12, 40).chain((v) => inContext(v).map((text): Omit<Injected, 'where'> => ({ family: 'secret-storage', needles: [v], text })));

const ENV_NAMES = ['APP_SETTING', 'DB_PASSWORD', 'UPSTREAM', 'SENTRY_DSN', 'SIGNING', 'API_KEY_PRIMARY', 'LICENSE'];
const envValue = fc
  .tuple(fc.constantFrom(...ENV_NAMES), fc.integer({ min: 0, max: 99 }), word(`${ALNUM}!%^_+.~@:/-`, 8, 40), fc.boolean())
  .filter(([name, , v]) => !isPlainConfigValue(name, v))
  .map(([name, n, v, bare]): Omit<Injected, 'where'> => ({ family: 'env-file', needles: [v], envName: `${name}_${n}`, text: bare ? `connecting with ${v} to the upstream` : `${name}_${n}=${v}` }));

const PATTERN_FAMILIES = new Set<Family>(['assignment', 'url-userinfo', 'authorization', 'bearer', 'token']);
const secret = fc
  .tuple(fc.oneof(assignment, urlUserinfo, authorization, bearer, privateKey, token, storedSecret, envValue), fc.constantFrom<Where>('stdout', 'stderr', 'failure', 'health-ok', 'health-failing', 'reason'))
  .map(([s, where]): Injected => {
    // The reason is one line typed by a person; the preview (pattern families only) shows it, so it gets the shapes the patterns know.
    if (where === 'reason' && !PATTERN_FAMILIES.has(s.family)) return { ...s, where: 'stdout' };
    return { ...s, where };
  });

const runArb = fc.record({
  secrets: fc.array(secret, { minLength: SECRETS_PER_RUN, maxLength: SECRETS_PER_RUN }),
  filler: fc.integer({ min: 0, max: 6000 }),
  bodyPrefix: fc.integer({ min: 0, max: 190 }),
  webhookToken: chars(ALNUM, 24, 40),
  splitAt: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
});

// ---- the real parts ----------------------------------------------------------------------

const bodies = new Map<string, { status: number; body: string }>();
const posted: string[] = [];
let server: Server;
let base = '';
const tmp = tempDir('nosecret');

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST') {
        posted.push(body);
        res.writeHead(200).end('ok');
        return;
      }
      const b = bodies.get(req.url ?? '') ?? { status: 404, body: 'no such page' };
      res.writeHead(b.status, { 'content-type': 'text/plain' }).end(b.body);
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

/** Every string inside a JSON-like value. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) leaves(x, out);
  return out;
}

/** Asks nothing of a person: failures are skipped with a reason typed by the "operator"; what each question showed is kept. */
class RecordingPrompter implements Prompter {
  readonly shown: string[] = [];
  constructor(private readonly skipReason: string) {}
  chooseOnFailure(...args: unknown[]): Promise<FailureDecision> {
    this.shown.push(...leaves(args));
    return Promise.resolve({ action: 'skip', reason: this.skipReason });
  }
  confirmStep(...args: unknown[]): Promise<'run'> {
    this.shown.push(...leaves(args));
    return Promise.resolve('run');
  }
  typeEnvironmentName(environment: string): Promise<string> {
    return Promise.resolve(environment);
  }
}

const step = (id: string, kind: PlanStep['kind'], over: Partial<PlanStep> = {}): PlanStep => ({ id, kind, title: `Step ${id}`, why: `because ${id}`, commands: [], destructive: false, ...over });

interface Figures {
  runs: number;
  secrets: number;
  needles: number;
  byFamily: Record<string, number>;
  found: Array<{ family: Family; where: Where; artifact: string; needle: string; near: string }>;
  markersSeen: number;
}
const figures: Figures = { runs: 0, secrets: 0, needles: 0, byFamily: {}, found: [], markersSeen: 0 };

async function oneRun(input: { secrets: Injected[]; filler: number; bodyPrefix: number; webhookToken: string; splitAt: number }): Promise<void> {
  const n = ++figures.runs;
  const ws = join(tmp.dir, `run-${n}`);
  mkdirSync(ws, { recursive: true });
  const at = (w: Where): Injected[] => input.secrets.filter((s) => s.where === w);
  const lines = (w: Where): string => at(w).map((s) => s.text).join('\n');

  // What the product knows is secret: SecretStorage (the webhook URL, another value) and the .env file of the environment.
  const redactor = new Redactor();
  const webhookUrl = `${base}/hooks/${input.webhookToken}`;
  redactor.setSource('secret-storage:rollbackPilot.notify.webhookUrl', [webhookUrl]);
  redactor.setSource('secret-storage:other', input.secrets.filter((s) => s.family === 'secret-storage').map((s) => s.needles[0]));
  const envLines = input.secrets.filter((s) => s.family === 'env-file').map((s) => `${s.envName}=${s.needles[0]}`);
  writeFileSync(join(ws, '.env'), `NODE_ENV=production\nPORT=3000\n${envLines.join('\n')}\n`);
  redactor.setSource('env-file:.env', secretValuesOfEnvFile(readFileSync(join(ws, '.env'), 'utf8')));
  const webhookInOutput = `POST ${webhookUrl} -> 404 (path /hooks/${input.webhookToken})`;

  // The command output: a filler that pushes part of it out of the 4 KiB tail, then the secrets; printed in two pieces cut inside a secret.
  const filler = Array.from({ length: Math.ceil(input.filler / 40) }, (_, i) => `compiling module ${String(i).padStart(4, '0')} ... ok`).join('\n');
  const stdoutText = `${filler}\n${lines('stdout')}\n${webhookInOutput}\nbuild step finished\n`;
  const cut = Math.max(1, Math.floor(stdoutText.length * input.splitAt));
  writeFileSync(join(ws, 'stdout.txt'), stdoutText);
  writeFileSync(join(ws, 'stderr.txt'), `warning: retrying\n${lines('stderr')}\n`);
  writeFileSync(join(ws, 'failure.txt'), `fatal: cannot continue\n${lines('failure') || 'no detail'}\n`);
  const pad = 'x'.repeat(input.bodyPrefix);
  bodies.set(`/ok-${n}`, { status: 200, body: `${pad}\n${lines('health-ok')}\nstatus ok` });
  bodies.set(`/bad-${n}`, { status: 500, body: `${pad}\n${lines('health-failing')}\nstatus failing` });

  const reasonText = `api /health answers 500 since v1.4.0 ${at('reason').map((s) => s.text).join(' ')}`.trim();
  const health = (path: string) => ({ url: `${base}${path}`, expect: 200, warmupMs: 0, timeoutMs: 300, intervalMs: 100, where: 'local' });
  const plan: RollbackPlan = {
    id: `rb-nosecret-${n}`,
    environment: 'production',
    where: 'local',
    strategy: 'revert',
    from: { name: 'v1.4.0', sha: 'a'.repeat(40) },
    to: { name: 'v1.3.0', sha: 'b'.repeat(40) },
    targetSource: 'previous-tag',
    reason: reasonText,
    steps: [
      step('notify-start', 'notify'),
      step('print-stdout', 'build', { commands: [{ command: `head -c ${cut} stdout.txt; sleep 0.05; tail -c +${cut + 1} stdout.txt`, where: 'local', cwd: ws }] }),
      step('print-stderr', 'deploy', { commands: [{ command: 'cat stderr.txt >&2', where: 'local', cwd: ws }] }),
      step('fails', 'deploy', { commands: [{ command: 'cat failure.txt >&2; exit 3', where: 'local', cwd: ws }] }),
      step('health-ok', 'health', { health: health(`/ok-${n}`) }),
      step('health-failing', 'health', { health: health(`/bad-${n}`) }),
    ],
    affectedServices: ['api'],
    createdAt: new Date().toISOString(),
    createdBy: 'dana@laptop',
    cwd: ws,
  };

  // Built the way RollbackSessions builds it: the one redactor around every port.
  const events = new RedactingRollbackEvents(redactor);
  const seen: RollbackEvent[] = [];
  events.on((e) => seen.push(e));
  const logLines: string[] = [];
  const journals = redactingJournalStore(new FileJournalStore(join(ws, '.rollback', 'journals')), redactor);
  const prompter = new RecordingPrompter(at('reason')[0]?.text ?? 'skipped by the operator');
  const sender = new WebhookSender(redactingWebhookHttp(new NodeHttp(), redactor), 2000);
  const postedBefore = posted.length;
  const runner = new RollbackRunner(
    redactRunnerDeps(
      {
        runnerFor: () => new LocalCommandRunner({ cwd: ws }),
        journals,
        prompter,
        http: new NodeHttp(),
        events,
        log: { log: (l) => logLines.push(l) },
        operator: 'dana@laptop',
        notify: async (_s, p) => {
          const ctx = { environment: p.environment, from: p.from.name, to: p.to.name, reason: p.reason, elapsedMs: 0 };
          const r = await sender.send(webhookUrl, toSlackPayload(formatRollbackMessage('start', ctx), ctx));
          return r.ok ? 'sent' : 'skipped';
        },
      },
      redactor,
    ),
  );
  const result = await runner.run(plan);

  // The artifacts, as a person would find them.
  const journalDir = join(ws, '.rollback', 'journals');
  const journalFiles = readdirSync(journalDir).map((f) => readFileSync(join(journalDir, f), 'utf8'));
  const loaded = await journals.load(plan.id);
  assert.ok(loaded, 'the journal is on disk');
  const pmDir = join(ws, 'docs', 'postmortems');
  mkdirSync(pmDir, { recursive: true });
  writeFileSync(join(pmDir, 'pm.md'), renderPostmortem(loaded, undefined, { redactor }));
  writeFileSync(join(pmDir, 'pm-from-memory.md'), renderPostmortem(result.journal, undefined, { redactor }));
  const changelog = proposeChangelogNote('# Changelog\n\n## [1.4.1]\n', { from: plan.from.name, to: plan.to.name, date: '2026-12-01', reason: plan.reason, environment: plan.environment, redactor });
  // The preview of the same plan with rollback.yml-style commands carrying the pattern-family secrets (PGPASSWORD=…, user:pass@…).
  const configured = input.secrets.filter((s) => PATTERN_FAMILIES.has(s.family));
  const preview = renderPlanMarkdown({ ...plan, steps: [...plan.steps, step('configured', 'database', { commands: configured.map((s) => ({ command: `${s.text} psql -c 'select 1'`, where: 'local' })) })] });
  const terminal = seen.map((e) => (e.type === 'step-output' ? e.chunk : `\n${leaves(e).join('\n')}\n`)).join('');
  const artifacts: Record<string, string> = {
    'journal file': journalFiles.join('\n'),
    'journal (parsed)': leaves(journalFiles.map((t) => JSON.parse(t) as unknown)).join('\n'),
    'log line': logLines.join('\n'),
    'terminal / event stream': terminal,
    'question asked': prompter.shown.join('\n'),
    'final state': result.state,
    'post-mortem file': readFileSync(join(pmDir, 'pm.md'), 'utf8') + readFileSync(join(pmDir, 'pm-from-memory.md'), 'utf8'),
    'CHANGELOG note': changelog,
    'webhook payload': posted.slice(postedBefore).join('\n') + leaves(posted.slice(postedBefore).map((t) => JSON.parse(t) as unknown)).join('\n'),
  };

  // The run did what the test means it to: output recorded, failures skipped, the webhook posted.
  assert.equal(result.journal.steps.find((s) => s.stepId === 'fails')?.outcome, 'skipped');
  assert.equal(result.journal.steps.find((s) => s.stepId === 'health-ok')?.outcome, 'ok');
  assert.equal(posted.length, postedBefore + 1, 'one webhook message was posted');
  assert.match(artifacts['terminal / event stream'], /build step finished/);
  assert.match(loaded.steps.find((s) => s.stepId === 'print-stdout')?.outputTail ?? '', /build step finished/);
  figures.markersSeen += (terminal.match(new RegExp(REDACTED, 'g')) ?? []).length;

  const search = (s: Injected, names: string[]): void => {
    for (const needle of s.needles) {
      figures.needles++;
      for (const name of names) {
        const i = artifacts[name]?.indexOf(needle) ?? -1;
        if (i >= 0) figures.found.push({ family: s.family, where: s.where, artifact: name, needle, near: artifacts[name].slice(Math.max(0, i - 60), i + needle.length + 20) });
      }
    }
  };
  const webhookSecret: Injected = { family: 'secret-storage', needles: [input.webhookToken], text: webhookInOutput, where: 'stdout' };
  for (const s of [...input.secrets, webhookSecret]) {
    figures.secrets++;
    figures.byFamily[s.family] = (figures.byFamily[s.family] ?? 0) + 1;
    search(s, Object.keys(artifacts));
  }
  // The preview is redacted by the pattern families (it is rendered without the product's redactor).
  artifacts.preview = preview;
  for (const s of configured) search({ ...s, needles: s.needles }, ['preview']);
}

test(`no injected secret is found in any artifact (${RUNS} real local rollbacks, ${RUNS * SECRETS_PER_RUN} generated secrets and ${RUNS} webhook URLs)`, { timeout: 120_000 }, async () => {
  const started = Date.now();
  await fc.assert(fc.asyncProperty(runArb, oneRun), { numRuns: RUNS, endOnFailure: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`no-secret-written: ${figures.runs} runs, ${figures.secrets} secrets injected (${JSON.stringify(figures.byFamily)}), ${figures.needles} strings searched in 10 artifacts, ${figures.markersSeen} redaction markers in the terminal stream, found in artifacts: ${figures.found.length}, ${seconds} s`);
  assert.deepEqual(figures.found.slice(0, 5), [], `${figures.found.length} secret(s) found in artifacts`);
  assert.ok(figures.secrets >= RUNS * SECRETS_PER_RUN);
});

// ---- the command line ----------------------------------------------------------------------

const CLI_RUNS = 2;
const cliSecrets = fc.record({ pg: word(`${ALNUM}_+.~-`, 10, 30), url: chars(ALNUM, 10, 30), token: chars(ALNUM, 24, 40) });

test(`rollback-pilot run prints and journals no secret (${CLI_RUNS} runs of the shipped CLI on the fixture app: PGPASSWORD=, user:pass@, a captured token)`, { timeout: 300_000 }, async () => {
  const found = await cliSecretRuns(fc.sample(cliSecrets, { numRuns: CLI_RUNS }), tmp.dir);
  console.log(`no-secret-written (CLI): ${CLI_RUNS} runs, ${CLI_RUNS * 3} secrets searched in stdout, stderr and the journal, found: ${found.length}`);
  assert.deepEqual(found.slice(0, 5), []);
});
