// The hosts of a fleet, and the inventory file the product hands Ansible. With `hosts:` the
// file is the whole inventory (how to reach each host, and its per-host values); with the
// team's own `inventory:` it only adds the product's per-host values (rp_*) beside theirs,
// so their host and group vars are honoured. Values are `!unsafe`: Ansible never templates them.
import { unsafe } from './playbook';
import { UnsafeValueError, validateHost } from '../plan/shellQuote';
import { isSecretName } from '../redact/envFile';
import { RolloutError } from './batches';
import type { FleetConfig, FleetHost } from './types';

/** The product's own group when the hosts come from rollback.yml. */
export const OWN_GROUP = 'rollback_pilot_fleet';

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** user@host:port split the way ssh reads it (the config layer has already refused anything else). */
export function splitDestination(destination: string): { user?: string; host: string; port?: number } {
  let rest = destination;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) port = Number(after.slice(1));
    rest = rest.slice(1, close);
  } else if (rest.includes(':')) {
    port = Number(rest.slice(rest.indexOf(':') + 1));
    rest = rest.slice(0, rest.indexOf(':'));
  }
  return { user, host: rest, port };
}

/**
 * The fleet's hosts from rollback.yml's `hosts:`, each with a name Ansible and --limit can use:
 * the host part of the destination (`deploy@web-01` → web-01), made unique with its port or
 * position when two destinations share a host.
 */
export function hostsFromConfig(fleet: FleetConfig, envPath: string): FleetHost[] {
  const entries = fleet.hosts ?? [];
  const names = new Set<string>();
  return entries.map((h, i) => {
    const { host, port } = splitDestination(h.host);
    let name = PLAIN_NAME.test(host) ? host : `host-${i + 1}`;
    if (names.has(name)) name = port ? `${name}-${port}` : `${name}-${i + 1}`;
    if (names.has(name)) name = `${name}-${i + 1}`;
    names.add(name);
    return { name, destination: h.host, path: h.path ?? envPath, vars: { ...(h.vars ?? {}) } };
  });
}

/** What `ansible-inventory --list` prints, as far as we read it. */
interface InventoryList {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: unknown;
}

/**
 * The hosts of `group` in the team's inventory: `listJson` is `ansible-inventory --list`'s
 * output (host and group vars already merged by Ansible), `order` the group's hosts in the
 * order Ansible plays them (`ansible GROUP --list-hosts`). The product connects to each host
 * (host key, lock, preflight) where Ansible would: ansible_host, ansible_port, ansible_user.
 */
