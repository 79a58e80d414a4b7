// The fleet of an environment (issue 15): which hosts, how they are rolled (batches, the
// failure threshold, the pause between batches), and what is known about each host while
// Ansible rolls it. Pure data: the config layer fills it, the planner and the rollout read it.

/** One batch size as rollback.yml writes it: a count of hosts or a percentage of the fleet ("25%"). */
export type BatchSize = number | `${number}%`;

export interface RolloutConfig {
  /** One size for every batch, or a list whose last entry repeats (Ansible's `serial`). The first batch is the canary. */
  batch: BatchSize | BatchSize[];
  /** Percentage of a batch's hosts that may fail before the rollout stops (Ansible's max_fail_percentage). 0: any failure stops it. */
  maxFailPercent: number;
  /** Milliseconds to wait between two batches (not after the last). */
  pauseMs: number;
}

/** A host of the fleet as the config names it. */
export interface FleetHostConfig {
  /** The SSH destination (user@host[:port]) or ~/.ssh/config alias; for an inventory, the inventory host name. */
  host: string;
  /** Working tree on this host, when it differs from the environment's path. */
  path?: string;
  /** Values this host's health URLs read as {vars.NAME}. */
  vars?: Record<string, string>;
}

export interface FleetConfig {
  /** Hosts listed in rollback.yml (`hosts:`), in order. Absent with an inventory. */
  hosts?: FleetHostConfig[];
  /** The team's own Ansible inventory (`inventory:` relative to the repository root) and its group. */
  inventory?: { path: string; group: string };
  rollout: RolloutConfig;
  /** Where the database steps run once: the environment's `db` host (and its path), else the first host. */
  db?: { host: string; path?: string };
}

/** A host resolved for a rollout: its name in the inventory, how to reach it, where its tree is. */
export interface FleetHost {
  /** The inventory host name Ansible reports events under (also what --limit names). */
  name: string;
  /** The SSH destination the product itself connects to (host key check, lock, preflight). */
  destination: string;
  path: string;
  vars: Record<string, string>;
}

/** What one host did for one step, as the grid shows it. */
export type HostStepOutcome = 'not-started' | 'running' | 'ok' | 'failed' | 'skipped' | 'unknown';
