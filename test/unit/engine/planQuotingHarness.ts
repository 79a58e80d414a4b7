// Pieces of the plan-quoting property test: adversarial values, a real repository whose
// tags carry them, whole plans built from them, and a runner that feeds every command of a
// plan to real shells (many commands per shell process, so thousands of cases fit in CI).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { EnvironmentConfig, MigrationsConfig, MigrationTool, RollbackConfig, ServiceConfig, Strategy } from '../../../src/core/config/types';
import type { MigrationVerdict } from '../../../src/core/migrations/types';
import type { PlanCommand, RollbackPlan } from '../../../src/core/plan/types';
import type { PlanGit } from '../../../src/core/plan/git';

/** The side effect every payload tries to cause: a file whose name starts with this. */
export const CANARY = 'PWNED';

// Shell syntax without spaces (git refuses spaces, ~ ^ : ? * [ \ and control characters in refs).
const REF_PAYLOADS = [
  '$(touch${IFS}PWNED)',
  '`touch${IFS}PWNED`',
  ';touch${IFS}PWNED;',
  '|touch${IFS}PWNED',
  '&&touch${IFS}PWNED',
  '||touch${IFS}PWNED',
  "'$(touch${IFS}PWNED)'",
  '"$(touch${IFS}PWNED)"',
  "';touch${IFS}PWNED;'",
  '";touch${IFS}PWNED;"',
  '>PWNED',
  '{touch,PWNED}',
  '<(touch${IFS}PWNED)',
  '&touch${IFS}PWNED&',
  '$IFS',
  '!',
  '#',
  '$',
  '}',
  '{',
  "'",
  '"',
  '`',
];
// Values that are not refs may also hold spaces, newlines, backslashes and the rest.
const FREE_PAYLOADS = [...REF_PAYLOADS, ' ; touch PWNED', '\ntouch PWNED\n', "'\\''; touch PWNED; '", '\\', '$(touch PWNED)', '\r\ntouch PWNED #', '*', '~', '-rf', '--output=PWNED'];
const SAFE = ['v1.4.0', 'release-2', 'x', '1', '-', '_', '.', '/a', 'b', '@', '%', '+', '=', ',', 'é'];

const chunks = (payloads: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...payloads) }, { weight: 2, arbitrary: fc.constantFrom(...SAFE) });

/** Ref-shaped strings dense in shell syntax; most are legal refs, `gitLegalRefs` says which. */
export const refCandidate = fc
  .tuple(fc.constantFrom('v1.4.0', 'v2', 'release/', 'hotfix-', 'r'), fc.array(chunks(REF_PAYLOADS), { minLength: 1, maxLength: 4 }))
  .map(([head, parts]) => head + parts.join(''));

/** Anything a file name, a migration id or a service name may hold (no NUL). */
export const freeValue = fc
  .oneof({ weight: 4, arbitrary: fc.array(chunks(FREE_PAYLOADS), { minLength: 1, maxLength: 4 }).map((p) => p.join('')) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) })
  .filter((s) => !s.includes('\0') && !s.startsWith(CANARY));

/** `git check-ref-format refs/<kind>/<name>` for each name: one shell per 300 names, two at a time (one per core). */
export async function gitLegalRefs(names: string[], kind: 'tags' | 'heads' = 'tags'): Promise<Set<string>> {
  const legal = new Set<string>();
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += 300) batches.push(names.slice(i, i + 300));
  const check = (batch: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile('/bin/sh', ['-c', `for r in "$@"; do if git check-ref-format "refs/${kind}/$r"; then echo y; else echo n; fi; done`, 'sh', ...batch], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, out) => {
        if (err) return reject(err);
        out.split('\n').slice(0, batch.length).forEach((v, k) => v === 'y' && legal.add(batch[k]));
        resolve();
      });
    });
  const workers = [0, 1].map(async (w) => {
    for (let k = w; k < batches.length; k += 2) await check(batches[k]);
  });
  await Promise.all(workers);
  return legal;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'safe.directory=*', '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

