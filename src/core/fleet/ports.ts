// How the core reaches Ansible. src/infra/ansible implements it with the real ansible-playbook.
import type { AnsibleEvent } from './events';

export interface AnsibleRunRequest {
  /** The generated playbook and inventory (fleetPlan.ts), written by the adapter to its own folder. */
  playbook: string;
  inventory: string;
  /** The team's own inventory (absolute path), read by Ansible before the product's per-host values. */
  userInventory?: string;
  /** Only these hosts (a resume); all of the play's hosts when absent. */
  limit?: string[];
  /**
   * Variables of this run only the run may see (the health checks' headers, secrets included):
   * YAML the adapter writes to a 0600 file in its private folder, passes as `--extra-vars @file`,
   * and deletes as soon as Ansible has read it (its first event), or when it ends.
   */
  extraVars?: string;
  /** `--check --diff`: the preview's dry run (shell tasks are skipped in check mode). */
  check?: boolean;
  /** Parallel connections: at least the largest batch. */
  forks: number;
  /** Every Ansible event, as it happens. */
  onEvent?: (e: AnsibleEvent) => void;
  /** Ansible's own terminal output, as it comes. */
  onOutput?: (chunk: string) => void;
  /** The ansible-playbook process group, as soon as it exists: the journal keeps it, so a resume can tell it is gone. */
  onStarted?: (processGroup: number) => void;
  signal?: AbortSignal;
}

export interface AnsibleRunResult {
  /** ansible-playbook's exit code (0 all ok, 2 a host failed, 4 unreachable, …); null when it ended by signal. */
  code: number | null;
  signal: string | null;
  events: AnsibleEvent[];
  /** Lines of the events file that were not whole events (a torn last line after a kill). */
  unreadableLines: number;
  /** The tail of Ansible's own output (stdout and stderr). */
  outputTail: string;
  /** Set when Ansible itself failed (a bad playbook, inventory or option; an unexpected error), rather than a host. */
  internalError?: string;
  /** Where the files of this run are (playbook.yml, inventory.yml, events.jsonl), for the journal. */
  dir: string;
}

export interface AnsiblePort {
  /** Why Ansible cannot run here (missing, too old), with how to install it; undefined when it can. */
  unavailable(): Promise<string | undefined>;
  run(request: AnsibleRunRequest): Promise<AnsibleRunResult>;
}
