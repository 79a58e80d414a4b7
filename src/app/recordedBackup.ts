// The backup a plan checks and restores, read at planning from the backups log on the
// environment's target (core/backups): one short connection, closed after the read. Only when
// rollback.yml has migrations.backup.create (then the log is what says which backup exists).
import type { ChosenBackup } from '../core/backups/backupsLog';
import { readBackupsLog } from '../core/backups/takeBackup';
import type { EnvironmentConfig, MigrationsConfig } from '../core/config/types';
import type { CommandRunner } from '../core/ports';

export type ReadRecordedBackup = (env: Pick<EnvironmentConfig, 'host'>, cwd: string, migrations: MigrationsConfig, to: { name: string; sha: string }) => Promise<ChosenBackup | undefined>;

export function recordedBackupReader(runnerFor: (where: string) => CommandRunner): ReadRecordedBackup {
  return async (env, cwd, migrations, to) => {
    if (!migrations.backup?.create) return undefined;
    const runner = runnerFor(env.host);
    try {
      return await readBackupsLog(runner, cwd, migrations.backup, to);
    } finally {
      await runner.dispose().catch(() => undefined);
    }
  };
}
