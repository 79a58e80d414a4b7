// No value reaches a shell unquoted: whole plans are built by the real planner from
// adversarial but git-legal tag and branch names (git check-ref-format is the oracle),
// hostile service names, config file names, migration ids and file names, health URLs and
// run ids, and every command they contain (steps, resume checks, cleanups, the fallback,
// the full redeploy, the way back) is run in real dash and bash, locally and over the real
// sshd. Every payload tries to create a file named PWNED…; none may ever appear. The newer
// parts ride on the same cases (test/unit/attacks/newerParts.ts): logs {since}, backup.create/
// dir/log and a hostile backups log ({backup} in restore, the backup check), deployed and
// imageCheck, configCheck and the config-only plan, followUp ciStatus/issue, the one-commit
// revert of a hostile subject, the tool presence check, the schema dump, each template in
// many shell contexts (refused, or clean); and smoke steps from the target send values a
// hostile service handed out through curl (test/unit/attacks/smokeFromTarget.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { buildPlan } from '../../../src/core/plan/planner';
import { buildConfigPlan } from '../../../src/core/plan/configPlan';
import { gitQueriesVia, type PlanGit } from '../../../src/core/plan/git';
import type { PlanCommand, RollbackPlan } from '../../../src/core/plan/types';
import { planDatabaseSteps } from '../../../src/core/database/dbPlan';
import { toolStatusStep } from '../../../src/core/database/toolStatus';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { sshdUnavailable, startSshd, type TestSshd, testSshRunner } from '../../support/sshd';
import { tempDir } from './helpers';
import { CURL_CONFIG_PAYLOADS, runHostileFlows } from '../attacks/smokeFromTarget';
import { hostileChosenBackup, newerCase, newerCommands, withNewerParts, type NewerCase } from '../attacks/newerParts';
import {
  cachedPlanGit,
  canariesUnder,
  commandsOf,
  configFor,
  createTags,
  freeValue,
  git,
  gitLegalRefs,
  makeQuotingRepo,
  quotingCase,
  refCandidate,
  runScript,
  scriptLine,
  STUBBED_WITH_TEXT_TOOLS,
  stubFunctions,
  verdictsOf,
  writeStubBin,
  type QuotingCase,
  type QuotingRepo,
} from './planQuotingHarness';