export interface QuotingRepo {
  dir: string;
  /** to (the good release), from (the bad one), head (where the target has moved on to). */
  shas: { to: string; from: string; head: string };
  /** Files changed between to and from, with hostile names (configFiles point at them). */
  hostileFiles: string[];
}

/** Three commits: to, from (changes hostile-named config files and the api), head (the target moved on). */
export function makeQuotingRepo(dir: string, hostileNames: string[]): QuotingRepo {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  const files = [...new Set(hostileNames.map((n) => `cfg-${n.replace(/[/\0]/g, '_')}`))].filter((f) => f.length < 200);
  mkdirSync(join(dir, 'apps/api'), { recursive: true });
  const write = (v: string) => {
    writeFileSync(join(dir, 'apps/api/server.js'), `// ${v}\n`);
    for (const f of files) writeFileSync(join(dir, f), `${v}\n`);
  };
  write('1.3.0');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'release 1.3.0');
  const to = git(dir, 'rev-parse', 'HEAD');
  write('1.4.0');
  // The bad release's subject is hostile too: the one-commit revert (the decision tree's) shows it.
  git(dir, 'commit', '-qam', `release 1.4.0 ${hostileNames.slice(0, 3).join(' ')}`);
  const from = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(join(dir, 'apps/api/server.js'), '// hotfix\n');
  git(dir, 'commit', '-qam', 'hotfix deployed by hand');
  const head = git(dir, 'rev-parse', 'HEAD');
  return { dir, shas: { to, from, head }, hostileFiles: files };
}

/** Creates every tag in one transaction (names already checked by git check-ref-format). */
export function createTags(repo: QuotingRepo, tags: Map<string, string>): void {
  const lines = [...tags].map(([name, sha]) => `create refs/tags/${name} ${sha}\n`).join('');
  execFileSync('git', ['-c', 'safe.directory=*', 'update-ref', '--stdin'], { cwd: repo.dir, input: lines });
}

/**
 * A PlanGit over the real repository that asks git once per distinct question: tags are
 * resolved from one `git for-each-ref` (the real refs), the rest through gitQueriesVia.
 */
export function cachedPlanGit(inner: PlanGit, repo: QuotingRepo): PlanGit {
  const refs = new Map<string, string>();
  const out = execFileSync('git', ['-c', 'safe.directory=*', 'for-each-ref', '--format=%(refname)%00%(objectname)', 'refs/tags'], { cwd: repo.dir, encoding: 'utf8' });
  for (const line of out.split('\n').filter(Boolean)) {
    const [ref, sha] = line.split('\0');
    refs.set(ref.slice('refs/tags/'.length), sha);
  }
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, f: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, f());
    return memo.get(key) as Promise<T>;
  };
  return {
    revParseCommit: (ref) => (refs.has(ref) ? Promise.resolve(refs.get(ref)!) : inner.revParseCommit(ref)),
    parents: (sha) => once(`p ${sha}`, () => inner.parents(sha)),
    firstParentRange: (a, b) => once(`r ${a} ${b}`, () => inner.firstParentRange(a, b)),
    changedFiles: (a, b) => once(`c ${a} ${b}`, () => inner.changedFiles(a, b)),
    subject: (sha) => once(`s ${sha}`, () => inner.subject(sha)),
    tagsAt: (sha) => once(`t ${sha}`, () => inner.tagsAt?.(sha) ?? Promise.resolve([])),
  };
}

export interface DbCase {
  tool: MigrationTool;
  migrations: Array<{ id: string; file: string }>;
  previousOf?: Record<string, string | null>;
  config: MigrationsConfig;
  mode: 'down' | 'restore';
  downSql?: Record<string, string>;
  /** Migration files the code step keeps (still applied on production), and the folder the status check lists. */
  keep: Array<{ path: string; why: string }>;
  dir?: string;
}

