// Where a fleet's database steps run, once (issue 15, item 3): the environment's `db` host, else
// the first host of the fleet in the order Ansible plays it (rollback.yml's `hosts:` order, or the
// group's as the team's inventory resolves it). The database section is made by the single-host
// code for the environment's `host`, which a fleet without `db:` has only as a stand-in (empty
// for an inventory, the first listed host for `hosts:`): its reads while planning and its steps
// are pointed at the db host and its working tree here, so they never run on host ''.
import type { EnvironmentConfig } from '../core/config/types';
import type { PlanCommand, PlanStep } from '../core/plan/types';
import type { CommandRunner, ExecOptions } from '../core/ports';
import type { FleetHost } from '../core/fleet/types';
import { RolloutError } from '../core/fleet/batches';

export interface FleetDbHost {
  /** The SSH destination the product runs the database steps on. */
  destination: string;
  /** Its working tree, where they run. */
  path: string;
  /** The preview's words: which host, where, and why that one. */
  said: string;
}

export function fleetDbHost(env: EnvironmentConfig, hosts: readonly FleetHost[]): FleetDbHost {
  const db = env.fleet?.db;
  if (db) {
    const same = hosts.find((h) => h.destination === db.host || h.name === db.host);
    const path = db.path ?? same?.path ?? env.path;
    return { destination: db.host, path, said: `\`${db.host}\` in \`${path}\` (the environment's db host)` };
  }
  const first = hosts[0];
  if (!first) throw new RolloutError(`environment ${env.name} has no hosts to run its database steps on`);
  const inv = env.fleet?.inventory;
  const which = inv ? `the first host of group \`${inv.group}\` in \`${inv.path}\` as Ansible resolves it` : "the first of rollback.yml's hosts";
  const name = first.name === first.destination ? `\`${first.name}\`` : `\`${first.name}\` (\`${first.destination}\`)`;
  return { destination: first.destination, path: first.path, said: `${name} in \`${first.path}\` (${which}; no \`db:\` is set)` };
}

/**
 * The database section's steps on the db host, in its tree: the single-host code aims every one
 * of its commands at the target (the environment's `host`), which for a fleet is the db host.
 */
export function onDbHost(steps: readonly PlanStep[] | undefined, db: FleetDbHost): PlanStep[] | undefined {
  const move = (c: PlanCommand): PlanCommand => ({ ...c, where: db.destination, ...(c.cwd !== undefined ? { cwd: db.path } : {}) });
  return steps?.map((s) => ({ ...s, commands: s.commands.map(move), ...(s.alreadyDone ? { alreadyDone: move(s.alreadyDone) } : {}), ...(s.onFailure ? { onFailure: move(s.onFailure) } : {}) }));
}

/**
 * The runners the database section reads the target through while it is planned (the backup
 * record, whether the migration tool is installed): the db host, in its tree.
 */
export function dbHostRunners(runnerFor: (where: string) => CommandRunner, env: EnvironmentConfig, db: FleetDbHost): (where: string) => CommandRunner {
  return (where) => {
    if (where === 'local') return runnerFor(where);
    const inner = runnerFor(db.destination);
    const cwd = (o?: ExecOptions): ExecOptions | undefined => (o?.cwd === env.path ? { ...o, cwd: db.path } : o);
    return { where: inner.where, run: (command, options) => inner.run(command, cwd(options)), dispose: () => inner.dispose() };
  };
}