const LOCAL_CASES = Number(process.env.PLAN_QUOTING_CASES ?? 2000);
const REAL_GIT_CASES = 40;
const SSH_CASES = 50;
const SMOKE_TOKENS = Number(process.env.PLAN_QUOTING_SMOKE_TOKENS ?? 60);
const SEED = Number(process.env.PLAN_QUOTING_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCH = 100;

interface Escape {
  shell: string;
  command: string;
  case: QuotingCase;
  found: string[];
}

describe('no value reaches a shell unquoted (whole plans, real shells)', () => {
  const tmp = tempDir('plan-quoting');
  const sandbox = join(tmp.dir, 'sandbox');
  const stubBin = join(tmp.dir, 'stub-bin');
  let repo: QuotingRepo;
  const cases: QuotingCase[] = [];
  // The newer parts of each case (logs, backups, image checks, configCheck, follow-up, one-commit revert, config-only plan), by case index.
  let newer: NewerCase[] = [];
  const dropped = { illegalRef: 0, clash: 0 };

  before(async () => {
    mkdirSync(sandbox, { recursive: true });
    writeStubBin(stubBin);
    const hostileNames = fc.sample(freeValue.filter((s) => !/[\n\r]/.test(s)), { numRuns: 40, seed: SEED });
    repo = makeQuotingRepo(join(sandbox, 'repo'), hostileNames);
    // Generate, then keep the cases whose names git itself accepts; names are made one role each (a from tag is never a to tag).
    const wanted = LOCAL_CASES + REAL_GIT_CASES + SSH_CASES;
    const arb = quotingCase({ ref: refCandidate, branch: fc.oneof({ weight: 2, arbitrary: fc.constant('main') }, { weight: 1, arbitrary: refCandidate }) }, repo.hostileFiles);
    const role = new Map<string, string>();
    const folders = new Set<string>();
    for (let round = 0; round < 4 && cases.length < wanted; round++) {
      // A case number right after the name's head keeps every tag distinct (git cannot hold "a" and "a/b" both, nor one name on two commits).
      const unique = (name: string, n: number, r: string) => name.replace(/^(v1\.4\.0|v2|release\/|hotfix-|r)/, `$1${n}${r}.`);
      const sample = fc.sample(arb, { numRuns: Math.ceil((wanted - cases.length) * 1.3), seed: SEED + round }).map((c, k) => ({ ...c, from: unique(c.from, round * 100_000 + k, 'f'), to: unique(c.to, round * 100_000 + k, 't') }));
      const legalTags = await gitLegalRefs([...new Set(sample.flatMap((c) => [c.from, c.to]))], 'tags');
      const legalBranches = await gitLegalRefs([...new Set(sample.map((c) => c.branch))], 'heads');
      for (const c of sample) {
        if (cases.length >= wanted) break;
        if (!legalTags.has(c.from) || !legalTags.has(c.to) || !legalBranches.has(c.branch)) {
          dropped.illegalRef++;
          continue;
        }
        // git keeps refs as files: "a" and "a/b" cannot both be tags.
        const folderClash = (n: string) => folders.has(n) || n.split('/').some((_, k, parts) => k > 0 && role.has(parts.slice(0, k).join('/')));
        if (c.from === c.to || (role.get(c.from) ?? repo.shas.from) !== repo.shas.from || (role.get(c.to) ?? repo.shas.to) !== repo.shas.to || folderClash(c.from) || folderClash(c.to)) {
          dropped.clash++;
          continue;
        }
        for (const [n, sha] of [[c.from, repo.shas.from], [c.to, repo.shas.to]]) {
          role.set(n, sha);
          n.split('/').forEach((_, k, parts) => k > 0 && folders.add(parts.slice(0, k).join('/')));
        }
        cases.push(c);
      }
    }
    createTags(repo, role);
    newer = fc.sample(newerCase(freeValue), { numRuns: cases.length, seed: SEED + 11 });
  });
  after(() => tmp.cleanup());

  interface Planned {
    plan: RollbackPlan;
    /** The newer parts' commands (filled in as they run) and the config-only plan's. */
    extra: PlanCommand[];
    refused: string[];
  }

  async function planOf(c: QuotingCase, planGit: PlanGit, env: { host: string; path: string }, workspaceRoot: string): Promise<Planned | Error> {
    try {
      const n = newer[cases.indexOf(c)];
      const config = withNewerParts(configFor(c, env), n);
      const databaseSteps = c.db
        ? planDatabaseSteps({
            verdicts: verdictsOf(c.db),
            migrations: config.migrations,
            where: env.host,
            cwd: env.path,
            previousOf: c.db.previousOf,
            downSql: c.db.downSql,
            priorVersion: '0',
            mode: c.db.mode,
            writers: config.services.map((s) => ({ name: s.name, stop: s.stop })),
            // A backups log on the target whose record (path, tag, environment, author) is hostile: checked, then restored through {backup}.
            ...(config.migrations.backup?.create ? { backup: hostileChosenBackup(n, { name: c.to, sha: repo.shas.to }, config.migrations.backup.log ?? 'ops/backups.log') } : {}),
          })
        : undefined;
      // The check after the rollback that the tool still works (its folder a hostile name for golang-migrate and goose).
      const status = c.db && toolStatusStep({ tool: c.db.tool, command: config.migrations.status, dir: c.db.dir, expect: c.db.migrations.map((m) => m.id), at: (command, extra) => ({ command, where: env.host, cwd: env.path, ...extra }), environment: 'production', where: env.host });
      const common = { config, environment: 'production', git: planGit, from: c.from, targetSource: 'previous-tag' as const, reason: c.reason, createdBy: 'fuzz@ci', runId: c.runId, workspaceRoot };
      const plan = await buildPlan({ ...common, to: c.to, databaseSteps, keepMigrationFiles: c.db?.keep, verifySteps: status ? [status] : undefined, ...(n.revertCommit && c.strategy === 'revert' ? { revertCommit: c.from } : {}) });
      const more = await newerCommands(n, plan, config);
      // The decision tree's configuration branch: the config files back from `to` (or a plain restart), no code step.
      if (n.configPlan !== 'none') {
        try {
          more.commands.push(...commandsOf(await buildConfigPlan({ ...common, remedy: n.configPlan, to: c.to })));
        } catch (e) {
          if (!['UnsafeValueError', 'PlanError'].includes((e as Error).name)) throw e;
          more.refused.push(`config plan (${(e as Error).name})`);
        }
      }
      return { plan, extra: more.commands, refused: more.refused };
    } catch (e) {
      return e as Error;
    }
  }

  // The stubbed HEAD is the from release in a third of the commands (checks pass and go on) and elsewhere another commit (they refuse).
  const linesOf = (c: QuotingCase, { plan, extra }: Planned) =>
    [...commandsOf(plan), ...extra].map((cmd, i) => scriptLine(cmd.command, c.stubRc[i % c.stubRc.length], c.stubRc[(i + 7) % c.stubRc.length] && c.stubRc[(i + 13) % c.stubRc.length] ? plan.from.sha : repo.shas.head));

  /**
   * Runs the batch in dash and in bash (bash, the slower, split in two halves so the three
   * processes keep both cores busy), each in its own folder; returns the escapes, each pinned
   * to one case and command by running the lines again one at a time.
   */
  async function runBatch(batch: Array<{ c: QuotingCase; lines: string[] }>, prologue: string, env: NodeJS.ProcessEnv, dirs: Record<string, string>, split = true): Promise<Escape[]> {
    const script = (lines: string[]) => `${prologue}\n${[...new Set(lines)].join('\n')}\n`;
    const half = Math.ceil(batch.length / 2);
    const jobs: Array<{ shell: string; dir: string; part: typeof batch }> = [];
    for (const [shell, dir] of Object.entries(dirs)) {
      if (split && shell === '/bin/bash') {
        jobs.push({ shell, dir, part: batch.slice(0, half) }, { shell, dir: `${dir}-2`, part: batch.slice(half) });
      } else jobs.push({ shell, dir, part: batch });
    }
    for (const j of jobs) mkdirSync(j.dir, { recursive: true });
    const results = await Promise.all(jobs.map((j) => runScript(j.shell, script(j.part.flatMap((b) => b.lines)), j.dir, env)));
    results.forEach((r, k) => assert.ok(r.code !== null, `${jobs[k].shell} did not finish the batch: ${r.stderr.slice(-500)}`));
    const batchFound = canariesUnder(sandbox);
    if (batchFound.length === 0) return [];
    for (const f of batchFound) rmSync(f, { recursive: true, force: true });
    const escapes: Escape[] = [];
    for (const sh of Object.keys(dirs)) {
      for (const b of batch) {
        for (const line of b.lines) {
          await runScript(sh, script([line]), dirs[sh], env);
          const found = canariesUnder(sandbox);
          if (found.length) {
            escapes.push({ shell: sh, command: line, case: b.c, found });
            for (const f of found) rmSync(f, { recursive: true, force: true });
            break;
          }
        }
        if (escapes.length >= 5) return escapes;
      }
    }
    return escapes.length ? escapes : [{ shell: Object.keys(dirs).join('+'), command: '(only the batch as a whole)', case: batch[0].c, found: batchFound }];
  }

  function report(t: TestContext, what: string, figures: Record<string, number>, escapes: Escape[]): void {
    t.diagnostic(`${what}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(', ')}, escapes found ${escapes.length} (seed ${SEED})`);
    const detail = escapes.slice(0, 3).map((e) => `${e.shell} created ${e.found.join(', ')}\n  command: ${e.command}\n  case: ${JSON.stringify({ ...e.case, stubRc: undefined })}`);
    assert.equal(escapes.length, 0, `a value reached a shell unquoted (rerun with PLAN_QUOTING_SEED=${SEED}):\n${detail.join('\n')}`);
  }

  test(`${LOCAL_CASES} generated plans: every command in real dash and bash, tools stubbed, no side effect`, { timeout: 300_000 }, async (t) => {
    const started = Date.now();
    const planGit = cachedPlanGit(gitQueriesVia(new LocalCommandRunner(), repo.dir), repo);
    const dirs = { '/bin/dash': join(sandbox, 'dash'), '/bin/bash': join(sandbox, 'bash') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    const env = { PATH: `${stubBin}:/usr/bin:/bin`, HOME: sandbox, LANG: 'C.UTF-8' };
    const prologue = stubFunctions(STUBBED_WITH_TEXT_TOOLS);
    const figures = { 'cases tried': 0, 'plans built': 0, 'refused by validation': 0, 'commands run (per shell)': 0, 'newer-part commands': 0, 'distinct command lines': 0 };
    const newerRefusals = new Map<string, number>();
    const escapes: Escape[] = [];
    const refusals = new Map<string, number>();
    const local = cases.slice(0, LOCAL_CASES);
    let planMs = 0;
    let shellMs = 0;
    for (let i = 0; i < local.length; i += BATCH) {
      const t0 = Date.now();
      const batch: Array<{ c: QuotingCase; lines: string[] }> = [];
      for (const c of local.slice(i, i + BATCH)) {
        figures['cases tried']++;
        const plan = await planOf(c, planGit, { host: 'local', path: repo.dir }, repo.dir);
        if (plan instanceof Error) {
          figures['refused by validation']++;
          assert.ok(['UnsafeValueError', 'PlanError'].includes(plan.name), `an unexpected failure, not a refusal: ${plan.stack}`);
          const kind = plan.message.replace(/".*"/s, '…').slice(0, 60);
          refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
          continue;
        }
        figures['plans built']++;
        const lines = linesOf(c, plan);
        for (const r of plan.refused) newerRefusals.set(r, (newerRefusals.get(r) ?? 0) + 1);
        figures['newer-part commands'] += plan.extra.length;
        figures['commands run (per shell)'] += lines.length;
        batch.push({ c, lines });
      }
      figures['distinct command lines'] += new Set(batch.flatMap((b) => b.lines)).size;
      const t1 = Date.now();
      planMs += t1 - t0;
      escapes.push(...(await runBatch(batch, prologue, env, dirs)));
      shellMs += Date.now() - t1;
      if (escapes.length >= 5) break;
    }
    t.diagnostic(`newer parts refused (a template the product will not fill): ${[...newerRefusals].map(([k, v]) => `${v}× ${k}`).join(' | ') || 'none'}`);
    t.diagnostic(`refusals: ${[...refusals].map(([k, n]) => `${n}× ${k}`).join(' | ') || 'none'}; generated cases dropped before planning: ${dropped.illegalRef} with a name git refuses, ${dropped.clash} with a name clash; ${Math.round((Date.now() - started) / 1000)} s (planning ${Math.round(planMs / 1000)} s, shells ${Math.round(shellMs / 1000)} s)`);
    report(t, 'dash+bash, stubbed tools', figures, escapes);
    assert.ok(figures['cases tried'] >= Math.min(LOCAL_CASES, 2000), `only ${figures['cases tried']} cases were generated`);
    assert.ok(figures['plans built'] >= figures['cases tried'] * 0.7, `too many refusals (${figures['refused by validation']}): the property would test too little`);
  });

  test('control: the same harness sees a name put raw into a double-quoted echo, as the reviewer found it', { timeout: 60_000 }, async (t) => {
    const dirs = { '/bin/dash': join(sandbox, 'control-dash'), '/bin/bash': join(sandbox, 'control-bash') };
    const env = { PATH: `${stubBin}:/usr/bin:/bin`, HOME: sandbox, LANG: 'C.UTF-8' };
    const batch = cases.slice(0, 60).map((c) => ({ c, lines: [scriptLine(`head=$(git rev-parse HEAD) && { [ "$head" = x ] || { echo "the target is at $head, not at ${c.from}" >&2; exit 1; }; }`, 0, repo.shas.head)] }));
    const escapes = await runBatch(batch, stubFunctions(STUBBED_WITH_TEXT_TOOLS), env, dirs);
    t.diagnostic(`control: ${batch.length} raw echoes of generated tag names, escapes found ${escapes.length} (the search stops at 5)`);
    assert.ok(escapes.length > 0, 'the harness did not see a raw name escape: it would not see the planner do it either');
  });

  test('control: the hostile backups log and follow-up values, filled in raw instead of quoted, are seen escaping', { timeout: 60_000 }, async (t) => {
    const dirs = { '/bin/dash': join(sandbox, 'control-newer-dash'), '/bin/bash': join(sandbox, 'control-newer-bash') };
    const env = { PATH: `${stubBin}:/usr/bin:/bin`, HOME: sandbox, LANG: 'C.UTF-8' };
    const batch = cases.slice(0, 60).map((c, k) => {
      const chosen = hostileChosenBackup(newer[k], { name: c.to, sha: repo.shas.to }, 'ops/backups.log');
      const path = 'record' in chosen ? chosen.record.path : '';
      return { c, lines: [scriptLine(`pg_restore --clean -d app ${path}`, 0), scriptLine(`gh issue create --title ${newer[k].followUp.note}`, 0)] };
    });
    const escapes = await runBatch(batch, stubFunctions(STUBBED_WITH_TEXT_TOOLS), env, dirs);
    t.diagnostic(`control (newer parts): ${batch.length} raw backup paths and follow-up notes, escapes found ${escapes.length} (the search stops at 5)`);
    assert.ok(escapes.length > 0, 'the newer parts\' hostile values did not escape even raw: they would test nothing');
  });

  test(`${REAL_GIT_CASES} plans against real git, on a target that moved on (the refusal branches run)`, { timeout: 120_000 }, async (t) => {
    const planGit = gitQueriesVia(new LocalCommandRunner(), repo.dir);
    const dirs: Record<string, string> = {};
    for (const sh of ['/bin/dash', '/bin/bash']) {
      const d = join(sandbox, `real-${sh.slice(5)}`);
      git(sandbox, 'clone', '-q', repo.dir, d);
      dirs[sh] = d;
    }
    const env = { PATH: `${stubBin}:/usr/bin:/bin`, HOME: sandbox, LANG: 'C.UTF-8', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const prologue = ':';
    const figures = { 'cases tried': 0, 'plans built': 0, 'refused by validation': 0, 'commands run (per shell)': 0 };
    const escapes: Escape[] = [];
    const mine = cases.slice(LOCAL_CASES, LOCAL_CASES + REAL_GIT_CASES);
    for (let i = 0; i < mine.length; i += 25) {
      const batch: Array<{ c: QuotingCase; lines: string[] }> = [];
      for (const c of mine.slice(i, i + 25)) {
        figures['cases tried']++;
        const plan = await planOf(c, planGit, { host: 'local', path: repo.dir }, repo.dir);
        if (plan instanceof Error) {
          figures['refused by validation']++;
          continue;
        }
        figures['plans built']++;
        // Each case starts on the moved-on head, so the preflight refuses and says where the target is.
        const lines = ['git checkout -qf main && git reset -q --hard && git clean -qfdx; git stash clear', ...linesOf(c, plan)];
        figures['commands run (per shell)'] += lines.length - 1;
        batch.push({ c, lines });
      }
      escapes.push(...(await runBatch(batch, prologue, env, dirs, false)));
    }
    report(t, 'dash+bash, real git', figures, escapes);
  });

  test(`${SMOKE_TOKENS} hostile values a service hands out, captured by smoke steps from the target and sent on through curl (its stdin config) in URLs, headers and bodies (the SSH transport replaced by the local shell)`, { timeout: 180_000 }, async (t) => {
    const tokens = fc.sample(fc.oneof({ weight: 3, arbitrary: freeValue }, { weight: 2, arbitrary: fc.constantFrom(...CURL_CONFIG_PAYLOADS) }, { weight: 1, arbitrary: fc.array(fc.constantFrom(...CURL_CONFIG_PAYLOADS), { minLength: 2, maxLength: 3 }).map((a) => a.join('')) }), { numRuns: SMOKE_TOKENS, seed: SEED + 13 });
    const { figures, wrong, found } = await runHostileFlows(tokens, join(sandbox, 'smoke-target'), () => canariesUnder(sandbox));
    t.diagnostic(`smoke from the target: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(', ')} (seed ${SEED})`);
    assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} captured value(s) did not arrive as data`);
    assert.deepEqual(found, [], 'a captured value reached a shell or curl\'s config as syntax');
    assert.ok(figures['arrived exactly (URL, header, JSON, text)'] >= SMOKE_TOKENS * 0.5, 'too few values went the whole way');
  });

  test(`${SSH_CASES} plans over the real sshd: hostile working-tree paths, canary checked on the host`, { timeout: 180_000, skip: sshdUnavailable() }, async (t) => {
    const sshd: TestSshd = await startSshd();
    const hostBase = join(tmp.dir, 'host');
    mkdirSync(hostBase, { recursive: true });
    chmodSync(tmp.dir, 0o755);
    const hostStubs = join(hostBase, 'stub-bin');
    writeStubBin(hostStubs);
    const hostRepo = join(hostBase, 'deployed');
    git(hostBase, 'clone', '-q', repo.dir, hostRepo);
    execFileSync('chown', ['-R', `${sshd.user}:`, hostBase]);
    const runner = testSshRunner(sshd, tmp.dir);
    const home = execFileSync('sh', ['-c', `getent passwd ${sshd.user} | cut -d: -f6`], { encoding: 'utf8' }).trim();
    const figures = { 'cases tried': 0, 'plans built': 0, 'refused by validation': 0, 'commands run': 0 };
    const escapes: Escape[] = [];
    const planGit = cachedPlanGit(gitQueriesVia(new LocalCommandRunner(), repo.dir), repo);
    const dirNames = fc.sample(freeValue.map((v) => v.replace(/\//g, '_')), { numRuns: SSH_CASES, seed: SEED + 7 });
    try {
      const mine = cases.slice(LOCAL_CASES + REAL_GIT_CASES, LOCAL_CASES + REAL_GIT_CASES + SSH_CASES);
      for (const [k, c] of mine.entries()) {
        figures['cases tried']++;
        const path = join(hostBase, `w${k}-${dirNames[k]}`, 'app');
        const planned = await planOf(c, planGit, { host: `${sshd.user}@127.0.0.1:${sshd.port}`, path }, repo.dir);
        if (planned instanceof Error) {
          figures['refused by validation']++;
          continue;
        }
        figures['plans built']++;
        // The hostile folder holds a link to one shared clone: the path the runner cds into is the hostile one, the clone is made once.
        mkdirSync(join(path, '..'), { recursive: true });
        symlinkSync(hostRepo, path);
        execFileSync('chown', ['-h', `${sshd.user}:`, join(path, '..'), path]);
        const { plan } = planned;
        // The follow-up commands run on this machine, not on the host: the local runs cover them.
        const lines = [...commandsOf(plan), ...planned.extra.filter((x) => x.where !== 'local')].map((cmd, i) => scriptLine(cmd.command, c.stubRc[i % c.stubRc.length]));
        figures['commands run'] += lines.length;
        // The runner puts `cd <cwd> &&` in front, quoting the hostile path itself.
        const r = await runner.run(`echo in-the-working-tree; PATH=${hostStubs}:$PATH; export PATH\n${lines.join('\n')}`, { cwd: plan.cwd, timeoutMs: 60_000 });
        assert.ok(!r.lost && !r.timedOut, `the host did not finish case ${k}: ${r.stderr.slice(-300)}`);
        assert.match(r.stdout, /^in-the-working-tree$/m, `cd into the hostile path failed on the host: ${r.stderr.slice(-300)}`);
        const found = [...canariesUnder(hostBase), ...canariesUnder(home, 2)];
        if (found.length) {
          escapes.push({ shell: `ssh ${plan.where}`, command: '(one of the case)', case: c, found });
          for (const f of found) rmSync(f, { recursive: true, force: true });
        }
      }
    } finally {
      await runner.dispose();
      await sshd.stop();
    }
    report(t, 'over sshd (host side)', figures, escapes);
    assert.ok(figures['plans built'] >= SSH_CASES * 0.6, `only ${figures['plans built']} plans ran over SSH`);
  });
});
