// The runbooks' decision tree (runbook 000, incident playbook): what changed decides the way
// back. Code → the git rollback (revert the deploy, one commit, or back to a release);
// database → the migration undo or the backup restore, planned first; configuration →
// restore the config files and recreate the services with no code change, or just restart
// them; unknown → the full rollback (code, database, config, every service redeployed).
// Before any of it: roll back now, roll forward, or a brief investigation (~5 minutes max)
// that ends by asking again.

export type Cause = 'code' | 'database' | 'configuration' | 'unknown';
export type ConfigRemedy = 'restore' | 'restart';

/** The default length of "brief investigation (~5 minutes max)", runbook 000. */
export const DEFAULT_INVESTIGATE_MS = 5 * 60_000;

export interface CauseChoice {
  cause: Cause;
  label: string;
  /** What the plan will do, said before it is made. */
  detail: string;
}

/** The causes as the operator is offered them, in the runbooks' order; `hasMigrations`: the workspace has migrations at all. */
export function causeChoices(input: { hasMigrations: boolean; hasConfigFiles: boolean }): CauseChoice[] {
  return [
    { cause: 'code', label: 'The code', detail: 'Git rollback: revert the bad release (or one commit of it) and redeploy the services it changed.' },
    {
      cause: 'database',
      label: 'A migration',
      detail: input.hasMigrations
        ? 'The database path first: each migration of the bad release left, mitigated, undone one step at a time, or a backup restored; then the code.'
        : 'No migrations were detected in this workspace: the plan says so and rolls the code back.',
    },
    {
      cause: 'configuration',
      label: 'The configuration',
      detail: input.hasConfigFiles
        ? 'Restore the config files (configFiles) of the last good release and recreate the services, with no code change; or restart them as they are.'
        : 'No configFiles in rollback.yml: restart the services as they are (a restore needs configFiles).',
    },
    { cause: 'unknown', label: 'Not sure', detail: 'The full rollback: code, database steps, config files, and every service rebuilt and redeployed. If unsure, roll back everything.' },
  ];
}

/** The investigation's clock: what the timer shows, and whether it ran out. */
export function investigationStatus(startedAt: number, lengthMs: number, now: number): { leftMs: number; over: boolean; label: string } {
  const leftMs = Math.max(0, startedAt + lengthMs - now);
  const s = Math.ceil(leftMs / 1000);
  return { leftMs, over: leftMs === 0, label: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` };
}
