// What each host of every fleet environment runs, for the Releases view (issue 15, item 2):
// "production: 4 hosts — 3 on v1.3.0, web-04 on v1.2.0", read from the hosts themselves over
// the product's own connections. Read when asked (Refresh, planning, after a fleet run), like
// the team's state on a target; the view shows the last reading and when it was made.
import type { EnvironmentConfig } from '../core/config/types';
import { fleetSummary, type FleetSummary, type HostHead } from '../core/fleet/fleetState';
import type { Release } from '../core/releases';
import type { FleetHost } from '../core/fleet/types';
import { shJoin } from '../core/plan/shellQuote';
import { isFleet, readFleetHeads, resolveFleetHosts } from './fleetPlanning';
import { sharedRunners, type SharedRunners } from './fleetRun';
import type { RollbackSessions } from './sessions';
import type { WorkspaceModel } from './workspaceModel';

export interface FleetLine extends FleetSummary {
  environment: string;
  readAt: string;
  /** The hosts could not be listed at all (an inventory that does not parse): said instead of a summary. */
  problem?: string;
}

/** How many of the newest releases a host's tree is compared with (a revert commit on the host has a release's tree). */
const TREE_CANDIDATES = 30;

export class FleetStatus {
  private readonly lines = new Map<string, FleetLine>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly workspace: WorkspaceModel, private readonly sessions: RollbackSessions) {}

  /** The last reading of each fleet environment, in rollback.yml's order. */
  current(): FleetLine[] {
    const order = this.workspace.currentConfig()?.environments.map((e) => e.name) ?? [];
    return [...this.lines.values()].filter((l) => order.includes(l.environment)).sort((a, b) => order.indexOf(a.environment) - order.indexOf(b.environment));
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Reads every fleet environment (or the one named) from its hosts. Never throws: a problem is
   * the line's. `hosts`: the named environment's hosts as the caller has just resolved them
   * (ansible-inventory not started a second time). `runners`: the caller's connections, kept
   * open for what it reads next on the same hosts (each host connected to once).
   */
  async read(environment?: string, hosts?: FleetHost[], runners?: SharedRunners): Promise<void> {
    const { config } = await this.workspace.config();
    const envs = config.environments.filter((e) => isFleet(e) && (environment === undefined || e.name === environment));
    if (envs.length === 0) return;
    const listing = await this.workspace.releases().catch(() => undefined);
    await Promise.all(envs.map(async (env) => this.lines.set(env.name, await this.readOne(env, listing?.releases ?? [], environment !== undefined ? hosts : undefined, runners))));
    for (const l of [...this.listeners]) l();
  }

  private async readOne(env: EnvironmentConfig, releases: Release[], known?: FleetHost[], given?: SharedRunners): Promise<FleetLine> {
    const readAt = new Date().toISOString();
    const runners = given ?? sharedRunners(this.sessions);
    try {
      const hosts = known ?? (await resolveFleetHosts(env, { local: this.sessions.runnerFor('local'), workspaceRoot: this.workspace.root.fsPath }));
      const heads = await readFleetHeads(hosts, (d) => runners.runnerFor(d));
      const names = await this.releaseNames(heads, releases);
      return { environment: env.name, readAt, ...fleetSummary(env.name, heads, (sha) => names.get(sha)) };
    } catch (e) {
      const problem = `${env.name}: the hosts could not be read: ${(e as Error).message}`;
      return { environment: env.name, readAt, text: problem, mixed: true, groups: [], problem };
    } finally {
      if (!given) await runners.dispose();
    }
  }

  /** Each head's release: the release at that commit, else the newest release with the same tree. */
  private async releaseNames(heads: HostHead[], releases: Release[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const bySha = new Map(releases.map((r) => [r.sha, r.name]));
    const unnamed: HostHead[] = [];
    for (const h of heads) {
      if (!h.sha) continue;
      const name = bySha.get(h.sha);
      if (name) out.set(h.sha, name);
      else if (h.tree) unnamed.push(h);
    }
    if (unnamed.length === 0) return out;
    const candidates = releases.slice(0, TREE_CANDIDATES);
    const r = await this.sessions.runnerFor('local').run(shJoin(['git', 'rev-parse', ...candidates.map((c) => `${c.sha}^{tree}`)]), { cwd: this.workspace.root.fsPath, timeoutMs: 30_000 });
    const trees = r.code === 0 ? r.stdout.trim().split('\n') : [];
    for (const h of unnamed) {
      const i = trees.indexOf(h.tree!);
      if (i >= 0) out.set(h.sha!, candidates[i].name);
    }
    return out;
  }
}
