// The bad release's migration files that the rolled-back tree must keep. A migration the
// plan leaves applied stays recorded in the tool's own table; if the code step removes its
// file, the tool no longer works on the target: Alembic cannot locate the revision in
// alembic_version ("Can't locate revision identified by …"), Knex refuses every later
// migrate:latest ("The migration directory is corrupt"), node-pg-migrate's down fails
// ("Definitions of migrations … have been deleted"), golang-migrate's up finds no file for
// the recorded version. The code step restores everything else to the target release.

import type { MigrationTool } from '../config/types';
import type { AppliedMark } from './appliedState';
import { MIGRATION_TABLES } from './appliedState';
import type { Migration, MigrationVerdict } from '../migrations/types';
import type { PlanStep } from '../plan/types';

export interface KeptMigrationFile {
  /** Repository-relative path, at the deployed (bad) release's version. */
  path: string;
  /** The migration the file belongs to, or the one whose chain needs it. */
  migration: string;
  tool: MigrationTool;
  /** One sentence for the preview: "kept: <path>, still applied on production". */
  why: string;
}

export interface KeepInput {
  /** The bad release's verdicts, in apply order. */
  verdicts: MigrationVerdict[];
  /** The database section as planned (which migrations get a down step, whether a backup is restored). */
  steps: PlanStep[];
  /** Every migration of the deployed release's tree (parents, down files). */
  migrations: Migration[];
  /** Files that differ between the target release and the deployed one. */
  changed: string[];
  environment: string;
  /** What the target database has applied, when it was read: a pending migration needs no file. */
  applied?: Map<string, AppliedMark>;
}

/** Files of the migrations the plan leaves applied, plus what their tool needs besides (Alembic: every file of the down_revision chain). */
export function keptMigrationFiles(input: KeepInput): KeptMigrationFile[] {
  // A restore returns the database to before the deploy: nothing of the bad release stays recorded.
  if (input.steps.some((s) => s.id === 'db-restore')) return [];
  const changed = new Set(input.changed);
  const undone = new Set(input.steps.filter((s) => s.id.startsWith('db-down-')).map((s) => s.id.slice('db-down-'.length)));
  const byKey = new Map(input.migrations.map((m) => [`${m.tool}\0${m.id}`, m]));
  const out: KeptMigrationFile[] = [];
  const seen = new Set<string>();
  const keep = (path: string | undefined, migration: string, tool: MigrationTool, why: string): void => {
    if (!path || seen.has(path) || !changed.has(path)) return;
    seen.add(path);
    out.push({ path, migration, tool, why });
  };
  for (const v of input.verdicts) {
    const { id, tool, file } = v.migration;
    if (undone.has(id)) continue;
    const mark = input.applied?.get(id);
    if (mark === 'pending') continue;
    const table = MIGRATION_TABLES[tool]?.table;
    const recorded = mark === 'applied' ? `recorded in ${table ?? 'its table'}` : `the plan leaves it applied${table ? ` and recorded in ${table}` : ''}`;
    const own = byKey.get(`${tool}\0${id}`);
    keep(file, id, tool, `kept: ${file}, still applied on ${input.environment} (${recorded})`);
    if (own?.downFile) keep(own.downFile, id, tool, `kept: ${own.downFile}, the down file of ${id}, still applied on ${input.environment}`);
    if (tool === 'alembic') {
      // Alembic walks down_revision from the recorded revision to the base: every file on that chain must be the one production ran.
      const stack = [...(own?.parents ?? [])];
      const walked = new Set<string>();
      while (stack.length) {
        const parent = stack.pop()!;
        if (walked.has(parent)) continue;
        walked.add(parent);
        const m = byKey.get(`alembic\0${parent}`);
        if (!m) continue;
        keep(m.file, m.id, 'alembic', `kept: ${m.file} at the deployed release's version: the down_revision chain of ${id} passes through it, and the target release's copy differs or lacks it`);
        stack.push(...(m.parents ?? []));
      }
    }
  }
  return out;
}
