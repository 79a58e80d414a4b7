// The validated shape of `rollback.yml`. The JSON Schema in schema/rollback.schema.json
// is the source of truth for what a user may write; these types are what the rest of
// the core consumes after validation and defaulting.

import type { FleetConfig } from '../fleet/types';

export type Strategy = 'revert' | 'checkout' | 'tag' | 'image';
export type MigrationTool = 'alembic' | 'prisma' | 'knex' | 'node-pg-migrate' | 'golang-migrate' | 'goose' | 'sql';

export interface HealthCheck {
  url: string;
  /** Expected HTTP status. */
  expect: number;
  /** Optional substring the body must contain (e.g. the version). */
  contains?: string;
  /** Milliseconds to wait after deploy before the first probe. */
  warmupMs: number;
  /** Milliseconds after which the check has failed for good. */
  timeoutMs: number;
  /** Milliseconds between probes. */
  intervalMs: number;
  /** Milliseconds one probe may take (default 5 s): a /health that answers in 1.5 s passes with a 1 s interval. */
  probeTimeoutMs?: number;
  /** Headers to send; a value `secret:NAME` is read from the editor's secret storage when the check runs. */
  headers?: Record<string, string>;
  /** JSON path → expected value ({to}, {sha}, {from}, {run} filled from the plan). */
  json?: Record<string, unknown>;
  /** Probe from this machine or from the target (its curl, over SSH); default: the rollbackPilot.healthFrom setting. */
  from?: CheckFrom;
}

export type CheckFrom = 'local' | 'target';

/** An HTTP step of a smoke flow (a smoke entry that is not a command). */
export interface HttpSmokeStep {
  name?: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A mapping or list is sent as JSON; a string as it is. */
  body?: unknown;
  expect: { status: number; json?: Record<string, unknown>; contains?: string };
  /** Name → JSON path in the response; later steps read {name}. */
  capture?: Record<string, string>;
  timeoutMs: number;
  from?: CheckFrom;
}

/** A smoke entry: a command that must exit 0, or an HTTP step. */
export type SmokeEntry = string | HttpSmokeStep;

export interface ServiceConfig {
  name: string;
  build?: string;
  deploy?: string;
  stop?: string;
  health?: HealthCheck;
  smoke?: SmokeEntry[];
  /** Globs (relative to the repo root); a service is affected when a changed file matches. Empty = always affected. */
  paths: string[];
  /** Image reference for the `image` strategy (e.g. registry/app:{tag}). */
  image?: string;
  /** Exits 0 when the recreated service sees the restored configuration; run after a config rollback only. */
  configCheck?: string;
  /** Log watching: the command that prints the service's log lines from {since} on, the error pattern, the windows and the bar. */
  logs?: LogsConfig;
}

export interface LogsConfig {
  /** As written: {since} is filled in (quoted) each time it runs. */
  command: string;
  since: 'rfc3339' | 'journal' | 'epoch';
  /** `errors:` as written; undefined for the default pattern. */
  errors?: string;
  baselineMs: number;
  watchMs: number;
  threshold: number;
}

export interface EnvironmentConfig {
  name: string;
  /** "local" or an SSH destination: `user@host`, `host`, `host:port`, or a ~/.ssh/config alias. */
  host: string;
  /** Working tree on the target (for local, relative paths are against the workspace root). */
  path: string;
  branch: string;
  strategy: Strategy;
  /** File on the target that records the pre-deploy SHA (written by Record Pre-deploy Snapshot). */
  snapshot?: string;
  push: boolean;
  /** Files restored from the target release before services are recreated (e.g. .env, Caddyfile). */
  configFiles: string[];
  /** Per-command timeout in milliseconds. */
  commandTimeoutMs: number;
  /** One command that rebuilds and restarts every service (e.g. `docker compose up -d --build --force-recreate`): the full redeploy offered when a service's steps keep failing. */
  fullRedeploy?: string;
  /**
   * A fleet (issue 15): several hosts rolled through Ansible in batches. `host` is then the
   * host the product's own steps use (the db host, else the first listed host; '' for an
   * inventory without db until the inventory is read at planning).
   */
  fleet?: FleetConfig;
  /** Folder on the target for the team's shared state (records.json, journals/), relative to path or absolute; default `.rollback`. */
  records?: string;
  /** Image strategy: prints the image a service runs ({service} filled in); default: docker inspect of its Compose container. */
  deployed?: string;
  /** Image strategy: exits 0 when the image ({image} filled in) exists; default: docker image inspect, else docker manifest inspect. */
  imageCheck?: string;
}

export interface BackupConfig {
  create?: string;
  restore?: string;
  list?: string;
  /** How old the newest listed backup may be before destructive steps stop and ask (ms). */
  maxAgeMs?: number;
  /** Where backup.create writes {backup} files on the target, relative to the environment's path or absolute (default .rollback/backups). */
  dir?: string;
  /** The backups log on the target, one JSON line per backup, relative to the path or absolute (default ops/backups.log). */
  log?: string;
}

export interface MigrationsConfig {
  tool?: MigrationTool;
  dir?: string;
  /** Runs exactly one down step. */
  down?: string;
  /** Prints the SQL of one down step without running it. */
  preview?: string;
  /** Reads SQL on stdin and runs it against the target database. */
  sql?: string;
  backup?: BackupConfig;
  /** The tool's own status command, run on the target after the rollback (default per tool: `alembic current`, `npx --no-install knex migrate:status`, …). */
  status?: string;
  /** How long the status command may take before it counts as hanging (ms). */
  statusTimeoutMs?: number;
  /** Where Rollback: Rehearse Database Steps loads the schema: a PostgreSQL server of its own (never production). */
  scratch?: ScratchConfig;
  /** Prints the environment's schema as SQL, on the target in its path; default: migrations.sql's psql turned into pg_dump --schema-only. */
  schemaDump?: string;
  /** Run on this machine in a worktree of the release rolled back to, with DATABASE_URL and PG* pointing at the rehearsed scratch database. */
  compatibilityCheck?: string;
}

/** A scratch PostgreSQL for rehearsals: its URL (a maintenance database the rehearsal creates its own database from), and how to start and stop it when it is not always running. */
export interface ScratchConfig {
  url: string;
  /** Run on this machine before the rehearsal (e.g. docker run -d --rm -p 55432:5432 … postgres:16). */
  start?: string;
  /** Run on this machine after it. */
  stop?: string;
  /** How long to wait for the server to accept connections after start (ms). */
  readyMs: number;
}

export interface NotifyConfig {
  webhook: boolean;
  /** Minutes after the decision at which the checklist suggests escalating. */
  escalateAtMinutes: number[];
}

export interface RollbackConfig {
  releases: { tags: string };
  environments: EnvironmentConfig[];
  services: ServiceConfig[];
  migrations: MigrationsConfig;
  notify: NotifyConfig;
  /** Checklist overrides: raw, validated by the checklist model. */
  checklist?: unknown;
  /** The decision step: how long a brief investigation lasts before the decision is asked again (default 5 minutes). */
  decision?: { investigateMs: number };
  /** After the rollback: the CI status command and the follow-up issue command (src/core/followUp). */
  followUp?: { ciStatus?: string; issue?: string; timeoutMs?: number };
  /** True when no rollback.yml exists and this is the embedded default. */
  isDefault: boolean;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem in rollback.yml, located so the Problems panel can point at it. Lines and columns are 1-based; the end column is exclusive (the character after the node), as in a VS Code Range. */
export interface ConfigDiagnostic {
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** JSON pointer-ish path of the offending value, e.g. "environments.production.host". */
  path: string;
}
