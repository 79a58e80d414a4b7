// Turns a schema-valid rollback.yml into the RollbackConfig the rest of the core consumes:
// durations in milliseconds, named maps as arrays with `name`, every default filled in.
import { parseDuration } from './duration';
import type { RawConfig, RawDuration, RawEnvironment, RawHealth, RawService, RawSmokeStep } from './raw';
import type { EnvironmentConfig, HealthCheck, HttpSmokeStep, MigrationsConfig, RollbackConfig, ServiceConfig } from './types';
import { CONFIG_DEFAULTS, defaultLocalEnvironment } from './defaults';
import type { FleetConfig, FleetHostConfig } from '../fleet/types';
import { toLogsConfig } from '../logs/config';

export function toRollbackConfig(raw: RawConfig): RollbackConfig {
  const environments = raw.environments
    ? Object.entries(raw.environments).map(([name, env]) => toEnvironment(name, env))
    : [defaultLocalEnvironment()];
  const config: RollbackConfig = {
    releases: { tags: raw.releases?.tags ?? CONFIG_DEFAULTS.tags },
    environments,
    services: Object.entries(raw.services ?? {}).map(([name, svc]) => toService(name, svc)),
    migrations: toMigrations(raw.migrations),
    notify: {
      webhook: raw.notify?.webhook ?? false,
      escalateAtMinutes: raw.notify?.escalateAt
        ? raw.notify.escalateAt.map((d) => ms(d, 0) / 60_000)
        : [...CONFIG_DEFAULTS.escalateAtMinutes],
    },
    isDefault: false,
  };
  if (raw.checklist !== undefined) config.checklist = raw.checklist;
  if (raw.decision?.investigateFor !== undefined) config.decision = { investigateMs: ms(raw.decision.investigateFor, 5 * 60_000) };
  if (raw.followUp) {
    const f = raw.followUp;
    config.followUp = { ...(f.ciStatus ? { ciStatus: f.ciStatus } : {}), ...(f.issue ? { issue: f.issue } : {}), ...(f.timeout !== undefined ? { timeoutMs: ms(f.timeout, 60_000) } : {}) };
  }
  return config;
}

function toEnvironment(name: string, env: RawEnvironment): EnvironmentConfig {
  const fleet = toFleet(env);
  const out: EnvironmentConfig = {
    name,
    host: env.host ?? fleet?.db?.host ?? fleet?.hosts?.[0]?.host ?? '',
    path: env.path ?? CONFIG_DEFAULTS.path,
    branch: env.branch ?? CONFIG_DEFAULTS.branch,
    strategy: env.strategy ?? CONFIG_DEFAULTS.strategy,
    push: env.push ?? false,
    configFiles: env.configFiles ?? [],
    commandTimeoutMs: ms(env.commandTimeout, CONFIG_DEFAULTS.commandTimeoutMs),
  };
  if (env.snapshot !== undefined) out.snapshot = env.snapshot;
  if (env.fullRedeploy !== undefined) out.fullRedeploy = env.fullRedeploy;
  if (fleet) out.fleet = fleet;
  if (env.records !== undefined) out.records = env.records;
  if (env.deployed !== undefined) out.deployed = env.deployed;
  if (env.imageCheck !== undefined) out.imageCheck = env.imageCheck;
  return out;
}

function toFleet(env: RawEnvironment): FleetConfig | undefined {
  if (env.hosts === undefined && env.inventory === undefined) return undefined;
  const r = env.rollout ?? {};
  const fleet: FleetConfig = {
    rollout: { batch: (r.batch ?? 1) as FleetConfig['rollout']['batch'], maxFailPercent: r.maxFailPercent ?? 0, pauseMs: ms(r.pause, 0) },
  };
  if (env.hosts) {
    fleet.hosts = env.hosts.map((h) => {
      if (typeof h === 'string') return { host: h };
      const out: FleetHostConfig = { host: h.host };
      if (h.path !== undefined) out.path = h.path;
      if (h.vars !== undefined) out.vars = Object.fromEntries(Object.entries(h.vars).map(([k, v]) => [k, String(v)]));
      return out;
    });
  }
  if (env.inventory !== undefined) fleet.inventory = { path: env.inventory, group: env.group ?? '' };
  if (env.db !== undefined) fleet.db = typeof env.db === 'string' ? { host: env.db } : { ...env.db };
  return fleet;
}

