// The whole database side of a plan from what the workspace says about the bad release:
// the steps before the code switch (dbPlan.ts), the migration files the code step keeps
// because their migrations stay applied (keptFiles.ts), and the check after the rollback
// that the migration tool still works on the target (toolStatus.ts). Pure: the app layer
// reads the files, classifies, and asks the operator in between.

import type { EnvironmentConfig, MigrationsConfig, ServiceConfig } from '../config/types';
import type { Migration, MigrationGroup, MigrationVerdict } from '../migrations/types';
import type { PlanStep } from '../plan/types';
import { planDatabaseSteps, type DatabasePlanInput } from './dbPlan';
import { keptMigrationFiles, type KeptMigrationFile } from './keptFiles';
import { expectedAfterRollback, toolStatusStep } from './toolStatus';
import type { AppliedMark } from './appliedState';

export interface DatabaseSection {
  steps: PlanStep[];
  keep: KeptMigrationFile[];
  verify: PlanStep[];
  /** Checks the section would plan but cannot on this target, each saying why (RollbackPlan.notChecked). */
  notChecked?: string[];
}

export const NO_DATABASE_SECTION: DatabaseSection = { steps: [], keep: [], verify: [] };

export interface SectionFacts {
  /** The bad release's migrations, in apply order, and their verdicts (same order). */
  added: Migration[];
  verdicts: MigrationVerdict[];
  /** The deployed tree's migration groups. */
  groups: MigrationGroup[];
  /** Files that differ between the target release and the deployed one. */
  changed: string[];
  migrations: MigrationsConfig;
  env: Pick<EnvironmentConfig, 'name' | 'host'>;
  cwd: string;
  downSql: Record<string, string>;
  services: ServiceConfig[];
  applied?: Map<string, AppliedMark>;
}

/** The planner's input for the database steps: where each down step lands, the version before the release. */
export function databasePlanInput(f: SectionFacts): DatabasePlanInput {
  const group = groupOf(f);
  const firstIndex = group ? group.migrations.findIndex((m) => m.file === f.added[0].file) : -1;
  // The version the tool records once every migration of the bad release is undone.
  const priorVersion = group && firstIndex > 0 ? group.migrations[firstIndex - 1].id : group ? '0' : undefined;
  // Alembic's graph, not the apply order, says where a down step lands (branches interleave).
  const previousOf: Record<string, string | null> = {};
  for (const m of f.added) {
    if (m.tool !== 'alembic') continue;
    const parents = m.parents ?? [];
    previousOf[m.id] = parents.length === 0 ? 'base' : parents.length === 1 ? parents[0] : null;
  }
  return {
    verdicts: f.verdicts,
    migrations: f.migrations,
    where: f.env.host,
    cwd: f.cwd,
    downSql: f.downSql,
    priorVersion,
    previousOf,
    writers: f.services.filter((s) => s.stop).map((s) => ({ name: s.name, stop: s.stop })),
  };
}

function groupOf(f: SectionFacts): MigrationGroup | undefined {
  return f.groups.find((g) => g.migrations.some((m) => m.file === f.added[0]?.file));
}

export function planDatabaseSection(f: SectionFacts, planInput: DatabasePlanInput): DatabaseSection {
  if (f.added.length === 0) return NO_DATABASE_SECTION;
  const steps = planDatabaseSteps(planInput);
  const keep = keptMigrationFiles({ verdicts: f.verdicts, steps, migrations: f.groups.flatMap((g) => g.migrations), changed: f.changed, environment: f.env.name, applied: f.applied });
  const tool = f.added[0].tool;
  const undone = new Set(steps.filter((s) => s.id.startsWith('db-down-')).map((s) => s.id.slice('db-down-'.length)));
  const first = f.added.findIndex((m) => undone.has(m.id));
  const before = first < 0 ? undefined : tool === 'alembic' ? planInput.previousOf?.[f.added[first].id] ?? undefined : first > 0 ? f.added[first - 1].id : planInput.priorVersion;
  const expect = expectedAfterRollback({
    tool,
    release: f.added.map((m) => ({ id: m.id, parents: m.parents, staysApplied: !undone.has(m.id) })),
    restores: steps.some((s) => s.id === 'db-restore'),
    before,
  });
  const status = toolStatusStep({
    tool,
    command: f.migrations.status,
    timeoutMs: f.migrations.statusTimeoutMs,
    dir: f.migrations.dir ?? groupOf(f)?.dir,
    expect,
    at: (command, extra) => ({ command, where: f.env.host, cwd: f.cwd, ...extra }),
    environment: f.env.name,
    where: f.env.host,
  });
  return { steps, keep, verify: status ? [status] : [] };
}
