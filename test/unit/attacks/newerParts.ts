// The parts of a plan that came after the plan-quoting harness (planQuotingHarness.ts), put in
// front of the same real shells with hostile values: the logs watch ({since}), the backups
// (backup.create/dir/log, a hostile backups log read from the target, {backup} in restore),
// the image strategy's deployed/imageCheck, configCheck and the config-only plan, the
// follow-up commands (ciStatus, issue), the one-commit revert, the migration tool checks and
// the rehearsal's schema dump. Each template is written in one of many shell contexts, the
// ones a careful user writes and the ones the product must refuse: a template is either
// refused (a problem, a PlanError, a BackupError) or every command it gives runs clean.
import fc from 'fast-check';
import type { RollbackConfig } from '../../../src/core/config/types';
import { BACKUPS_LOG_VERSION, chooseBackup, formatBackupRecord, parseBackupsLog, type ChosenBackup } from '../../../src/core/backups/backupsLog';
import { fillRestoreCommand, recordedBackupCheckStep } from '../../../src/core/backups/backupSteps';
import { readBackupsLog, takeBackup } from '../../../src/core/backups/takeBackup';
import { toolPresence } from '../../../src/core/database/toolPresence';
import { checkCiStatus } from '../../../src/core/followUp/ciStatus';
import { fileFollowUpIssue } from '../../../src/core/followUp/fileIssue';
import { followUpIssue } from '../../../src/core/followUp/issue';
import { parseRemoteUrl } from '../../../src/core/followUp/remote';
import { parseErrorPattern } from '../../../src/core/logs/pattern';
import { fillSince } from '../../../src/core/logs/since';
import type { SinceFormat } from '../../../src/core/logs/types';
import type { CommandRunner, ExecOptions, ExecResult } from '../../../src/core/ports';
import type { PlanCommand, RollbackPlan } from '../../../src/core/plan/types';
import { schemaDumpCommand } from '../../../src/core/rehearsal/dumpCommand';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { readDeployedImages } from '../../../src/core/snapshot/deployedImages';

/** Values a second interpreter or bash's arithmetic would run: only a re-reading context makes them act. */
export const REREAD_PAYLOADS = ['x[$(touch${IFS}PWNED)]', 'a[`touch${IFS}PWNED`]', '$(touch${IFS}PWNED)', ';touch PWNED;', '\ntouch PWNED\n'];

/**
 * `{x}` in a command of `prog`: the forms a careful user writes (bare, an option's value, after
 * `--`, as "$1" of sh -c, in $(…)), the forms the product documents as refused (inside "…" or
 * '…', in sh -c '…', after eval or ssh, in backticks, ${…}, $'…', after a backslash, in
 * xargs/env sh -c). The commands that read their argument again as code and the product does
 * not refuse yet are in rereadingContexts (test/unit/attacks/templateRereaders.attack.test.ts).
 */
export function contexts(prog: string, p: string): string[] {
  return [
    `${prog} ${p}`,
    `${prog} --value=${p} --next`,
    `${prog} -- ${p}`,
    `sh -c '${prog} "$1"' sh ${p}`,
    `v=$(printf '%s' ${p}) && ${prog} "$v"`,
    `${prog} ${p} | head -n 5`,
    `${prog} "${p}"`,
    `${prog} '${p}'`,
    `${prog} "x ${p} y"`,
    `sh -c '${prog} ${p}'`,
    `bash -c "${prog} ${p}"`,
    `eval ${prog} ${p}`,
    `ssh deploy@db-1 ${prog} ${p}`,
    `${prog} \`echo ${p}\``,
    `${prog} \${V:-${p}}`,
    `${prog} $'${p}'`,
    `${prog} \\${p}`,
    `${prog} $${p}`,
    `${prog} <<EOF\n${p}\nEOF`,
    `xargs -0 sh -c ${p} <<< x`,
    `env sh -c ${p}`,
    `${prog} $(echo ${p})`,
  ];
}