function toService(name: string, svc: RawService): ServiceConfig {
  const out: ServiceConfig = { name, paths: svc.paths ?? [] };
  if (svc.build !== undefined) out.build = svc.build;
  if (svc.deploy !== undefined) out.deploy = svc.deploy;
  if (svc.stop !== undefined) out.stop = svc.stop;
  if (svc.health !== undefined) out.health = toHealth(svc.health);
  if (svc.smoke !== undefined) out.smoke = svc.smoke.map((e) => (typeof e === 'string' ? e : toSmokeStep(e)));
  if (svc.image !== undefined) out.image = svc.image;
  if (svc.configCheck !== undefined) out.configCheck = svc.configCheck;
  if (svc.logs !== undefined) out.logs = toLogsConfig(svc.logs, svc.errors);
  return out;
}

function toHealth(h: RawHealth): HealthCheck {
  const out: HealthCheck = {
    url: h.url,
    expect: h.expect ?? CONFIG_DEFAULTS.expect,
    warmupMs: ms(h.warmup, CONFIG_DEFAULTS.warmupMs),
    timeoutMs: ms(h.timeout, CONFIG_DEFAULTS.timeoutMs),
    intervalMs: ms(h.interval, CONFIG_DEFAULTS.intervalMs),
  };
  if (h.contains !== undefined) out.contains = h.contains;
  // Defaulted at planning (serviceSteps), so a config without it reads as it always did.
  if (h.probeTimeout !== undefined) out.probeTimeoutMs = ms(h.probeTimeout, CONFIG_DEFAULTS.probeTimeoutMs);
  if (h.headers !== undefined) out.headers = { ...h.headers };
  if (h.json !== undefined) out.json = { ...h.json };
  if (h.from !== undefined) out.from = h.from;
  return out;
}

function toSmokeStep(s: RawSmokeStep): HttpSmokeStep {
  const e = s.expect;
  const expect: HttpSmokeStep['expect'] = typeof e === 'number' ? { status: e } : { status: e?.status ?? CONFIG_DEFAULTS.expect };
  if (typeof e === 'object' && e.json !== undefined) expect.json = { ...e.json };
  if (typeof e === 'object' && e.contains !== undefined) expect.contains = e.contains;
  const out: HttpSmokeStep = { method: s.method ?? 'GET', url: s.url, expect, timeoutMs: ms(s.timeout, CONFIG_DEFAULTS.smokeTimeoutMs) };
  if (s.name !== undefined) out.name = s.name;
  if (s.headers !== undefined) out.headers = { ...s.headers };
  if (s.body !== undefined) out.body = s.body;
  if (s.capture !== undefined) out.capture = { ...s.capture };
  if (s.from !== undefined) out.from = s.from;
  return out;
}

function toMigrations(m: RawConfig['migrations']): MigrationsConfig {
  if (!m) return {};
  const out: MigrationsConfig = {};
  if (m.tool !== undefined) out.tool = m.tool;
  if (m.dir !== undefined) out.dir = m.dir;
  if (m.down !== undefined) out.down = m.down;
  if (m.preview !== undefined) out.preview = m.preview;
  if (m.sql !== undefined) out.sql = m.sql;
  if (m.backup !== undefined) {
    const { maxAge, ...commands } = m.backup;
    out.backup = { ...commands, maxAgeMs: ms(maxAge, CONFIG_DEFAULTS.backupMaxAgeMs) };
  }
  if (m.status !== undefined) out.status = m.status;
  if (m.statusTimeout !== undefined) out.statusTimeoutMs = ms(m.statusTimeout, CONFIG_DEFAULTS.statusTimeoutMs);
  if (m.scratch !== undefined) {
    const s = typeof m.scratch === 'string' ? { url: m.scratch } : m.scratch;
    out.scratch = { url: s.url ?? '', readyMs: ms(typeof m.scratch === 'string' ? undefined : m.scratch.ready, CONFIG_DEFAULTS.scratchReadyMs), ...(s.start ? { start: s.start } : {}), ...(s.stop ? { stop: s.stop } : {}) };
  }
  if (m.schemaDump !== undefined) out.schemaDump = m.schemaDump;
  if (m.compatibilityCheck !== undefined) out.compatibilityCheck = m.compatibilityCheck;
  return out;
}

// Validation has already rejected durations that do not parse, so the fallback only covers absence.
function ms(d: RawDuration | undefined, fallback: number): number {
  return d === undefined ? fallback : parseDuration(d) ?? fallback;
}
