import type { RollbackConfig } from '../core/config/types';
import { gooseSections } from '../core/classify';
import { planDatabaseSteps, undoChoice, type DatabasePlanInput, type UndoChoice, type UndoPath } from '../core/database';
import { migrationsForFiles } from '../core/migrations';
import type { Migration, MigrationVerdict } from '../core/migrations/types';
import type { PlanStep } from '../core/plan/types';
import { releaseChangedFiles, type Release } from '../core/releases';
import type { RollbackWorkspace } from '../vscode/rollbackWorkspace';
import { environmentCwd } from './environments';

/**
 * The database section of a rollback plan: the bad release's migrations (those added
 * between the target and the deployed release), each classified, turned into steps that
 * leave, mitigate, or undo one step at a time — all before the code switch, while the
 * migration files still exist.
 */
/** The operator closed the question of how to undo the bad release's migrations: nothing is planned. */
export class DatabaseChoiceCancelled extends Error {
  constructor() {
    super('No way back for the database was chosen (down steps or the backup); nothing was planned.');
    this.name = 'DatabaseChoiceCancelled';
  }
}

export async function databaseStepsFor(
  workspace: RollbackWorkspace,
  config: RollbackConfig,
  input: { from: Release; to: Release; environment: string; chooseUndo?: (choice: UndoChoice) => Promise<UndoPath | undefined> },
): Promise<PlanStep[]> {
  const env = config.environments.find((e) => e.name === input.environment);
  if (!env) return [];
  const files = await releaseChangedFiles(workspace.gitPort, input.from, input.to);
  const groups = await workspace.migrations();
  const added = migrationsForFiles(groups, files);
  if (added.length === 0) return [];
  const verdicts: MigrationVerdict[] = [];
  for (const m of added) verdicts.push(await workspace.classify(m));

  const downSql: Record<string, string> = {};
  for (const m of added) {
    const sql = await downSqlOf(workspace, m);
    if (sql !== undefined) downSql[m.id] = sql;
  }
  // The version the tool records once every migration of the bad release is undone.
  const group = groups.find((g) => g.migrations.some((m) => m.file === added[0].file));
  const firstIndex = group ? group.migrations.findIndex((m) => m.file === added[0].file) : -1;
  const priorVersion = group && firstIndex > 0 ? group.migrations[firstIndex - 1].id : group ? '0' : undefined;

  // Alembic's graph, not the apply order, says where a down step lands (branches interleave).
  const previousOf: Record<string, string | null> = {};
  for (const m of added) {
    if (m.tool !== 'alembic') continue;
    const parents = m.parents ?? [];
    previousOf[m.id] = parents.length === 0 ? 'base' : parents.length === 1 ? parents[0] : null;
  }

  const cwd = environmentCwd(env, workspace.root.fsPath);
  const planInput: DatabasePlanInput = {
    verdicts,
    migrations: config.migrations,
    where: env.host,
    cwd,
    downSql,
    priorVersion,
    previousOf,
    writers: config.services.filter((s) => s.stop).map((s) => ({ name: s.name, stop: s.stop })),
  };
  // Both ways back exist: the operator weighs the down steps' data loss against the backup's age.
  const choice = undoChoice(planInput);
  if (choice && input.chooseUndo) {
    const path = await input.chooseUndo(choice);
    if (!path) throw new DatabaseChoiceCancelled();
    planInput.mode = path;
  }
  return planDatabaseSteps(planInput);
}

/** Down SQL the extension can run itself: golang-migrate's .down.sql, goose's Down section. */
async function downSqlOf(workspace: RollbackWorkspace, m: Migration): Promise<string | undefined> {
  const read = async (rel: string) => new TextDecoder().decode(await workspace.readFile(rel));
  try {
    if (m.tool === 'golang-migrate' && m.downFile) return await read(m.downFile);
    if (m.tool === 'goose') return gooseSections(await read(m.file)).down?.sql;
  } catch {
    // Unreadable: the plan says there is no down step and offers the restore path.
  }
  return undefined;
}