export interface QuotingCase {
  from: string;
  to: string;
  branch: string;
  strategy: Strategy;
  push: boolean;
  runId: string;
  reason: string;
  services: Array<{ name: string; healthQuery: string; image: 'tag' | 'sha' | 'none' }>;
  configFiles: string[];
  fullRedeploy: boolean;
  db?: DbCase;
  /** Exit status of every stubbed tool, per command (so both && and || branches run). */
  stubRc: number[];
}

// Templates as a careful user writes them: placeholders bare, sh -c scripts taking "$1".
const DOWN_TEMPLATES: Partial<Record<MigrationTool, Array<Pick<MigrationsConfig, 'down' | 'preview'>>>> = {
  alembic: [
    { down: 'alembic downgrade {previous}', preview: 'alembic downgrade {id}:{previous} --sql' },
    { down: 'docker compose exec -T api alembic downgrade {previous}', preview: "sh -c 'alembic downgrade \"$1\":\"$2\" --sql' sh {id} {previous}" },
    { down: "printf 'undo %s (%s)\\n' {id} {file} && alembic downgrade {previous}", preview: 'cat -- {file}' },
  ],
  knex: [{ down: 'npx knex migrate:down {file}' }, { down: 'npx knex migrate:down --name={id}.js', preview: 'cat -- {file} | head -n 50' }],
  'node-pg-migrate': [{ down: 'npx node-pg-migrate down 1 && echo undone {id}' }],
};

export function quotingCase(names: { ref: fc.Arbitrary<string>; branch: fc.Arbitrary<string> }, hostileFiles: string[]): fc.Arbitrary<QuotingCase> {
  const service = fc.record({ name: freeValue, healthQuery: freeValue, image: fc.constantFrom<'tag' | 'sha' | 'none'>('tag', 'sha', 'sha', 'none') });
  const migration = fc.record({ id: freeValue, file: freeValue.map((f) => `db/versions/${f}.py`) });
  const db: fc.Arbitrary<DbCase> = fc
    .record({
      tool: fc.constantFrom<MigrationTool>('alembic', 'alembic', 'knex', 'node-pg-migrate', 'golang-migrate', 'goose'),
      migrations: fc.array(migration, { minLength: 1, maxLength: 3 }),
      previous: fc.oneof(freeValue, fc.constant('base')),
      template: fc.nat(10),
      sql: fc.constantFrom('psql -d app', 'docker exec -i db psql -U app -d app', 'mysql app'),
      backup: fc.boolean(),
      mode: fc.constantFrom<'down' | 'restore'>('down', 'down', 'restore'),
      downSql: fc.boolean(),
      keep: fc.boolean(),
      status: fc.constantFrom(undefined, 'alembic current', 'npx --no-install knex migrate:status'),
    })
    .map((d) => {
      const templates = DOWN_TEMPLATES[d.tool];
      const t = templates ? templates[d.template % templates.length] : {};
      const migrations = d.tool === 'golang-migrate' || d.tool === 'goose' ? d.migrations.map((m, i) => ({ ...m, id: `${(i + 2) * 1000}${m.id}`, file: m.file.replace(/\.py$/, '.up.sql') })) : d.migrations;
      // A control character in a path is refused by the planner (a refusal, not a shell case): the kept files are the hostile names a shell could misread.
      const plain = (p: string) => !/[\u0000-\u001f\u007f]/.test(p);
      const keep = d.keep ? migrations.filter((m) => plain(m.file)).map((m) => ({ path: m.file, why: `kept: ${m.file}, still applied on production` })) : [];
      const dir = `db/${d.migrations[0].id.replace(/\//g, '_')}`;
      return {
        keep,
        dir: plain(dir) ? dir : 'db/versions',
        tool: d.tool,
        migrations,
        previousOf: d.tool === 'alembic' ? { [migrations[0].id]: d.previous } : undefined,
        config: {
          tool: d.tool,
          ...t,
          sql: d.sql,
          ...(d.status ? { status: d.status } : {}),
          ...(d.backup ? { backup: { list: 'ls -1 /backups', restore: 'pg_restore --clean -d app /backups/latest.dump', create: 'pg_dump -Fc app > /backups/latest.dump' } } : {}),
        },
        mode: d.backup ? d.mode : 'down',
        downSql: d.downSql ? Object.fromEntries(migrations.map((m) => [m.id, `ALTER TABLE orders DROP COLUMN x; -- ${m.id}`])) : undefined,
      };
    });
  return fc.record({
    from: names.ref,
    to: names.ref,
    branch: names.branch,
    strategy: fc.constantFrom<Strategy>('revert', 'revert', 'checkout', 'checkout', 'tag', 'image'),
    push: fc.boolean(),
    runId: fc.oneof({ weight: 9, arbitrary: fc.constant('rb-20250106T090000-abcdef') }, { weight: 1, arbitrary: freeValue }),
    reason: freeValue,
    services: fc.array(service, { minLength: 1, maxLength: 3 }),
    configFiles: fc.subarray(hostileFiles, { maxLength: 3 }),
    fullRedeploy: fc.boolean(),
    db: fc.option(db, { nil: undefined, freq: 2 }),
    stubRc: fc.array(fc.constantFrom(0, 1), { minLength: 64, maxLength: 64 }),
  });
}

