import type { CheckFrom, HttpSmokeStep, ServiceConfig, Strategy } from '../config/types';
import { CONFIG_DEFAULTS } from '../config/defaults';
import { curlCommand } from '../verification/curl';
import { secretName } from '../verification/templates';
import type { PlannedHeader, PlannedHttpStep, PlannedSmokeEntry } from '../verification/types';
import { PlanError } from './planError';
import { configCheckSteps, isComposeUp, withForceRecreate } from './configRecreate';
import { logCheckSteps } from '../logs/plan';
import { shJoin, shQuote, validateImageRef } from './shellQuote';
import { DEPLOY_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import type { PlanCommand, PlanStep, ReleaseRef, RollbackPlan } from './types';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

export interface ServiceStepsInput {
  services: ServiceConfig[];
  strategy: Strategy;
  to: ReleaseRef;
  at: At;
  /** Where health URLs are probed from: "local" or the target. */
  healthWhere: string;
  /** Config files were restored: deploys recreate the services so they read them. */
  configRestored: boolean;
  /** "" for the plan's own steps, "full-" for the full redeploy's (step ids stay unique in one plan). */
  idPrefix?: string;
}

/** Build (or pull) every service, then deploy every service, wait for warm-up, check health, run smoke checks. */
export function serviceSteps(input: ServiceStepsInput): PlanStep[] {
  return [...buildSteps(input), ...deploySteps(input), ...configCheckSteps(input.services, input.at, input.configRestored, input.idPrefix), ...verifySteps(input)];
}

function buildSteps({ services, strategy, to, at, idPrefix = '' }: ServiceStepsInput): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const svc of services) {
    if (strategy === 'image') {
      const ref = imageRef(svc, to);
      steps.push({ id: `${idPrefix}image-${svc.name}`, kind: 'image', service: svc.name, title: `Pull ${ref}`, why: `Immutable image of ${to.name} for ${svc.name}.`, commands: [at(shJoin(['docker', 'pull', ref]))], destructive: false });
    } else if (svc.build) {
      steps.push({ id: `${idPrefix}build-${svc.name}`, kind: 'build', service: svc.name, title: `Build ${svc.name}`, why: `${svc.name} is affected; it is always built before it is deployed, or the deploy would run stale code.`, commands: [at(svc.build)], destructive: false });
    }
  }
  return steps;
}

function deploySteps({ services, strategy, to, at, configRestored, idPrefix = '' }: ServiceStepsInput): PlanStep[] {
  return services
    .filter((svc) => svc.deploy)
    .map((svc) => ({
      id: `${idPrefix}deploy-${svc.name}`,
      kind: 'deploy' as const,
      service: svc.name,
      title: `Deploy ${svc.name}`,
      why: configRestored ? `Recreate ${svc.name} so it reads the restored configuration${isComposeUp(svc.deploy!) && !svc.deploy!.includes('--force-recreate') ? ' (--force-recreate added: a compose up keeps a container whose config it thinks unchanged, and a container reads its env file only when it is created)' : ''}.` : `Restart ${svc.name} on the ${to.name} code.`,
      commands: [at((configRestored ? withForceRecreate : (c: string) => c)(strategy === 'image' ? withImage(svc.name, svc.deploy!, imageRef(svc, to)) : svc.deploy!))],
      destructive: false,
    }));
}

/** Warm-up, health and smoke checks of these services. */
export function verifySteps({ services, at, healthWhere, idPrefix = '' }: Pick<ServiceStepsInput, 'services' | 'at' | 'healthWhere' | 'idPrefix'>): PlanStep[] {
  const steps: PlanStep[] = [];
  const healthServices = services.filter((s) => s.health);
  const warmupMs = Math.max(0, ...healthServices.map((s) => s.health?.warmupMs ?? 0));
  if (warmupMs > 0) {
    steps.push({ id: `${idPrefix}warmup`, kind: 'wait', title: `Wait ${Math.round(warmupMs / 1000)} s for warm-up`, why: 'Services need time to start before their health checks mean anything.', commands: [], destructive: false, waitMs: warmupMs });
  }
  // Where "from: target" runs: the host every other command of the plan runs on.
  const target = at('true').where;
  const whereOf = (from: CheckFrom | undefined): string => (from === 'local' ? 'local' : from === 'target' ? target : healthWhere);
  for (const svc of healthServices) steps.push(healthStep(svc, whereOf(svc.health!.from), idPrefix));
  for (const svc of services) {
    if (!svc.smoke?.length) continue;
    const id = `${idPrefix}smoke-${svc.name}`;
    const why = 'The service answers its health check; these check it does its job.';
    if (svc.smoke.every((e): e is string => typeof e === 'string')) {
      steps.push({ id, kind: 'smoke', service: svc.name, title: `Smoke checks of ${svc.name}`, why, commands: svc.smoke.map((c) => at(c)), destructive: false });
      continue;
    }
    const flow = svc.smoke.map((e, i) => (typeof e === 'string' ? { type: 'command' as const, name: `command ${i + 1}`, command: at(e) } : plannedHttpStep(e, whereOf(e.from))));
    steps.push({ id, kind: 'smoke', service: svc.name, title: `Smoke checks of ${svc.name}`, why: `${why} ${flow.map(describeEntry).join('; ')}.`, commands: [], destructive: false, smoke: flow });
  }
  steps.push(...logCheckSteps(services, at, idPrefix));
  return steps;
}

