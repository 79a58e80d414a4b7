import type { SqlQueryPort } from '../../core/database/appliedState';
import type { CommandRunner } from '../../core/ports';

/**
 * Reads the database through the psql the target already has (Debian's, or the one in
 * the configured `migrations.sql` command such as `docker exec -i db psql -U app -d app`):
 * no driver dependency, and it works the same over SSH.
 */
export class PsqlClient implements SqlQueryPort {
  constructor(
    private readonly runner: CommandRunner,
    /** The psql command line without output flags, e.g. `psql -h 127.0.0.1 -U app -d app`. */
    private readonly psqlCommand: string,
    private readonly options: { cwd?: string; timeoutMs?: number } = {},
  ) {}

  async query(sql: string): Promise<string[][]> {
    // Unaligned, tuples only, tab-separated; stop at the first error so a failure is a failure.
    const command = `${this.psqlCommand} -X -A -t -F '\t' -v ON_ERROR_STOP=1`;
    const r = await this.runner.run(command, { input: `${sql.trim().replace(/;$/, '')};\n`, cwd: this.options.cwd, timeoutMs: this.options.timeoutMs ?? 15_000 });
    if (r.lost) throw new Error(`the connection to ${this.runner.where} was lost while reading the database`);
    if (r.code !== 0) {
      const msg = r.stderr.trim() || r.stdout.trim() || `exit ${r.code ?? r.signal}`;
      throw new Error(`${msg} (${this.runner.where}: ${this.psqlCommand})`);
    }
    // The runner keeps only the end of a huge output: a verdict is never taken from part of the rows.
    if (r.droppedBytes?.stdout) throw new Error(`the answer was too large to read whole (${r.droppedBytes.stdout} bytes not kept) (${this.runner.where}: ${this.psqlCommand})`);
    return r.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t'));
  }
}