/** Commands that hand an argument to a second reader the template check does not know: trap, bash's [[ -eq ]] arithmetic, flock -c, su -c. */
export function rereadingContexts(prog: string, p: string): string[] {
  return [`trap ${p} EXIT; ${prog} x`, `[[ 1 -eq ${p} ]] && ${prog} x`, `flock /tmp/rp-quoting.lock -c ${p}`, `su -c ${p} nobody`];
}

const fileish = (v: string) => v.replace(/\0/g, '');

export interface NewerCase {
  logs: { form: number; since: SinceFormat; errors: string };
  configCheck: boolean;
  /** undefined: the default (docker inspect / docker image inspect). */
  deployedForm?: number;
  imageCheckForm?: number;
  backup: { createForm: number; restoreForm: number; dir: string; log: string; recordPath: string; recordTag: string; by: string; environment: string; printedPath: string };
  followUp: { ciForm: number; ciPlaceholder: string; issueForm: number; issuePlaceholder: string; remote: string; note: string };
  revertCommit: boolean;
  configPlan: 'restore' | 'restart' | 'none';
  schemaDumpSql: string;
}

export function newerCase(free: fc.Arbitrary<string>): fc.Arbitrary<NewerCase> {
  const hostile = fc.oneof({ weight: 4, arbitrary: free }, { weight: 1, arbitrary: fc.constantFrom(...REREAD_PAYLOADS) });
  const form = fc.nat(40);
  return fc.record({
    logs: fc.record({ form, since: fc.constantFrom<SinceFormat>('rfc3339', 'journal', 'epoch'), errors: fc.oneof(fc.constant('error|fatal'), hostile) }),
    configCheck: fc.boolean(),
    deployedForm: fc.option(form, { nil: undefined }),
    imageCheckForm: fc.option(form, { nil: undefined }),
    backup: fc.record({
      createForm: form,
      restoreForm: form,
      dir: fc.oneof(fc.constant('.rollback/backups'), hostile.map((v) => `backups/${fileish(v)}`), hostile.map((v) => `/var/backups/${fileish(v)}`)),
      log: fc.oneof(fc.constant('ops/backups.log'), hostile.map((v) => `ops/${fileish(v)}.log`)),
      recordPath: hostile.map((v) => `/var/backups/${fileish(v)}.dump`),
      recordTag: hostile,
      by: hostile,
      environment: hostile,
      printedPath: hostile.map((v) => `dumps/${fileish(v)}`),
    }),
    followUp: fc.record({
      ciForm: form,
      ciPlaceholder: fc.constantFrom('{sha}', '{tag}', '{owner}', '{repo}'),
      issueForm: form,
      issuePlaceholder: fc.constantFrom('{title}', '{body}', '{owner}', '{repo}'),
      remote: fc.constantFrom('git@github.com:acme/shop.git', 'https://gitlab.example.com/acme/shop', 'ssh://git@github.com:22/acme-1/shop.api.git', 'not a remote'),
      note: hostile,
    }),
    revertCommit: fc.boolean(),
    configPlan: fc.constantFrom<'restore' | 'restart' | 'none'>('restore', 'restart', 'none', 'none'),
    schemaDumpSql: fc.constantFrom('psql -d app', 'docker exec -i db psql -U app -d app', 'PGPASSWORD=$DB_PASS psql -h db-1 -U app app', 'psql -X -q -v ON_ERROR_STOP=1 --dbname=app'),
  });
}

const pick = (list: string[], n: number) => list[n % list.length];

