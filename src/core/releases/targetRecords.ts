// The team's copy of the release records, kept on the target itself
// (`<path>/.rollback/records.json` on the deploy host), so that a second operator's VS Code
// sees the deploy records and bad marks the first one wrote. It is a RecordsStorage like the
// local file: read with cat, written atomically (the text on stdin to a temp file beside it,
// then mv), and every write is a compare-and-swap against what was read, because two
// laptops write the same file: a write over a file someone changed since it was read is
// refused (RecordsConflictError) and the store re-reads and applies its change again.
import { createHash } from 'node:crypto';
import type { CommandRunner } from '../ports';
import { shQuote, validatePath } from '../plan/shellQuote';
import { RecordsConflictError } from './records';
import type { RecordsStorage } from './recordsStore';

/** The folder of an environment's shared state on its target: `records:` in rollback.yml (relative to the path, or absolute), else `<path>/.rollback`. */
export function teamDir(env: { path: string; records?: string }): string {
  const dir = (env.records ?? '.rollback').replace(/\/+$/, '') || '/';
  if (dir.startsWith('/')) return validatePath(dir);
  const base = env.path.replace(/\/+$/, '');
  return validatePath(base === '' || base === '.' ? dir : `${base}/${dir}`);
}

/** Where an environment's shared records live on its target: `records.json` in its team folder (teamDir). */
export function targetRecordsFile(env: { path: string; records?: string }): string {
  return `${teamDir(env)}/records.json`;
}

const ABSENT = 'absent';
const TIMEOUT_MS = 30_000;

/**
 * RecordsStorage over a target's runner. `location` is `<where>:<file>`, so every message
 * (corrupt JSON, a newer version, a failed write) names the host and the file.
 * `afterEach` runs after every command (e.g. closing the SSH connection, so that a records
 * write never leaves one open).
 */
export function targetRecordsStorage(runner: CommandRunner, file: string, opts: { afterEach?: () => Promise<void> } = {}): RecordsStorage {
  validatePath(file);
  const location = `${runner.where}:${file}`;
  const f = shQuote(file);
  // What the last read saw (sha256 of the bytes, or absent): the next write is only done over exactly that.
  let expected: string | undefined;
  const run = async (script: string, input?: string) => {
    try {
      const r = await runner.run(script, { timeoutMs: TIMEOUT_MS, input });
      if (r.code === null) {
        const why = r.lost ? 'the connection was lost' : r.timedOut ? `no answer within ${TIMEOUT_MS / 1000} s` : r.stderr.trim() || 'the command did not run';
        throw new Error(`${location}: ${why}`);
      }
      return r;
    } finally {
      await opts.afterEach?.().catch(() => undefined);
    }
  };
  return {
    location,
    async read() {
      expected = undefined;
      const r = await run(
        [
          `f=${f}`,
          `[ -e "$f" ] || exit 3`,
          `[ -f "$f" ] && [ -r "$f" ] || { echo "not a readable file" >&2; exit 4; }`,
          `h=$(sha256sum < "$f") || exit 4`,
          `printf 'RP_SHA256=%s\\n' "\${h%% *}"`,
          `cat -- "$f"`,
        ].join('\n'),
      );
      if (r.code === 3) {
        expected = ABSENT;
        return undefined;
      }
      if (r.code !== 0) throw new Error(`${location}: cannot read it (${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`})`);
      if (r.droppedBytes && (r.droppedBytes.stdout > 0 || r.droppedBytes.stderr > 0)) {
        throw new Error(`${location} is larger than 1 MiB (${r.droppedBytes.stdout} bytes were not kept): not read in part`);
      }
      const nl = r.stdout.indexOf('\n');
      const head = r.stdout.slice(0, nl);
      if (nl < 0 || !/^RP_SHA256=[0-9a-f]{64}$/.test(head)) throw new Error(`${location}: unexpected answer from the read (${head.slice(0, 80)})`);
      const text = r.stdout.slice(nl + 1);
      // A file that is not UTF-8 decodes with replacement characters: its hash then differs, so the compare-and-swap refuses rather than overwriting bytes it never saw.
      expected = createHash('sha256').update(text, 'utf8').digest('hex') === head.slice(10) ? head.slice(10) : `unreadable-${head.slice(10)}`;
      return text;
    },
    async write(text: string) {
      const want = expected;
      if (want === undefined) throw new Error(`${location}: not written, because it was not read first`);
      if (want.startsWith('unreadable-')) throw new Error(`${location} holds bytes that are not UTF-8 text: it is not overwritten (look at it on the host, fix it or move it aside)`);
      const r = await run(
        [
          `f=${f}`,
          `want=${shQuote(want)}`,
          `mkdir -p -- "$(dirname -- "$f")" || exit 6`,
          // Like the lock's: a .rollback folder in the working tree keeps itself out of git status (a stash never takes it, the tree stays clean).
          `d=$(dirname -- "$f"); if [ "\${d##*/}" = .rollback ] && [ ! -e "$d/.gitignore" ]; then printf '*\\n' > "$d/.gitignore"; fi`,
          `t="$f.tmp.$$"`,
          `cat > "$t" || { rm -f -- "$t"; exit 6; }`,
          // The compare and the mv must be one step: two writers that both see the old hash would both win
          // and one mark would be lost. mkdir is atomic, so it serialises writers (bounded wait; a writer
          // that died holding it is named, not waited for forever).
          `l="$f.writing"; n=0`,
          `until mkdir -- "$l" 2>/dev/null; do n=$((n+1)); [ "$n" -lt 100 ] || { rm -f -- "$t"; echo "another writer has held $l for 10 s; if no rollback is writing, remove that folder on the host" >&2; exit 7; }; sleep 0.1; done`,
          `trap 'rmdir -- "$l" 2>/dev/null' EXIT`,
          `if [ -e "$f" ]; then h=$(sha256sum < "$f") || h=unreadable; have="\${h%% *}"; else have=${ABSENT}; fi`,
          `[ "$have" = "$want" ] || { rm -f -- "$t"; echo "changed since it was read" >&2; exit 5; }`,
          `mv -f -- "$t" "$f" || { rm -f -- "$t"; exit 6; }`,
        ].join('\n'),
        text,
      );
      if (r.code === 5) throw new RecordsConflictError(`${location} was changed by someone else since it was read`, location);
      if (r.code !== 0) throw new Error(`Could not write ${location}: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`}`);
      expected = createHash('sha256').update(text, 'utf8').digest('hex');
    },
    async moveAside() {
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const r = await run(`mv -- ${f} ${shQuote(aside)}`);
      if (r.code !== 0) throw new Error(`Could not move ${location} aside: ${r.stderr.trim() || `exit ${r.code}`}`);
      expected = ABSENT;
      return `${runner.where}:${aside}`;
    },
  };
}
