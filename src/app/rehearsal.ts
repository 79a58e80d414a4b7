// Rollback: Rehearse Database Steps, without the UI: the environment's schema read through
// its own path (pg_dump --schema-only on the target), the scratch server of
// migrations.scratch started when it says how, the plan's tool down steps' SQL read from
// their previews, the rehearsal (core/rehearsal), the optional compatibility check in a git
// worktree of the release rolled back to, and the rule that a failed rehearsal keeps the
// production run from starting.

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlParser } from '../core/classify/sqlPort';
import type { RollbackConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';
import { shJoin, shQuote } from '../core/plan/shellQuote';
import type { RollbackPlan } from '../core/plan/types';
import { schemaDumpCommand } from '../core/rehearsal/dumpCommand';
import { rehearsalRefusal, renderRehearsal } from '../core/rehearsal/report';
import { rehearse, RehearsalError } from '../core/rehearsal/rehearse';
import { ScratchUnreachableError, type RehearsalReport, type ScratchServer } from '../core/rehearsal/types';
import { previewsNeeded, rehearsalUnits } from '../core/rehearsal/units';
import type { FlowUi } from './ui';

export { RehearsalError, ScratchUnreachableError };

// A schema beyond this is refused rather than half-loaded.
const MAX_DUMP_BYTES = 256 * 1024 * 1024;
const STATEMENT_TIMEOUT_MS = 60_000;

export interface RehearsalAppDeps {
  /** "local" or the environment's SSH destination; disposed after use. */
  runnerFor(where: string): CommandRunner;
  parser: SqlParser;
  /** The workspace's repository (where the compatibility check's worktree is made). */
  workspaceRoot: string;
  /** The scratch server at a URL (the composition root gives src/infra/sql/psqlScratch.ts: this machine's psql). */
  scratchServer(url: string): ScratchServer;
  progress?(line: string): void;
  now?(): number;
}

/** Does the plan have anything to rehearse (a mitigation or a down step)? */
export function hasRehearsableSteps(plan: RollbackPlan): boolean {
  return plan.steps.some((s) => s.kind === 'database' && (s.id.startsWith('db-mitigate-') || s.id.startsWith('db-down-')));
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

function scratchDatabaseName(plan: RollbackPlan): string {
  const id = plan.id.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 36);
  return `rp_rehearsal_${id}_${randomBytes(2).toString('hex')}`;
}

export async function rehearsePlan(plan: RollbackPlan, config: RollbackConfig, deps: RehearsalAppDeps): Promise<RehearsalReport> {
  const env = config.environments.find((e) => e.name === plan.environment);
  if (!env) throw new RehearsalError(`rollback.yml has no environment "${plan.environment}" any more`);
  const m = config.migrations;
  if (!m.scratch?.url) {
    throw new RehearsalError('rollback.yml has no migrations.scratch: name a PostgreSQL server of your own to rehearse on (never production), e.g. scratch: postgresql://postgres@127.0.0.1:55432/postgres, or { url, start: "docker run -d --rm --name rp-scratch -p 55432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16", stop: "docker stop rp-scratch" }');
  }
  const dump = m.schemaDump ? { command: m.schemaDump } : schemaDumpCommand(m.sql);
  if ('problem' in dump) throw new RehearsalError(dump.problem);
  const scratch = deps.scratchServer(m.scratch.url);
  const local = deps.runnerFor('local');
  const target = deps.runnerFor(env.host);
  const cwd = plan.cwd ?? env.path;
  const say = (line: string) => deps.progress?.(line);
  try {
    if (m.scratch.start) {
      say(`Starting the scratch server: ${m.scratch.start}`);
      const r = await local.run(m.scratch.start, { cwd: deps.workspaceRoot, timeoutMs: Math.max(m.scratch.readyMs, 30_000) });
      if (r.code !== 0) throw new RehearsalError(`migrations.scratch.start (\`${m.scratch.start}\`) failed on this machine (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${lastLine(r.stderr || r.stdout) || 'no output'}`);
      await waitUntilReady(scratch, m.scratch.readyMs, deps.now ?? Date.now);
    }
    // The SQL of the down steps that run a tool command, from their previews (they print SQL and change nothing).
    const previews: Record<string, { sql?: string; problem?: string; command: string }> = {};
    for (const need of previewsNeeded(plan, !!m.preview)) {
      const r = await target.run(need.command.command, { cwd: need.command.cwd, timeoutMs: env.commandTimeoutMs });
      previews[need.stepId] =
        r.code === 0 && !r.lost && !r.droppedBytes?.stdout
          ? { sql: r.stdout, command: need.command.command }
          : { command: need.command.command, problem: `its preview \`${need.command.command}\` failed on ${env.host} (${r.lost ? 'connection lost' : `exit ${r.code}`}: ${lastLine(r.stderr || r.stdout)}), so its SQL is unknown: not rehearsed` };
    }
    const units = rehearsalUnits(plan, m.sql, previews);
    return await rehearse(
      { environment: plan.environment, planId: plan.id, units },
      {
        scratch,
        parser: deps.parser,
        database: scratchDatabaseName(plan),
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
        loadTimeoutMs: env.commandTimeoutMs,
        now: deps.now ?? Date.now,
        progress: deps.progress,
        dumpSchema: () => readSchema(target, dump.command, cwd, env.host, env.commandTimeoutMs),
        ...(m.compatibilityCheck ? { compatibilityCheck: (url: string) => compatibilityCheck(local, deps.workspaceRoot, plan, m.compatibilityCheck!, url, env.commandTimeoutMs) } : {}),
      },
    );
  } finally {
    if (m.scratch.stop) {
      const r = await local.run(m.scratch.stop, { cwd: deps.workspaceRoot, timeoutMs: 60_000 }).catch(() => undefined);
      if (r && r.code !== 0) say(`migrations.scratch.stop (\`${m.scratch.stop}\`) failed: ${lastLine(r.stderr || r.stdout)}`);
    }
    await local.dispose().catch(() => undefined);
    await target.dispose().catch(() => undefined);
  }
}

async function waitUntilReady(scratch: ScratchServer, readyMs: number, now: () => number): Promise<void> {
  const deadline = now() + readyMs;
  let last = '';
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      await (await scratch.open()).close();
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    if (now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new ScratchUnreachableError(scratch.describe, `not accepting connections ${Math.round(readyMs / 1000)} s after migrations.scratch.start (migrations.scratch.ready): ${last.replace(/^The scratch database .*? cannot be reached: /, '')}`);
}

/** The whole dump (the runner keeps only a tail of its output; onOutput sees all of it). */
async function readSchema(target: CommandRunner, command: string, cwd: string, host: string, timeoutMs: number): Promise<string> {
  const chunks: string[] = [];
  let bytes = 0;
  let tooBig = false;
  const r = await target.run(command, {
    cwd,
    timeoutMs,
    onOutput: (chunk, stream) => {
      if (stream !== 'stdout' || tooBig) return;
      bytes += chunk.length;
      if (bytes > MAX_DUMP_BYTES) tooBig = true;
      else chunks.push(chunk);
    },
  });
  if (r.lost) throw new RehearsalError(`the connection to ${host} was lost while \`${command}\` read the schema`);
  if (r.timedOut) throw new RehearsalError(`\`${command}\` did not finish reading the schema on ${host} within ${Math.round(timeoutMs / 1000)} s`);
  if (r.code !== 0) throw new RehearsalError(`\`${command}\` failed on ${host} (exit ${r.code}): ${lastLine(r.stderr || r.stdout) || 'no output'}`);
  if (tooBig) throw new RehearsalError(`the schema \`${command}\` printed on ${host} is over ${MAX_DUMP_BYTES / 1024 / 1024} MiB: not loaded`);
  return chunks.join('');
}

/** The check command in a throw-away worktree of the release rolled back to, its database the rehearsed one. */
async function compatibilityCheck(local: CommandRunner, root: string, plan: RollbackPlan, command: string, url: string, timeoutMs: number): Promise<{ command: string; ok: boolean; detail: string; output: string }> {
  const dir = join(tmpdir(), `rp-compat-${randomBytes(4).toString('hex')}`);
  const added = await local.run(shJoin(['git', 'worktree', 'add', '--detach', '-q', dir, plan.to.sha]), { cwd: root, timeoutMs: 120_000 });
  if (added.code !== 0) return { command, ok: false, detail: `could not make a worktree of ${plan.to.name} (${plan.to.sha.slice(0, 12)}) to run it in: ${lastLine(added.stderr)}`, output: '' };
  try {
    const u = new URL(url);
    const vars: Record<string, string> = { DATABASE_URL: url, PGHOST: u.hostname, PGPORT: u.port || '5432', PGUSER: decodeURIComponent(u.username), PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
    if (u.password) vars.PGPASSWORD = decodeURIComponent(u.password);
    const exports = Object.entries(vars).map(([k, v]) => `${k}=${shQuote(v)}`).join(' ');
    const r = await local.run(`export ${exports}; ${command}`, { cwd: dir, timeoutMs });
    const output = `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.slice(-8000);
    if (r.timedOut) return { command, ok: false, detail: `did not finish within ${Math.round(timeoutMs / 1000)} s`, output };
    return r.code === 0
      ? { command, ok: true, detail: `passed in a worktree of ${plan.to.name} against the rehearsed schema`, output }
      : { command, ok: false, detail: `failed (exit ${r.code}) in a worktree of ${plan.to.name} against the rehearsed schema: ${lastLine(r.stderr || r.stdout)}`, output };
  } finally {
    await local.run(shJoin(['git', 'worktree', 'remove', '--force', dir]), { cwd: root, timeoutMs: 60_000 }).catch(() => undefined);
  }
}

/**
 * Rehearse first, then run only if nothing failed: the production run never starts a plan
 * whose mitigation or down step failed on a copy of the real schema.
 */
export async function runAfterRehearsal<T>(rehearsal: () => Promise<RehearsalReport>, run: () => Promise<T>): Promise<{ report: RehearsalReport; refusal?: string; result?: T }> {
  const report = await rehearsal();
  const refusal = rehearsalRefusal(report);
  if (refusal) return { report, refusal };
  return { report, result: await run() };
}

/** What the flow needs to offer "Rehearse first" beside the preview. */
export interface RehearsalFlow {
  rehearse(plan: RollbackPlan, progress?: (line: string) => void): Promise<RehearsalReport>;
  /** Shows the report (VS Code: the report preview, beside the plan's). */
  show(markdown: string): Promise<void>;
  redact(text: string): string;
  /** Whether a scratch server is configured (migrations.scratch): without one, "Rehearse first" is not offered. */
  available(): Promise<boolean>;
}

/**
 * The confirmation with the preview, with "Rehearse first" offered when the plan has a
 * mitigation or down step, a scratch server can be asked for, and the front end can ask it.
 * A failed rehearsal ends the flow there: the plan that failed on a copy of the schema is
 * never offered to run. A rehearsal that could not happen (the scratch server down) is said,
 * and the plain question follows.
 */
export async function confirmPlanWithRehearsal(plan: RollbackPlan, ui: FlowUi, rehearsal: RehearsalFlow | undefined): Promise<'run' | 'cancelled' | 'rehearsal-failed'> {
  const { prompter, presenter } = ui;
  if (!rehearsal || !prompter.confirmPlanOrRehearse || !hasRehearsableSteps(plan) || !(await rehearsal.available())) return (await prompter.confirmPlan(plan)) ? 'run' : 'cancelled';
  const answer = await prompter.confirmPlanOrRehearse(plan);
  if (answer !== 'rehearse') return answer === 'run' ? 'run' : 'cancelled';
  presenter.info(`Rehearsing the database steps of ${plan.environment} on the scratch server; nothing runs on ${plan.environment}.`);
  let report: RehearsalReport;
  try {
    report = await rehearsal.rehearse(plan);
  } catch (e) {
    await presenter.error(rehearsal.redact(`The rehearsal did not run: ${(e as Error).message}. Nothing ran on ${plan.environment}; you can still run the plan without it, or cancel.`));
    return (await prompter.confirmPlan(plan)) ? 'run' : 'cancelled';
  }
  await rehearsal.show(rehearsal.redact(renderRehearsal(report)));
  const refusal = rehearsalRefusal(report);
  if (refusal) {
    await presenter.error(rehearsal.redact(refusal));
    return 'rehearsal-failed';
  }
  presenter.info(`The rehearsal passed: ${report.units.filter((u) => u.outcome === 'ok').length} database step(s) ran on a copy of ${plan.environment}'s schema without an error (the report shows each statement's locks).`);
  return (await prompter.confirmPlan(plan)) ? 'run' : 'cancelled';
}
