import { readAppliedState, type AppliedState } from '../core/classify';
import type { MigrationGroup } from '../core/migrations/types';
import { PsqlClient } from '../infra/sql/pgClient';
import type { RollbackSessions } from './rollbackSessions';
import type { RollbackWorkspace } from './rollbackWorkspace';
import { environmentCwd } from './environments';

/**
 * What the target database has applied, read through the configured `migrations.sql`
 * command (psql, locally or over SSH) from the tool's own table. A local target is read
 * on every refresh; a remote one only after an explicit Refresh, so opening the view
 * never opens an SSH connection by surprise.
 */
export class AppliedStateReader {
  private remoteAllowed = false;

  constructor(
    private readonly workspace: RollbackWorkspace,
    private readonly sessions: RollbackSessions,
  ) {}

  /** Called by Rollback: Refresh. */
  allowRemote(): void {
    this.remoteAllowed = true;
  }

  async read(group: MigrationGroup): Promise<AppliedState | undefined> {
    const { config } = await this.workspace.config();
    const sql = config.migrations.sql;
    const env = config.environments[0];
    if (!sql || !env) return undefined;
    if (env.host !== 'local' && !this.remoteAllowed) {
      return { readable: false, message: `${env.name} is on ${env.host}; run Rollback: Refresh to read its database over SSH.`, marks: new Map(), drift: [] };
    }
    const cwd = environmentCwd(env, this.workspace.root.fsPath);
    const runner = this.sessions.runnerFor(env.host);
    try {
      return await readAppliedState({ tool: group.tool, migrations: group.migrations, db: new PsqlClient(runner, sql, { cwd }) });
    } finally {
      await runner.dispose();
    }
  }
}