function healthStep(svc: ServiceConfig, where: string, idPrefix: string): PlanStep {
  const h = svc.health!;
  const probeTimeoutMs = Math.min(h.probeTimeoutMs ?? CONFIG_DEFAULTS.probeTimeoutMs, h.timeoutMs);
  const headers = plannedHeaders(h.headers);
  const json = h.json && Object.entries(h.json).map(([path, equals]) => ({ path, equals }));
  const expects = [`${h.expect}`, ...(h.contains ? [`containing "${h.contains}"`] : []), ...(json ?? []).map((j) => `${j.path} = ${JSON.stringify(j.equals)}`)];
  const sends = headers.length ? `, sending ${headers.map((x) => (x.secret ? `${x.name} (secret ${x.secret})` : x.name)).join(', ')}` : '';
  return {
    id: `${idPrefix}health-${svc.name}`,
    kind: 'health',
    service: svc.name,
    title: `Health of ${svc.name}: ${h.url} → ${h.expect}`,
    why: `Probe ${where === 'local' ? 'from this machine' : `on ${where} with curl`} every ${h.intervalMs} ms until it answers ${expects.join(', ')}${sends}; each probe may take ${probeTimeoutMs} ms, the check at most ${h.timeoutMs} ms.`,
    // Headers (and their secrets) go to curl on stdin at run time, never on the command line.
    commands: where === 'local' ? [] : [{ command: curlCommand(probeTimeoutMs, { config: headers.length > 0, url: h.url }), where }],
    destructive: false,
    health: {
      url: h.url, expect: h.expect, ...(h.contains !== undefined ? { contains: h.contains } : {}), warmupMs: h.warmupMs, timeoutMs: h.timeoutMs, intervalMs: h.intervalMs, probeTimeoutMs, where,
      ...(headers.length ? { headers } : {}), ...(json?.length ? { json } : {}),
    },
  };
}

function plannedHeaders(headers: Record<string, string> | undefined): PlannedHeader[] {
  return Object.entries(headers ?? {}).map(([name, value]) => {
    const secret = secretName(value);
    return secret ? { name, secret } : { name, value };
  });
}

function plannedHttpStep(e: HttpSmokeStep, where: string): PlannedHttpStep {
  const step: PlannedHttpStep = {
    type: 'http',
    name: e.name ?? `${e.method} ${pathOf(e.url)}`,
    method: e.method,
    url: e.url,
    headers: plannedHeaders(e.headers),
    expect: { status: e.expect.status, ...(e.expect.json ? { json: Object.entries(e.expect.json).map(([path, equals]) => ({ path, equals })) } : {}), ...(e.expect.contains !== undefined ? { contains: e.expect.contains } : {}) },
    timeoutMs: e.timeoutMs,
    where,
  };
  if (e.body !== undefined) step.body = typeof e.body === 'string' ? { text: e.body } : { json: e.body };
  if (e.capture) step.capture = { ...e.capture };
  return step;
}

function pathOf(url: string): string {
  const m = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(url);
  return m?.[1] || '/';
}

function describeEntry(e: PlannedSmokeEntry): string {
  if (e.type === 'command') return `${e.name}: ${e.command.command}`;
  const captures = e.capture ? `, captures ${Object.keys(e.capture).join(', ')}` : '';
  return `${e.name}: ${e.method} ${e.url} → ${e.expect.status}${captures}${e.where === 'local' ? '' : ` (on ${e.where})`}`;
}

/**
 * The nuclear option, planned and previewed up front: when a service's build, deploy or
 * checks keep failing, the remaining service steps give way to a redeploy of every service
 * (the environment's own `fullRedeploy` command, or every service's build and deploy), then
 * every service's checks. Offered only when it would do more than the plan already does.
 */
export function fullRedeployFallback(input: ServiceStepsInput & { affected: PlanStep[]; redeployAll?: string }): RollbackPlan['fullRedeploy'] {
  if (input.affected.length === 0) return undefined;
  const all = input.services.filter((s) => (input.strategy === 'image' ? s.image : s.build || s.deploy));
  const at = input.at;
  let steps: PlanStep[];
  if (input.redeployAll) {
    const redeploy: PlanStep = {
      id: 'full-redeploy',
      kind: 'full-redeploy',
      title: 'Full redeploy of every service',
      why: `The environment's fullRedeploy command, on the ${input.to.name} code.`,
      commands: [at(input.redeployAll)],
      destructive: false,
    };
    steps = [redeploy, ...verifySteps({ ...input, services: input.services, idPrefix: 'full-' })];
  } else {
    const affectedNames = new Set(input.affected.map((s) => s.service));
    if (all.every((s) => affectedNames.has(s.name))) return undefined; // the same steps again would not be a different move
    steps = serviceSteps({ ...input, services: all, idPrefix: 'full-' }).map((s) => ({ ...s, title: `${s.title} (full redeploy)` }));
  }
  return {
    replaces: input.affected.map((s) => s.id),
    steps,
    why: `If a service's build, deploy or checks keep failing, the service steps still to do give way to a redeploy of every service (${all.map((s) => s.name).join(', ')}), then every service's checks. Steps already done stay done.`,
  };
}

function imageRef(svc: ServiceConfig, to: ReleaseRef): string {
  if (!svc.image) throw new PlanError(`service ${svc.name} has no image for the image strategy`);
  return validateImageRef(svc.image.replace(/\{tag\}/g, to.name).replace(/\{sha\}/g, to.sha));
}

function withImage(service: string, deploy: string, ref: string): string {
  const quoting = templateQuotingProblem(deploy, DEPLOY_PLACEHOLDERS);
  if (quoting) throw new PlanError(`rollback.yml services.${service}.deploy: ${quoting}`);
  return deploy.includes('{image}') ? deploy.replace(/\{image\}/g, shQuote(ref)) : `export ROLLBACK_IMAGE=${shQuote(ref)}; ${deploy}`;
}
