// Pieces of the migration-tool tests: a git repository whose releases carry migrations of a
// real tool, a deployed clone of it as the target, the plan the product makes for a rollback
// that leaves the bad release's migrations applied, and the engine that runs it locally.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MigrationsConfig, RollbackConfig, Strategy } from '../../../src/core/config/types';
import { classifyMigration } from '../../../src/core/classify/classify';
import { databasePlanInput, planDatabaseSection, type DatabaseSection } from '../../../src/core/database/section';
import { detectMigrations, migrationsForFiles } from '../../../src/core/migrations';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { RollbackPlan } from '../../../src/core/plan/types';
import { RollbackRunner } from '../../../src/core/run/runner';
import type { RunResult } from '../../../src/core/run';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { PgSqlParser } from '../../../src/infra/sql/pgParser';
import { ScriptedPrompter } from '../engine/helpers';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'safe.directory=*', '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function sh(cwd: string, command: string, env: NodeJS.ProcessEnv = {}): { code: number; out: string } {
  try {
    const out = execFileSync('bash', ['-c', command], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export function writeFiles(root: string, files: Record<string, string | null>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    if (text === null) {
      execFileSync('rm', ['-f', '--', p]);
      continue;
    }
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/** One commit per release, tagged; null deletes a file. */
export function commitRelease(dir: string, tag: string, files: Record<string, string | null>): string {
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `release ${tag}`);
  git(dir, 'tag', tag);
  return git(dir, 'rev-parse', 'HEAD');
}

export function newRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
}

/** The deployed tree: a clone at the bad release, as a deploy host has it (no git identity of its own). */
export function deployClone(repo: string, target: string, ref: string): void {
  git(dirname(target), 'clone', '-q', repo, target);
  git(target, 'checkout', '-q', '-B', 'main', ref);
}

export function configFor(target: string, migrations: MigrationsConfig, strategy: Strategy): RollbackConfig {
  return {
    releases: { tags: 'v*' },
    environments: [{ name: 'production', host: 'local', path: target, branch: 'main', strategy, push: false, configFiles: [], commandTimeoutMs: 120_000 }],
    services: [],
    migrations,
    notify: { webhook: false, escalateAtMinutes: [] },
    isDefault: false,
  };
}

/** What the app layer does for the database side of a plan, with the real detection, classifier and parser. */
export async function databaseSection(repo: string, config: RollbackConfig, from: string, to: string, mode?: 'down' | 'restore'): Promise<DatabaseSection> {
  const groups = await detectMigrations(new NodeFileSystem(repo), { tool: config.migrations.tool, dir: config.migrations.dir });
  const changed = git(repo, 'diff', '--name-only', to, from).split('\n').filter(Boolean);
  const added = migrationsForFiles(groups, changed);
  const parser = new PgSqlParser();
  const fs = new NodeFileSystem(repo);
  const verdicts = [];
  for (const m of added) verdicts.push(await classifyMigration({ migration: m, upSource: await fs.readFile(m.file), parser }));
  const env = config.environments[0];
  const facts = { added, verdicts, groups, changed, migrations: config.migrations, env, cwd: env.path, downSql: {}, services: config.services };
  const input = databasePlanInput(facts);
  if (mode) input.mode = mode;
  return planDatabaseSection(facts, input);
}

export async function planRollback(repo: string, config: RollbackConfig, section: DatabaseSection, over: { keep?: boolean } = {}): Promise<RollbackPlan> {
  return buildPlan({
    config,
    environment: 'production',
    git: gitQueriesVia(new LocalCommandRunner(), repo),
    from: 'v1.4.0',
    to: 'v1.3.0',
    targetSource: 'previous-tag',
    reason: 'orders page 500s since v1.4.0',
    createdBy: 'dana@laptop',
    gitIdentity: { name: 'Dana Ops', email: 'dana@example.com' },
    databaseSteps: section.steps,
    keepMigrationFiles: over.keep === false ? [] : section.keep,
    verifySteps: section.verify,
  });
}

export async function runPlan(plan: RollbackPlan, journalsDir: string, prompter = new ScriptedPrompter([], 'production')): Promise<RunResult> {
  const engine = new RollbackRunner({ runnerFor: () => new LocalCommandRunner(), journals: new FileJournalStore(journalsDir), prompter, http: new NodeHttp(), operator: 'dana@laptop' });
  return engine.run(plan);
}
