// The fixture app (two real Node services, real git, five releases: v1.4.0's api is bad) with
// an api log that the test writes into before, during and after a rollback: before, the file
// holds the bad release's errors; during, the api's build step itself writes error lines
// (its rebuild is noisy); after, the test writes the lines the rolled-back api "logs" once its
// health check starts. Locally, or on the real sshd's working tree (owned by its test user).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RollbackConfig, ServiceConfig } from '../../../src/core/config/types';
import { toLogsConfig } from '../../../src/core/logs/config';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { buildPlan } from '../../../src/core/plan/planner';
import type { RollbackPlan } from '../../../src/core/plan/types';
import type { CommandRunner } from '../../../src/core/ports';
import { RollbackEvents, type RollbackEvent } from '../../../src/core/run/events';
import type { FailureDecision } from '../../../src/core/run/ports';
import { RollbackRunner, type RunResult } from '../../../src/core/run/runner';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { NodeHttp } from '../../../src/infra/http';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { appRepoConfig, deployCurrent, makeAppRepo, stopApp } from '../../fixtures/appRepo';
import { cloneForTestUser, deployAsTestUser } from '../../support/remoteApp';
import { testSshRunner, TEST_USER, type TestSshd } from '../../support/sshd';
import { freePort, ScriptedPrompter, tempDir } from '../engine/helpers';

export const FOLLOW_LOG = 'run/api-app.log';
export const STAMPED_LOG = 'run/api-stamped.log';
/** A logs command that prints and exits, reading {since} like journalctl or docker compose logs do: the stamped lines from that time on. */
export const SINCE_SCRIPT = 'run/logs-since.sh';

export interface LogApp {
  /** The working tree the services run in (local, or the test user's on the sshd host). */
  target: string;
  local: string;
  config: RollbackConfig;
  runnerFor(where: string): CommandRunner;
  journals: FileJournalStore;
  /** Appends lines to a log file of the target (as root: the tests' user owns it). */
  append(file: string, lines: string[]): void;
  cleanup(): void;
}

export interface LogAppOptions {
  sshd?: TestSshd;
  logs: string | { command: string; baseline?: string; watch?: string; threshold?: number; since?: 'rfc3339' | 'journal' | 'epoch' };
  errors?: string;
  /** What the api's build writes into the logs before it builds (the "during" lines). */
  duringLines?: { file: string; lines: string[] };
}

/** "2026-12-02T00:08:03Z" for a time `secondsAgo` in the past. */
export function stamp(secondsAgo = 0): string {
  return `${new Date(Date.now() - secondsAgo * 1000).toISOString().slice(0, 19)}Z`;
}

export async function logApp(o: LogAppOptions): Promise<LogApp> {
  const tmp = tempDir('logs');
  const apiPort = await freePort();
  const workerPort = await freePort();
  const repo = await makeAppRepo(join(tmp.dir, 'workspace'), { apiPort, workerPort });
  const target = o.sshd ? cloneForTestUser(repo.dir, tmp.dir) : repo.dir;
  mkdirSync(join(target, 'run'), { recursive: true });
  writeFileSync(join(target, SINCE_SCRIPT), `#!/bin/sh\n# Prints the stamped log lines from $1 on (RFC 3339 stamps compare as text).\nawk -v since="$1" '$1 >= since' ${STAMPED_LOG}\n`);
  for (const f of [FOLLOW_LOG, STAMPED_LOG]) writeFileSync(join(target, f), '');
  if (o.sshd) {
    const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', TEST_USER], { encoding: 'utf8' }).trim());
    for (const f of ['run', FOLLOW_LOG, STAMPED_LOG, SINCE_SCRIPT]) chownSync(join(target, f), uid, gid);
    chmodSync(join(target, 'run'), 0o755);
    deployAsTestUser(target);
  } else {
    deployCurrent(target);
  }
  const host = o.sshd ? `${o.sshd.user}@127.0.0.1:${o.sshd.port}` : 'local';
  const config = appRepoConfig({ apiPort, workerPort, host, path: target, healthTimeoutMs: 10_000 });
  const api = config.services.find((s) => s.name === 'api') as ServiceConfig;
  api.logs = toLogsConfig(o.logs, o.errors);
  if (o.duringLines) {
    // The rebuild is noisy: its errors land in the log while the rollback runs, well after the history was read, and well before the checks.
    const write = o.duringLines.lines.map((l) => `printf '%s\\n' ${shWord(l)} >> ${o.duringLines!.file}`).join(' && ');
    api.build = `sleep 0.6 && ${write} && sh scripts/build.sh api && sleep 1.2`;
  }
  const runners: CommandRunner[] = [];
  return {
    target,
    local: repo.dir,
    config,
    runnerFor: (where) => {
      const r = where === 'local' ? new LocalCommandRunner() : testSshRunner(o.sshd!, tmp.dir);
      runners.push(r);
      return r;
    },
    journals: new FileJournalStore(join(tmp.dir, 'journals')),
    append: (file, lines) => appendFileSync(join(target, file), lines.map((l) => `${l}\n`).join('')),
    cleanup: () => {
      stopApp(target);
      tmp.cleanup();
    },
  };
}

function shWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function planFor(app: LogApp): Promise<RollbackPlan> {
  return buildPlan({ config: app.config, environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), app.local), to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api errors since v1.4.0', createdBy: 'dana@laptop', workspaceRoot: app.local });
}

export interface RunOutcome {
  result: RunResult;
  events: RollbackEvent[];
  prompter: ScriptedPrompter;
}

/** Runs the plan; `onEvent` sees each event as it happens (the test writes its "after" lines from there). */
export async function runPlan(app: LogApp, plan: RollbackPlan, o: { onEvent?: (e: RollbackEvent) => void; onFailure?: FailureDecision[] } = {}): Promise<RunOutcome> {
  const events = new RollbackEvents();
  const seen: RollbackEvent[] = [];
  events.on((e) => {
    seen.push(e);
    o.onEvent?.(e);
  });
  const prompter = new ScriptedPrompter(o.onFailure ?? []);
  const runner = new RollbackRunner({ runnerFor: (w) => app.runnerFor(w), journals: app.journals, prompter, http: new NodeHttp(), events, operator: 'dana@laptop' });
  const result = await runner.run(plan);
  return { result, events: seen, prompter };
}

export function stopAll(app: LogApp): void {
  stopApp(app.target);
}