export function configFor(c: QuotingCase, env: Pick<EnvironmentConfig, 'host' | 'path'>): RollbackConfig {
  const services: ServiceConfig[] = c.services.map((s, i) => ({
    name: s.name,
    build: `docker compose build svc${i}`,
    deploy: `docker compose up -d --force-recreate svc${i}`,
    stop: `docker compose stop svc${i}`,
    smoke: [`curl -fsS http://127.0.0.1:9/ping`],
    health: { url: `http://127.0.0.1:9/health?q=${encodeURIComponent(s.healthQuery)}&raw=${s.healthQuery.replace(/[\s#]/g, '')}`, expect: 200, warmupMs: 0, timeoutMs: 1000, intervalMs: 500 },
    paths: i === 0 ? ['apps/api/**'] : [],
    ...(s.image === 'tag' ? { image: 'registry.example.com/app:{tag}' } : s.image === 'sha' ? { image: `registry.example.com/svc${i}:{sha}` } : {}),
  }));
  if (c.strategy === 'image') services.forEach((s, i) => (s.deploy = i % 2 ? `docker run -d --name svc${i} {image}` : s.deploy));
  return {
    releases: { tags: '*' },
    environments: [
      {
        name: 'production',
        host: env.host,
        path: env.path,
        branch: c.branch,
        strategy: c.strategy,
        push: c.push,
        configFiles: c.configFiles,
        commandTimeoutMs: 60_000,
        ...(c.fullRedeploy ? { fullRedeploy: 'docker compose up -d --build --force-recreate' } : {}),
      },
    ],
    services,
    migrations: c.db?.config ?? {},
    notify: { webhook: false, escalateAtMinutes: [] },
    isDefault: false,
  };
}

export function verdictsOf(db: DbCase): MigrationVerdict[] {
  return db.migrations.map((m) => ({
    migration: { tool: db.tool, id: m.id, file: m.file },
    class: 'destructive',
    findings: [{ class: 'destructive', rule: 'ban-drop-column', statement: 'ALTER TABLE orders DROP COLUMN x', line: 3, column: 1, reason: 'drops orders.x', direction: 'up', confidence: 'parsed' }],
  }));
}

/** Every command line a plan can run: steps, resume checks, cleanups, the fallback, the full redeploy, and the way back it tells the operator to type. */
export function commandsOf(plan: RollbackPlan): PlanCommand[] {
  const steps = [...plan.steps, ...(plan.fallback?.steps ?? []), ...(plan.fullRedeploy?.steps ?? [])];
  const out: PlanCommand[] = [];
  for (const s of steps) {
    out.push(...s.commands);
    if (s.alreadyDone) out.push(s.alreadyDone);
    if (s.onFailure) out.push(s.onFailure);
  }
  if (plan.returnHint) out.push({ command: plan.returnHint, where: plan.where, cwd: plan.cwd });
  return out;
}

