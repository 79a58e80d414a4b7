// A copy of each run's journal on its target (`<cwd>/.rollback/journals/<runId>.json`), so a
// second operator's VS Code can see a rollback in progress there and read its journal. The
// local journal stays the one that counts: the copy is best effort, written only when a step
// starts or ends or the run's status changes (not on every output save), and a failed copy
// never fails the run; it is said (onCopyFailed, and an event in the next journal saved).
import type { CommandRunner } from '../ports';
import { redactPatterns } from '../redact/patterns';
import { shQuote, validatePath } from '../plan/shellQuote';
import type { JournalEvent, RollbackJournal } from './journalTypes';
import type { JournalStore } from './ports';

export const JOURNAL_COPY_DIR = '.rollback/journals';

/**
 * The file the copy of `runId` is kept in on the target, relative to the working tree:
 * under the environment's team folder (`records:` in rollback.yml, default `.rollback`).
 */
export function journalCopyFile(runId: string, records?: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId.startsWith('.')) throw new Error(`run id ${JSON.stringify(runId)} cannot name a file`);
  const dir = records ? validatePath(records.replace(/\/+$/, '') || '/') : '.rollback';
  return dir === '.rollback' ? `${JOURNAL_COPY_DIR}/${runId}.json` : `${dir}/journals/${runId}.json`;
}

export interface JournalCopyOptions {
  /** A runner for the plan's target; the copier keeps one per run and disposes it when the run ends. */
  runnerFor: (where: string) => CommandRunner;
  onCopyFailed?: (message: string, journal: RollbackJournal) => void;
  timeoutMs?: number;
}

const ENDED = new Set(['succeeded', 'failed', 'stopped', 'abandoned']);

/** What a copy is due on: the status and each step's outcome (so a step's start and its end, not its output). */
function shapeOf(j: RollbackJournal): string {
  return `${j.status}|${j.steps.map((s) => `${s.stepId}:${s.outcome}:${s.attempts}`).join(',')}`;
}

/**
 * The copy is for reading (another operator's view, Open Running Rollback's Journal), never for
 * resuming, so unlike the local journal its plan's commands need not stay runnable: a
 * PGPASSWORD=… or user:pass@ written in rollback.yml does not go to a host that may not have it.
 */
function forTheTeam(journal: RollbackJournal): RollbackJournal {
  return JSON.parse(JSON.stringify(journal), (_key, value: unknown) => (typeof value === 'string' ? redactPatterns(value) : value)) as RollbackJournal;
}

/** Writes one journal copy on the target through `runner` (temp file beside it, then mv). Throws with the host and file. */
export async function writeJournalCopy(runner: CommandRunner, cwd: string, journal: RollbackJournal, timeoutMs = 15_000): Promise<void> {
  const file = journalCopyFile(journal.runId, journal.plan.records);
  const script = [
    `cd ${shQuote(validatePath(cwd))} || exit 3`,
    `mkdir -p -- "$(dirname -- ${shQuote(file)})" || exit 3`,
    `{ [ ! -d .rollback ] || [ -e .rollback/.gitignore ] || printf '*\\n' > .rollback/.gitignore; }`,
    `t=${shQuote(file)}.tmp.$$`,
    `cat > "$t" && mv -f -- "$t" ${shQuote(file)} || { rm -f -- "$t"; exit 4; }`,
  ].join('\n');
  const r = await runner.run(script, { input: JSON.stringify(forTheTeam(journal), null, 2) + '\n', timeoutMs });
  if (r.code !== 0) {
    const why = r.lost ? 'the connection was lost' : r.timedOut ? `no answer within ${timeoutMs / 1000} s` : r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`;
    throw new Error(`could not copy the journal to ${runner.where}:${cwd}/${file}: ${why}`);
  }
}

/** Decorates a JournalStore: every save as before, then (when due) the copy on the plan's target. */
export function copyingJournalStore<S extends JournalStore>(inner: S, opts: JournalCopyOptions): S {
  const runs = new Map<string, { shape: string; runner?: CommandRunner; failures: JournalEvent[] }>();
  const save = async (journal: RollbackJournal): Promise<void> => {
    const run = runs.get(journal.runId) ?? { shape: '', failures: [] };
    runs.set(journal.runId, run);
    // Said in the local journal itself (in every save after it, since the journal saved may be a fresh copy each time): the team's copy is behind.
    for (const f of run.failures) if (!journal.events.some((e) => e.kind === f.kind && e.at === f.at)) journal.events.push(f);
    await inner.save(journal);
    const { where, cwd } = journal.plan;
    const shape = shapeOf(journal);
    if (where === 'local' || !cwd || shape === run.shape) return;
    run.shape = shape;
    try {
      run.runner ??= opts.runnerFor(where);
      await writeJournalCopy(run.runner, cwd, journal, opts.timeoutMs);
    } catch (e) {
      const message = (e as Error).message;
      run.failures.push({ at: new Date().toISOString(), kind: 'journal-copy-failed', message });
      opts.onCopyFailed?.(message, journal);
    } finally {
      if (ENDED.has(journal.status)) {
        await run.runner?.dispose().catch(() => undefined);
        runs.delete(journal.runId);
      }
    }
  };
  return new Proxy(inner, {
    get(t, prop) {
      if (prop === 'save') return save;
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