/** rollback.yml's newer fields on the harness's config: logs, configCheck, deployed/imageCheck, backup.create/dir/log/restore, followUp. */
export function withNewerParts(config: RollbackConfig, n: NewerCase): RollbackConfig {
  const env = config.environments[0];
  const errors = 'problem' in parseErrorPattern(n.logs.errors) ? undefined : n.logs.errors;
  const services = config.services.map((s, i) => ({
    ...s,
    logs: { command: pick(contexts(`docker compose logs --no-color svc${i} --since`, '{since}'), n.logs.form + i), since: n.logs.since, ...(errors !== undefined ? { errors } : {}), baselineMs: 60_000, watchMs: 60_000, threshold: 1 },
    ...(n.configCheck ? { configCheck: `docker compose exec -T svc${i} printenv APP_VERSION | grep -qx 1.3.0` } : {}),
  }));
  const backup = config.migrations.backup
    ? {
        ...config.migrations.backup,
        create: pick(contexts('pg_dump -Fc -f', '{backup}').map((c) => `${c} app`), n.backup.createForm),
        restore: pick(contexts('pg_restore --clean --if-exists -d app', '{backup}'), n.backup.restoreForm),
        dir: n.backup.dir,
        log: n.backup.log,
      }
    : undefined;
  return {
    ...config,
    environments: [
      {
        ...env,
        ...(n.deployedForm !== undefined ? { deployed: pick(contexts('printf "%s\\n"', '{service}'), n.deployedForm) } : {}),
        ...(n.imageCheckForm !== undefined ? { imageCheck: pick(contexts('docker manifest inspect', '{image}'), n.imageCheckForm) } : {}),
      },
    ],
    services,
    migrations: { ...config.migrations, ...(backup ? { backup } : {}) },
    followUp: {
      ciStatus: pick(contexts('gh api', n.followUp.ciPlaceholder), n.followUp.ciForm),
      issue: pick(contexts('gh issue create --body-file - --title', n.followUp.issuePlaceholder), n.followUp.issueForm),
    },
  };
}

/** The backups log as a hostile target holds it: one record at `to` with hostile path, tag, environment and author. */
export function hostileChosenBackup(n: NewerCase, to: { name: string; sha: string }, log: string): ChosenBackup {
  const line = formatBackupRecord({ version: BACKUPS_LOG_VERSION, at: '2026-12-02T04:00:00Z', environment: n.backup.environment, release: { sha: to.sha, tag: n.backup.recordTag }, path: n.backup.recordPath, size: 1234, sha256: 'ab'.repeat(32), by: n.backup.by });
  return chooseBackup(parseBackupsLog(`# backups\n${line}\n`, `prod:${log}`), to, log, `prod:${log}`);
}

/** A CommandRunner that records each command (and its stdin) and answers `answer(command)`: the commands then run in the harness's shells. */
export class RecordingRunner implements CommandRunner {
  readonly seen: Array<{ command: string; cwd?: string; input?: string }> = [];
  constructor(
    readonly where: string,
    private readonly answer: (command: string) => Partial<ExecResult> = () => ({}),
  ) {}
  run(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.seen.push({ command, cwd: options.cwd, input: options.input });
    return Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '', durationMs: 0, ...this.answer(command) });
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

export interface NewerCommands {
  commands: PlanCommand[];
  /** Templates refused with a message (not a shell case): counted by kind. */
  refused: string[];
}

const errorName = (e: unknown) => (e instanceof Error ? e.name : 'thrown');

/**
 * Every command the newer parts give for this plan, filled in exactly as the product fills
 * them when they run: the logs commands with {since} (each format), the backup taken and
 * recorded (backup.create with {backup}, or the path a hostile create printed), the check and
 * restore of a backup a hostile log names, the deployed images read, the tool's presence, the
 * CI status and the follow-up issue (its title and body from the run's journal), the schema dump.
 */
