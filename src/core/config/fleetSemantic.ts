// Checks on an environment's fleet keys (issue 15) that JSON Schema cannot express: one of
// host / hosts / inventory, batch sizes that make a batch (not 0, not over 100%), hosts that
// reach ssh, the db host's working tree agreeing with the fleet's, the {vars.NAME} every
// health URL reads set on every host. Each message names the key and sits on it.
import type { Severity } from './types';
import type { PathSegment, Target } from './locate';
import { isRecord } from './raw';
import { repoPathProblem, sshDestinationProblem } from './values';
import { describeValue, humanPath } from './wording';
import { batchSizeProblem } from '../fleet/batches';

type Report = (severity: Severity, path: PathSegment[], message: string, target?: Target) => void;

const VAR = /\{vars\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Health URLs with their {vars.NAME} replaced by a stand-in, so the URL check judges the rest. */
export function withoutHostVars(url: string): string {
  return url.replace(VAR, '1');
}

export function fleetDiagnostics(name: string, env: Record<string, unknown>, services: unknown, report: Report): void {
  const at = (...rest: PathSegment[]): PathSegment[] => ['environments', name, ...rest];
  const given = (['host', 'hosts', 'inventory'] as const).filter((k) => env[k] !== undefined);
  if (given.length === 0) {
    report('error', at(), `Environment "${name}" needs a "host": "local" or an SSH destination like deploy@prod-1`, 'key');
    return;
  }
  if (given.length > 1) {
    report('error', at(given[1]), `${humanPath(at())}: "${given[0]}" and "${given[1]}" are both given; write one host (host), or a fleet (hosts, or inventory with group)`, 'key');
  }
  const fleet = env.hosts !== undefined || env.inventory !== undefined;
  for (const key of ['rollout', 'db', 'group'] as const) {
    if (env[key] !== undefined && !fleet && !(key === 'group' && env.inventory !== undefined)) {
      report('error', at(key), `${humanPath(at(key))} is for a fleet: give the environment's hosts (hosts: [...]) or an inventory with its group, or leave ${key} out`, 'key');
    }
  }
  if (env.inventory !== undefined && env.group === undefined) {
    report('error', at('inventory'), `${humanPath(at('inventory'))} needs a "group": which of the inventory's groups is this environment (e.g. group: web)`, 'key');
  }
  if (typeof env.group === 'string' && env.group !== '' && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(env.group)) {
    report('error', at('group'), `${humanPath(at('group'))}: ${describeValue(env.group)} is not a group name (letters, digits, '_', '.', '-'): Ansible would read it as a host pattern or a template`);
  }
  if (typeof env.inventory === 'string' && env.inventory !== '') {
    const problem = repoPathProblem(env.inventory);
    if (problem) report('error', at('inventory'), `${humanPath(at('inventory'))}: ${describeValue(env.inventory)} must be an inventory inside the repository: ${problem}`);
  }
  if (fleet && env.push === true) {
    report('error', at('push'), `${humanPath(at('push'))}: a fleet cannot push its revert (each host would push revert commits of its own); push from one checkout after the rollout`);
  }

  const hosts = hostEntries(env.hosts);
  const seen = new Map<string, number>();
  for (const h of hosts) {
    const path = typeof h.raw === 'string' ? at('hosts', h.index) : at('hosts', h.index, 'host');
    if (h.host === 'local') {
      report('error', path, `${humanPath(path)}: "local" cannot be a host of a fleet; list SSH destinations (user@host, host, host:port or ~/.ssh/config aliases)`);
      continue;
    }
    const problem = sshDestinationProblem(h.host);
    if (problem) report('error', path, `${humanPath(path)}: ${describeValue(h.host)} is not an SSH destination (user@host, host, host:port or a ~/.ssh/config alias): ${problem}`);
    const before = seen.get(h.host);
    if (before !== undefined) report('error', path, `${humanPath(path)}: ${describeValue(h.host)} is already hosts[${before}]; a host is rolled once`);
    else seen.set(h.host, h.index);
  }

  const rollout = env.rollout;
  if (isRecord(rollout)) {
    const batch = rollout.batch;
    const sizes: [PathSegment[], unknown][] = Array.isArray(batch) ? batch.map((b, i) => [at('rollout', 'batch', i), b]) : batch === undefined ? [] : [[at('rollout', 'batch'), batch]];
    for (const [path, size] of sizes) {
      const problem = batchSizeProblem(size);
      if (problem) report('error', path, `${humanPath(path)}: ${problem}`);
    }
  }

  const db = env.db;
  const dbHost = typeof db === 'string' ? db : isRecord(db) && typeof db.host === 'string' ? db.host : undefined;
  const dbPath = isRecord(db) && typeof db.path === 'string' ? db.path : undefined;
  if (dbHost !== undefined && dbHost !== '') {
    const dbAt = typeof db === 'string' ? at('db') : at('db', 'host');
    const problem = dbHost === 'local' ? undefined : sshDestinationProblem(dbHost);
    if (problem) report('error', dbAt, `${humanPath(dbAt)}: ${describeValue(dbHost)} is not an SSH destination: ${problem}`);
    const same = hosts.find((h) => h.host === dbHost);
    const envPath = typeof env.path === 'string' ? env.path : '.';
    const fleetPath = same ? same.path ?? envPath : undefined;
    const usedPath = dbPath ?? envPath;
    if (same && fleetPath !== usedPath) {
      const p = dbPath !== undefined ? at('db', 'path') : dbAt;
      report('error', p, `${humanPath(p)}: ${describeValue(dbHost)} is also hosts[${same.index}], whose working tree is ${describeValue(fleetPath)}, but the database steps would run in ${describeValue(usedPath)}; one host has one working tree: give both the same path`);
    }
  }

  // Every {vars.NAME} a health URL reads must be set on every listed host (an inventory's host vars are read at planning).
  const names = new Set<string>();
  if (isRecord(services)) {
    for (const svc of Object.values(services)) {
      if (isRecord(svc) && isRecord(svc.health) && typeof svc.health.url === 'string') for (const m of svc.health.url.matchAll(VAR)) names.add(m[1]);
    }
  }
  if (names.size > 0 && env.hosts === undefined && env.inventory === undefined) {
    report('error', at('host'), `${humanPath(at())}: the health URLs read ${[...names].map((n) => `{vars.${n}}`).join(', ')}, which only the hosts of a fleet set (hosts: [{ host, vars }])`, 'key');
  }
  for (const h of hosts) {
    const missing = [...names].filter((n) => !(n in h.vars));
    if (missing.length === 0) continue;
    const path = at('hosts', h.index);
    report('error', path, `${humanPath(path)}: ${describeValue(h.host)} does not set ${missing.map((n) => `vars.${n}`).join(', ')}, which the health URLs read; add vars: { ${missing.map((n) => `${n}: …`).join(', ')} }`);
  }
}

interface HostEntry {
  index: number;
  raw: unknown;
  host: string;
  path?: string;
  vars: Record<string, unknown>;
}

function hostEntries(list: unknown): HostEntry[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw, index): HostEntry[] => {
    if (typeof raw === 'string' && raw !== '') return [{ index, raw, host: raw, vars: {} }];
    if (isRecord(raw) && typeof raw.host === 'string' && raw.host !== '') {
      return [{ index, raw, host: raw.host, path: typeof raw.path === 'string' ? raw.path : undefined, vars: isRecord(raw.vars) ? raw.vars : {} }];
    }
    return [];
  });
}
