import { readAppliedState, type AppliedState } from '../core/database';
import type { EnvironmentConfig } from '../core/config/types';
import type { MigrationGroup } from '../core/migrations/types';
import type { Redactor } from '../core/redact';
import type { CommandRunner } from '../core/ports';
import type { SqlQueryPort } from '../core/database';
import type { RollbackSessions } from './sessions';
import type { WorkspaceModel } from './workspaceModel';
import { environmentCwd } from './environments';

/** Where the choice of the Migrations view's database lives (the workspace's memento in VS Code). */
export interface DatabaseEnvironmentChoice {
  get(): string | undefined;
  set(name: string | undefined): Promise<void>;
}

/**
 * Which environment's database the Migrations view reads: the one the user chose (remembered
 * per workspace), or the only one. With several and no choice, none: `migrations.sql` is one
 * command for every environment, and reading the laptop's `local` through production's psql
 * command answered with a password error instead of the state anyone asked for.
 */
export function databaseEnvironment(environments: EnvironmentConfig[], chosen: string | undefined): { env?: EnvironmentConfig; why?: string } {
  if (chosen) {
    const env = environments.find((e) => e.name === chosen);
    if (env) return { env };
    return { why: `the environment "${chosen}" chosen for the Migrations view is no longer in rollback.yml; choose another (the database icon in the view's title)` };
  }
  if (environments.length === 1) return { env: environments[0] };
  return { why: `choose which environment's database to read (${environments.map((e) => e.name).join(', ')}): the database icon in the Migrations view's title` };
}

/**
 * What the target database has applied, read through the configured `migrations.sql`
 * command (psql, locally or over SSH) from the tool's own table. A local target is read
 * on every refresh; a remote one only after an explicit Refresh or choice: the applied state
 * runs psql on the host, which opening the view must not start by surprise.
 */
export class AppliedStateReader {
  private remoteAllowed = false;

  constructor(
    private readonly workspace: WorkspaceModel,
    private readonly sessions: RollbackSessions,
    private readonly choice: DatabaseEnvironmentChoice,
    /** A psql connection error quotes the connection string, password included: the view shows it redacted. */
    private readonly redactor: Pick<Redactor, 'redactDeep' | 'redactError'>,
    /** The database client over a runner (psql through `migrations.sql`), built in the composition root. */
    private readonly sqlClient: (runner: CommandRunner, sql: string, options: { cwd: string }) => SqlQueryPort,
  ) {}

  /** Called by Rollback: Refresh and by the choice of an environment. */
  allowRemote(): void {
    this.remoteAllowed = true;
  }

  async read(group: MigrationGroup): Promise<AppliedState | undefined> {
    const { config } = await this.workspace.config();
    const sql = config.migrations.sql;
    if (!sql || config.environments.length === 0) return undefined;
    const { env, why } = databaseEnvironment(config.environments, this.choice.get());
    if (!env) return { readable: false, message: `${why}.`, marks: new Map(), drift: [] };
    if (env.host !== 'local' && !this.remoteAllowed) {
      return { readable: false, message: `${env.name} is on ${env.host}; run Rollback: Refresh to read its database over SSH.`, marks: new Map(), drift: [] };
    }
    const cwd = environmentCwd(env, this.workspace.root.fsPath);
    const runner = this.sessions.runnerFor(env.host);
    try {
      const state = await readAppliedState({ tool: group.tool, migrations: group.migrations, db: this.sqlClient(runner, sql, { cwd }) });
      return state && this.redactor.redactDeep({ ...state, message: state.message && `${env.name} (${env.host}): ${state.message}` });
    } catch (e) {
      throw this.redactor.redactError(e);
    } finally {
      await runner.dispose();
    }
  }
}