export function hostsFromInventory(listJson: string, inventoryPath: string, group: string, order: string[], envPath: string, perHostPath: Record<string, string> = {}): FleetHost[] {
  let list: InventoryList;
  try {
    list = JSON.parse(listJson) as InventoryList;
  } catch (e) {
    throw new RolloutError(`ansible-inventory did not print JSON for ${inventoryPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const groups = Object.keys(list).filter((k) => k !== '_meta');
  if (!groups.includes(group)) {
    throw new RolloutError(`the inventory ${inventoryPath} has no group "${group}" (its groups: ${groups.filter((g) => g !== 'all' && g !== 'ungrouped').join(', ') || 'none'})`);
  }
  if (order.length === 0) throw new RolloutError(`the group "${group}" of ${inventoryPath} has no hosts`);
  const hostvars = list._meta?.hostvars ?? {};
  return order.map((name) => {
    if (!PLAIN_NAME.test(name)) throw new RolloutError(`the inventory host "${name}" (group ${group} of ${inventoryPath}) has a name --limit cannot name safely`);
    const v = hostvars[name] ?? {};
    const where = `the inventory host ${name} (group ${group} of ${inventoryPath})`;
    const connection = connectionProblem(v);
    if (connection) throw new RolloutError(`${where}: ${connection}`);
    const host = str(v.ansible_host) ?? name;
    const user = str(v.ansible_user);
    const port = v.ansible_port === undefined ? undefined : Number(v.ansible_port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new RolloutError(`${where}: ansible_port ${JSON.stringify(v.ansible_port)} is not a port number`);
    const dest = `${user ? `${user}@` : ''}${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`;
    try {
      validateHost(dest);
    } catch (e) {
      throw new RolloutError(`${where}: ansible_host/ansible_user make ${JSON.stringify(dest)}, which is not an SSH destination the product and Ansible would both reach (${e instanceof UnsafeValueError ? e.problem : String(e)})`);
    }
    return { name, destination: dest, path: perHostPath[name] ?? str(v.rollback_path) ?? envPath, vars: stringVars(v) };
  });
}

/**
 * Host vars that would make Ansible reach a host otherwise than the product did when it verified
 * the host key, took the lock and ran the preflight (ssh2, straight to ansible_host): another
 * connection plugin (local runs the tasks on this machine), ssh arguments or an ssh program of
 * their own (a ProxyCommand runs here; ansible_ssh_args replaces the product's
 * StrictHostKeyChecking=yes), host key checking turned off, or a connection value Ansible would
 * template. Refused by name: the operator puts a jump host in the ssh config both read.
 */
const OWN_SSH_VARS = ['ansible_ssh_args', 'ansible_ssh_common_args', 'ansible_ssh_extra_args', 'ansible_scp_extra_args', 'ansible_sftp_extra_args', 'ansible_ssh_executable', 'ansible_sftp_batch_mode', 'ansible_ssh_transfer_method'];
const TEMPLATED_CONNECTION_VARS = ['ansible_host', 'ansible_ssh_host', 'ansible_user', 'ansible_ssh_user', 'ansible_port', 'ansible_ssh_port', 'ansible_connection', 'ansible_ssh_private_key_file', 'ansible_private_key_file'];

function connectionProblem(v: Record<string, unknown>): string | undefined {
  const connection = v.ansible_connection;
  if (connection !== undefined && connection !== 'ssh' && connection !== 'smart') return `ansible_connection is ${JSON.stringify(connection)}; a fleet rollout connects over ssh only (the product verifies each host's key over ssh before Ansible runs)`;
  for (const k of OWN_SSH_VARS) if (v[k] !== undefined && v[k] !== '') return `${k} is set; Ansible would connect otherwise than the product verified (its ssh arguments could run a ProxyCommand here or turn host key checking off): put a jump host or options in the ssh config instead`;
  for (const k of ['ansible_host_key_checking', 'ansible_ssh_host_key_checking']) if (v[k] !== undefined && !/^(?:true|yes|1|on)$/i.test(String(v[k]))) return `${k} is ${JSON.stringify(v[k])}; host keys are always checked`;
  for (const k of TEMPLATED_CONNECTION_VARS) {
    const x = v[k];
    if (typeof x === 'string' && /\{[{%#]/.test(x)) return `${k} is a template (${JSON.stringify(x)}); Ansible would evaluate it, the product cannot: write the value itself`;
  }
  if (typeof v.ansible_ssh_host === 'string' && v.ansible_ssh_host !== (v.ansible_host ?? v.ansible_ssh_host)) return 'ansible_ssh_host and ansible_host differ';
  return undefined;
}

/** Per host, what the playbook reads from the inventory besides how to reach it. */
export interface HostRunValues {
  /** Health URL per health step id, this host's {vars.NAME} filled in. */
  health: Record<string, string>;
  /** Steps this host finished before (a resume skips them). */
  skip: string[];
  /** Steps whose outcome a crash left unknown: their check runs first. */
  check: string[];
  /** The hosts of this host's batch (the batch gate compares them with the batch's hosts still in play). */
  batchHosts: string[];
}

/**
 * The inventory file. `own`: the hosts come from rollback.yml, so the file says how to reach
 * them and puts them in OWN_GROUP. Otherwise it only carries the rp_* values for the team's hosts.
 */
export function inventoryYaml(hosts: FleetHost[], values: Record<string, HostRunValues>, own: boolean): string {
  const lines = ['# Generated by Rollback Pilot: per-host values of one rollout (never templated by Ansible).', 'all:'];
  const pad = own ? '        ' : '    ';
  if (own) lines.push('  children:', `    ${OWN_GROUP}:`, '      hosts:');
  else lines.push('  hosts:');
  for (const h of hosts) {
    const v = values[h.name] ?? { health: {}, skip: [], check: [], batchHosts: [h.name] };
    lines.push(`${pad}${JSON.stringify(h.name)}:`);
    if (own) {
      const d = splitDestination(h.destination);
      lines.push(`${pad}  ansible_host: ${unsafe(d.host)}`);
      if (d.port) lines.push(`${pad}  ansible_port: ${d.port}`);
      if (d.user) lines.push(`${pad}  ansible_user: ${unsafe(d.user)}`);
    }
    lines.push(`${pad}  rp_path: ${unsafe(h.path)}`);
    lines.push(`${pad}  rp_health: {${Object.entries(v.health).map(([k, url]) => ` ${JSON.stringify(k)}: ${unsafe(url)}`).join(',')} }`);
    lines.push(`${pad}  rp_skip: ${unsafeList(v.skip)}`);
    lines.push(`${pad}  rp_check: ${unsafeList(v.check)}`);
    lines.push(`${pad}  rp_batch_hosts: ${unsafeList(v.batchHosts)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--limit` for these hosts: names only (PLAIN_NAME), comma-separated, so no pattern syntax can slip in. */
export function limitArg(names: string[]): string {
  for (const n of names) if (!PLAIN_NAME.test(n)) throw new RolloutError(`cannot limit the rollout to host "${n}": not a plain host name`);
  return names.join(',');
}

/** A YAML flow list of `!unsafe` strings: an inventory value is templated wherever a task reads it. */
function unsafeList(items: string[]): string {
  return `[${items.map(unsafe).join(', ')}]`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * The host's vars its health URLs may read ({vars.NAME}): plain values only. Ansible's own
 * settings are left out but for where the host is (ansible_host, ansible_port), and so is any
 * var whose name says it is secret (ansible_become_password, a vault token): these vars go into
 * the fleet's record in the journal and its copy on every host.
 */
function stringVars(v: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number') continue;
    if (k.startsWith('ansible_') && k !== 'ansible_host' && k !== 'ansible_port') continue;
    if (isSecretName(k)) continue;
    out[k] = String(x);
  }
  return out;
}
