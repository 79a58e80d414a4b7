// The configuration branch of the decision tree: the bad deploy changed the configuration,
// not the code. Either the config files come back from the last good release (configFiles
// git tracks, from git; those it does not, from the pre-deploy snapshot) and every service is
// recreated so it reads them — a plain restart does not reload an env file — or, as the
// runbooks' cheaper move, the services are restarted as they are. No code step in either: the
// working tree stays at the deployed release, apart from the restored files.
import { posix } from 'node:path';
import type { ConfigRemedy } from '../decision/tree';
import { configFromSnapshotSteps } from './configFromSnapshot';
import { newRunId, PlanError, type PlanInput } from './planner';
import { preflightStep } from './preflight';
import { clause } from './sentence';
import { serviceSteps } from './serviceSteps';
import { shJoin, validateHost, validatePath, validateRef, validateRelativePath, validateSha } from './shellQuote';
import type { PlanCommand, PlanStep, ReleaseRef, RollbackPlan } from './types';

export type ConfigPlanInput = Pick<PlanInput, 'config' | 'environment' | 'git' | 'from' | 'fromName' | 'targetSource' | 'reason' | 'createdBy' | 'workspaceRoot' | 'healthFrom' | 'runId' | 'now'> & {
  remedy: ConfigRemedy;
  /** The release whose configuration comes back (restore); a restart keeps the deployed one and needs none. */
  to?: string;
  toName?: string;
};

export async function buildConfigPlan(input: ConfigPlanInput): Promise<RollbackPlan> {
  const env = input.config.environments.find((e) => e.name === input.environment);
  if (!env) throw new PlanError(`rollback.yml has no environment "${input.environment}" (known: ${input.config.environments.map((e) => e.name).join(', ') || 'none'})`);
  if (env.fleet) throw new PlanError(`environment ${env.name} is a fleet of hosts: its configuration is rolled back through Ansible, not as one host`);
  const where = validateHost(env.host);
  const runId = input.runId ?? newRunId(input.now);
  const cwd = where === 'local' && input.workspaceRoot && !env.path.startsWith('/') ? posix.join(input.workspaceRoot, env.path) : env.path;
  validatePath(cwd);
  const fromSha = validateSha(await input.git.revParseCommit(validateRef(input.from ?? 'HEAD')));
  const from: ReleaseRef = { name: input.fromName ?? fromSha.slice(0, 12), sha: fromSha };
  const restore = input.remedy === 'restore';
  if (restore && input.to === undefined) throw new PlanError('a configuration restore needs the release whose configuration comes back');
  const toSha = restore ? validateSha(await input.git.revParseCommit(validateRef(input.to!))) : fromSha;
  const to: ReleaseRef = restore ? { name: input.toName ?? toSha.slice(0, 12), sha: toSha } : from;
  const at = (command: string, extra: Partial<PlanCommand> = {}): PlanCommand => ({ command, where, cwd, ...extra });

  const services = input.config.services.filter((s) => s.deploy);
  if (services.length === 0) throw new PlanError('no service in rollback.yml has a deploy command: there is nothing to recreate or restart (services.<name>.deploy)');
  const needsImage = services.filter((s) => s.deploy!.includes('{image}')).map((s) => s.name);
  if (needsImage.length) throw new PlanError(`${needsImage.join(', ')}: the deploy takes {image}, so it would switch images; a configuration rollback keeps the running code (give the service a deploy without {image}, or roll back the code)`);

  const steps: PlanStep[] = [];
  const what = restore ? `the configuration of ${env.name} to ${to.name}'s` : `the services of ${env.name} (a plain restart)`;
  steps.push({ id: 'notify-start', kind: 'notify', title: 'Tell the team the rollback starts', why: `"Rolling back ${what} because ${clause(input.reason)}; the code stays at ${from.name}." Hold deploys and destructive actions until the all-clear.`, commands: [], destructive: false });
  const healthWhere = input.healthFrom === 'local' ? 'local' : where;
  steps.push(preflightStep({ at, where, cwd, environment: env.name, strategy: env.strategy === 'image' ? 'image' : 'checkout', from, to, services, healthWhere }));

  if (restore) {
    const files = env.configFiles.map(validateRelativePath);
    if (files.length === 0) throw new PlanError(`environments.${env.name}.configFiles lists no file, so there is nothing to restore: list the config files (.env, Caddyfile …), or restart the services instead`);
    const changed = toSha === fromSha ? [] : await input.git.changedFiles(toSha, fromSha);
    const fromGit = files.filter((f) => changed.includes(f) && !/[*?[]/.test(f));
    if (fromGit.length) {
      steps.push({
        id: 'config-restore',
        kind: 'config',
        title: `Restore ${fromGit.join(', ')} from ${to.name}`,
        why: `These config files changed since ${to.name}; only they are checked out from it, the code stays at ${from.name}.`,
        commands: [at(shJoin(['git', 'checkout', toSha, '--', ...fromGit]))],
        alreadyDone: at(shJoin(['git', 'diff', '--quiet', toSha, '--', ...fromGit])),
        destructive: false,
      });
    }
    steps.push(...configFromSnapshotSteps({ at, env, to, fromGit, where, cwd }));
  }
  // Deploy, config checks and verification of every service; no build: the code did not change.
  steps.push(...serviceSteps({ services: services.map((s) => ({ ...s, build: undefined })), strategy: 'checkout', to: from, at, healthWhere, configRestored: restore }));
  steps.push({ id: 'notify-end', kind: 'notify', title: 'All-clear to the team', why: `${env.name} is healthy again${restore ? ` on ${to.name}'s configuration` : ''}; deploys may resume.`, commands: [], destructive: false });

  return {
    id: runId,
    environment: env.name,
    where,
    strategy: env.strategy,
    from,
    to,
    targetSource: input.targetSource,
    reason: input.reason,
    steps,
    affectedServices: services.map((s) => s.name),
    createdAt: (input.now ?? new Date()).toISOString(),
    createdBy: input.createdBy,
    cwd,
    commandTimeoutMs: env.commandTimeoutMs,
    scope: { kind: 'config', remedy: input.remedy },
  };
}