const STUBBED = ['git', 'docker', 'alembic', 'psql', 'mysql', 'curl', 'npx', 'pg_restore', 'pg_dump', 'hostname'];
/**
 * The many-case run also stands in for the text tools the product's checks pipe through
 * (an exec each): injection happens where the shell parses and expands a line, not inside
 * sed or grep, and the real-git and sshd runs keep the real ones. `touch` is never stubbed.
 */
export const STUBBED_WITH_TEXT_TOOLS = [...STUBBED, 'sed', 'grep', 'head', 'tail', 'cut', 'cat', 'ls', 'wc', 'sort', 'tr', 'awk', 'find', 'stat', 'date', 'sleep', 'id', 'mkdir', 'cp', 'mv', 'rm', 'ln', 'chmod', 'readlink', 'realpath', 'basename', 'dirname', 'env', 'xargs', 'tee'];

/**
 * Shell functions standing in for the tools: they print their arguments and exit $STUB_RC.
 * git answers the questions a script asks before it goes on (in a work tree? its top level?
 * HEAD?) the way git would, so a check's later branches run too; HEAD is $STUB_HEAD.
 */
export function stubFunctions(tools = STUBBED): string {
  const gitStub = [
    'git() {',
    '  case " $* " in',
    '    *" --is-inside-work-tree "*) echo true ;;',
    '    *" --show-toplevel "*) pwd ;;',
    '    *" rev-parse HEAD "*|*" rev-parse --verify HEAD "*) printf \'%s\\n\' "${STUB_HEAD:-0000000000000000000000000000000000000000}" ;;',
    '    *) printf \'%s\\n\' "$*" ;;',
    '  esac',
    '  return "${STUB_RC:-0}"',
    '}',
  ].join('\n');
  return tools.map((t) => (t === 'git' ? gitStub : `${t}() { printf '%s\\n' "$*"; return "\${STUB_RC:-0}"; }`)).join('\n');
}

/** The same stubs as executables, for a second shell (sh -c '…') that does not see the functions. */
export function writeStubBin(dir: string, tools = STUBBED.filter((t) => t !== 'git' && t !== 'hostname')): void {
  mkdirSync(dir, { recursive: true });
  for (const t of tools) {
    writeFileSync(join(dir, t), `#!/bin/sh\nprintf '%s\\n' "$*"\nexit "\${STUB_RC:-0}"\n`);
    chmodSync(join(dir, t), 0o755);
  }
}

/** Single quotes written here, not with the product's shQuote: the harness must not lean on what it tests. */
export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One script line: the command read by `eval` exactly as `sh -c` reads it, in a subshell (its exit, cd and syntax errors stay inside). */
export function scriptLine(command: string, rc: number, head?: string): string {
  return `STUB_RC=${rc}; STUB_HEAD=${head ?? ''}; ( eval ${q(command)} ) </dev/null >/dev/null 2>&1`;
}

let scripts = 0;
/** Runs `script` from a file (a batch is larger than one argument may be) in `shell`. */
export function runScript(shell: string, script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string }> {
  const file = join(cwd, '..', `.batch-${process.pid}-${scripts++}.sh`);
  writeFileSync(file, script);
  return new Promise((resolve) => {
    const child = execFile(shell, [file], { cwd, env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, _stdout, stderr) => {
      if (process.env.PLAN_QUOTING_KEEP) writeFileSync(join(process.env.PLAN_QUOTING_KEEP, `${shell.slice(5)}.sh`), script);
      rmSync(file, { force: true });
      resolve({ code: err ? ((err as { code?: number | string }).code === undefined || typeof (err as { code?: unknown }).code !== 'number' ? null : (err as { code: number }).code) : 0, stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

/** Paths under `dir` whose name starts with the canary (depth-bounded walk; .git/objects skipped). */
export function canariesUnder(dir: string, depth = 6): string[] {
  const found: string[] = [];
  if (!existsSync(dir) || depth < 0) return found;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.startsWith(CANARY)) found.push(p);
    if (e.isDirectory() && !(e.name === 'objects' && dir.endsWith('.git'))) found.push(...canariesUnder(p, depth - 1));
  }
  return found;
}