export async function newerCommands(n: NewerCase, plan: RollbackPlan, config: RollbackConfig): Promise<NewerCommands> {
  const at = (command: string): PlanCommand => ({ command, where: plan.where, cwd: plan.cwd });
  const out: PlanCommand[] = [];
  const refused: string[] = [];
  const env = config.environments[0];
  const cwd = plan.cwd ?? '.';

  // The logs watch: the plan carries the template; the watch fills {since} each time it reads.
  for (const s of plan.steps.filter((x) => x.logWatch?.role === 'start')) {
    for (const c of s.commands) {
      const filled = fillSince(c.command, Date.parse('2026-12-02T04:05:06.789Z'), n.logs.since);
      if ('problem' in filled) refused.push('logs {since}');
      else out.push({ ...c, command: filled.command });
    }
  }

  const backup = config.migrations.backup;
  if (backup?.create) {
    // The path a create without {backup} prints as its last line is read back from the target.
    const r = new RecordingRunner(plan.where, (command) => (command.startsWith('[ -f ') ? { stdout: `RP_BACKUP 1234 ${'cd'.repeat(32)} 2026-12-02T04:00:00Z\n` } : { stdout: `done\n${n.backup.printedPath}\n` }));
    try {
      await takeBackup({ runner: r, cwd: cwd, environment: n.backup.environment, backup: { ...backup, create: backup.create }, release: { sha: plan.to.sha, tag: plan.to.name }, by: n.backup.by, now: new Date('2026-12-02T04:00:00Z') });
    } catch (e) {
      refused.push(`backup.create (${errorName(e)})`);
    }
    out.push(...r.seen.map((x) => at(x.command)));
    const read = new RecordingRunner(plan.where, () => ({ stdout: '' }));
    await readBackupsLog(read, cwd, backup, plan.to);
    out.push(...read.seen.map((x) => at(x.command)));
    try {
      const chosen = hostileChosenBackup(n, plan.to, backup.log ?? 'ops/backups.log');
      out.push(...recordedBackupCheckStep({ chosen, maxAgeMs: 86_400_000, at, where: plan.where, purpose: 'restore' }).commands);
      const restore = fillRestoreCommand(backup.restore ?? 'pg_restore -d app {backup}', chosen);
      if ('problem' in restore) refused.push('backup.restore {backup}');
      else out.push(at(restore.command));
    } catch (e) {
      refused.push(`backups log (${errorName(e)})`);
    }
  }

  if (plan.strategy === 'image') {
    const r = new RecordingRunner(plan.where, () => ({ stdout: 'registry.example.com/app:v1 sha256:00\n' }));
    await readDeployedImages(r, env, config.services, cwd);
    out.push(...r.seen.map((x) => at(x.command)));
  }

  if (config.migrations.tool) {
    const r = new RecordingRunner(plan.where, () => ({ stdout: 'absent\n' }));
    await toolPresence(r, config.migrations.tool, cwd, plan.environment);
    out.push(...r.seen.map((x) => at(x.command)));
  }

  // The follow-up runs on this machine, in the repository, after the run: the title and body come from the journal (the hostile reason, tags, the operator's note).
  const remote = parseRemoteUrl(n.followUp.remote);
  const local = new RecordingRunner('local', () => ({ stdout: 'success\nhttps://github.com/acme/shop/issues/7\n' }));
  const ci = await checkCiStatus({ runner: local, cwd: cwd, template: config.followUp?.ciStatus, release: plan.to, ...(remote ? { remote } : {}) });
  if (/cannot be filled in safely|not known here/.test(ci.detail)) refused.push('followUp.ciStatus');
  const journal = {
    version: 1,
    runId: plan.id,
    plan,
    operator: `dana@${n.followUp.note}`,
    decidedAt: plan.createdAt,
    status: 'succeeded',
    steps: plan.steps.map((s) => ({ stepId: s.id, outcome: 'ok', detail: n.followUp.note })),
    events: [{ at: plan.createdAt, type: 'note', message: n.followUp.note }],
  } as unknown as RollbackJournal;
  const filed = await fileFollowUpIssue({ runner: local, cwd: cwd, template: config.followUp?.issue, issue: followUpIssue(journal, { ci }), ...(remote ? { remote } : {}) });
  if ('problem' in filed) refused.push('followUp.issue');
  out.push(...local.seen.map((x) => ({ command: x.command, where: 'local', cwd: cwd })));

  const dump = schemaDumpCommand(config.migrations.sql ? n.schemaDumpSql : undefined);
  if ('command' in dump) out.push(at(dump.command));
  return { commands: out, refused };
}
