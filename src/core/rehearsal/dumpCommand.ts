// The schema of the environment's database, read through the same path its `migrations.sql`
// takes: the psql command line turned into pg_dump --schema-only with the same connection
// options and everything in front of it (docker exec, ssh, PGPASSWORD=…) kept as written.
// Options only psql knows are dropped; one this does not know is refused with a way out
// (migrations.schemaDump), rather than guessed.

export type DumpCommand = { command: string } | { problem: string };

// psql options that take a value and mean the same to pg_dump (the connection).
const KEEP_WITH_VALUE = new Set(['-h', '-p', '-U', '-d', '--host', '--port', '--username', '--dbname']);
const KEEP_FLAG = new Set(['-w', '-W', '--no-password', '--password']);
// psql-only options (output, variables, input): dropped, with their value.
const DROP_WITH_VALUE = new Set(['-v', '--set', '--variable', '-F', '--field-separator', '-R', '--record-separator', '-P', '--pset', '-f', '--file', '-o', '--output', '-L', '--log-file', '-T', '--table-attr']);
const DROP_FLAG = new Set([
  '-X', '--no-psqlrc', '-q', '--quiet', '-A', '--no-align', '-t', '--tuples-only', '-e', '--echo-queries', '-a', '--echo-all', '-b', '--echo-errors', '-E', '--echo-hidden',
  '-n', '--no-readline', '-s', '--single-step', '-S', '--single-line', '-x', '--expanded', '-1', '--single-transaction', '-H', '--html', '--csv', '-z', '--field-separator-zero', '-0', '--record-separator-zero',
]);

/** Shell words of a simple command line, each as written (quotes kept), with its offset. */
function words(line: string): Array<{ raw: string; start: number }> | undefined {
  const out: Array<{ raw: string; start: number }> = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    while (i < line.length && !/\s/.test(line[i])) {
      const c = line[i];
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        i = end + 1;
      } else if (c === '"') {
        let j = i + 1;
        while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
        if (j >= line.length) return undefined;
        i = j + 1;
      } else if (c === '\\') i += 2;
      else if (/[;&|<>()`$]/.test(c) && !(c === '$' && /[A-Za-z_{]/.test(line[i + 1] ?? ''))) return undefined;
      else i++;
    }
    out.push({ raw: line.slice(start, i), start });
  }
  return out;
}

export function schemaDumpCommand(sql: string | undefined): DumpCommand {
  const fix = 'set migrations.schemaDump to the command that prints the schema (e.g. docker exec db pg_dump --schema-only -U app app)';
  if (!sql) return { problem: `rollback.yml has no migrations.sql to read the schema through; ${fix}` };
  const ws = words(sql);
  if (!ws) return { problem: `migrations.sql ("${sql}") is more than one simple command (quotes, pipes or substitutions), so the pg_dump for its database cannot be derived; ${fix}` };
  const at = ws.findIndex((w) => w.raw === 'psql' || w.raw.endsWith('/psql'));
  if (at < 0 && ws.some((w) => /\bpsql\b/.test(w.raw))) return { problem: `migrations.sql ("${sql}") runs psql inside a quoted script, so the pg_dump for its database cannot be derived; ${fix}` };
  if (at < 0) return { problem: `migrations.sql ("${sql}") does not run psql, so the pg_dump for its database cannot be derived; ${fix}` };
  const kept: string[] = [];
  for (let k = at + 1; k < ws.length; k++) {
    const w = ws[k].raw;
    const [name, inline] = w.startsWith('--') ? [w.split('=')[0], w.includes('=')] : [w.slice(0, 2), w.length > 2];
    if (!w.startsWith('-')) {
      kept.push(w); // the database name or a connection string / URL
    } else if (KEEP_FLAG.has(w)) {
      kept.push(w);
    } else if (KEEP_WITH_VALUE.has(name)) {
      if (inline) kept.push(w);
      else if (k + 1 < ws.length) kept.push(w, ws[++k].raw);
      else return { problem: `migrations.sql ("${sql}") ends with ${w} and no value; ${fix}` };
    } else if (DROP_FLAG.has(w)) {
      continue;
    } else if (DROP_WITH_VALUE.has(name)) {
      if (!inline) k++;
    } else if (/^-[A-Za-z0-9]{2,}$/.test(w) && [...w.slice(1)].every((c) => DROP_FLAG.has(`-${c}`))) {
      continue; // a bundle of psql-only flags such as -qAt
    } else if (name === '-c' || name === '--command') {
      return { problem: `migrations.sql ("${sql}") runs a fixed command (${w}), so it names no database to dump; ${fix}` };
    } else {
      return { problem: `migrations.sql ("${sql}") has the psql option ${w}, which this does not know how to carry over to pg_dump; ${fix}` };
    }
  }
  const psql = ws[at].raw;
  const pgDump = `${psql.slice(0, psql.length - 'psql'.length)}pg_dump`;
  const before = sql.slice(0, ws[at].start);
  return { command: `${before}${pgDump} --schema-only${kept.length ? ` ${kept.join(' ')}` : ''}` };
}
