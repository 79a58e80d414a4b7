// The shape of rollback.yml as written, i.e. what the JSON Schema accepts. Only trusted after
// the schema has validated it; before that, every access goes through type guards.
import type { MigrationTool, Strategy } from './types';

export type RawDuration = string | number;

export interface RawHealth {
  url: string;
  expect?: number;
  contains?: string;
  warmup?: RawDuration;
  timeout?: RawDuration;
  interval?: RawDuration;
  probeTimeout?: RawDuration;
  headers?: Record<string, string>;
  json?: Record<string, unknown>;
  from?: 'local' | 'target';
}

export interface RawSmokeStep {
  name?: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  expect?: number | { status?: number; json?: Record<string, unknown>; contains?: string };
  capture?: Record<string, string>;
  timeout?: RawDuration;
  from?: 'local' | 'target';
}

export interface RawService {
  build?: string;
  deploy?: string;
  stop?: string;
  health?: RawHealth;
  smoke?: (string | RawSmokeStep)[];
  paths?: string[];
  image?: string;
  configCheck?: string;
  logs?: string | RawLogs;
  errors?: string;
}

export interface RawLogs {
  command: string;
  since?: 'rfc3339' | 'journal' | 'epoch';
  baseline?: RawDuration;
  watch?: RawDuration;
  threshold?: number;
}

export interface RawHostEntry {
  host: string;
  path?: string;
  vars?: Record<string, string | number>;
}

export interface RawEnvironment {
  /** One of host, hosts, inventory (the semantic checks insist). */
  host?: string;
  hosts?: (string | RawHostEntry)[];
  inventory?: string;
  group?: string;
  rollout?: { batch?: number | string | (number | string)[]; maxFailPercent?: number; pause?: RawDuration };
  db?: string | { host: string; path?: string };
  path?: string;
  branch?: string;
  strategy?: Strategy;
  snapshot?: string;
  push?: boolean;
  configFiles?: string[];
  commandTimeout?: RawDuration;
  fullRedeploy?: string;
  records?: string;
  deployed?: string;
  imageCheck?: string;
}

export interface RawConfig {
  releases?: { tags?: string };
  environments?: Record<string, RawEnvironment>;
  services?: Record<string, RawService>;
  migrations?: {
    tool?: MigrationTool;
    dir?: string;
    down?: string;
    preview?: string;
    sql?: string;
    backup?: { create?: string; restore?: string; list?: string; maxAge?: RawDuration; dir?: string; log?: string };
    status?: string;
    statusTimeout?: RawDuration;
    scratch?: string | { url?: string; start?: string; stop?: string; ready?: RawDuration };
    schemaDump?: string;
    compatibilityCheck?: string;
  };
  notify?: { webhook?: boolean; escalateAt?: RawDuration[] };
  checklist?: Record<string, unknown>;
  decision?: { investigateFor?: RawDuration };
  followUp?: { ciStatus?: string; issue?: string; timeout?: RawDuration };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
