import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RollbackJournal } from '../../core/run/journalTypes';
import type { JournalStore } from '../../core/run/ports';

/**
 * Journals as `<dir>/<runId>.json`. Every save writes a temp file and renames it over the
 * old one, so a crash mid-write leaves the previous complete journal, never half a file.
 */
export class FileJournalStore implements JournalStore {
  constructor(readonly dir: string) {}

  private file(runId: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`run id "${runId}" cannot name a journal file`);
    return join(this.dir, `${runId}.json`);
  }

  async save(journal: RollbackJournal): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(journal.runId);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async load(runId: string): Promise<RollbackJournal | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(runId), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return parseJournal(text, this.file(runId));
  }

  async list(): Promise<RollbackJournal[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: RollbackJournal[] = [];
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      const j = await this.load(n.slice(0, -'.json'.length)).catch(() => undefined);
      if (j) out.push(j);
    }
    return out;
  }
}

export function parseJournal(text: string, file: string): RollbackJournal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const j = value as Partial<RollbackJournal>;
  if (j.version !== 1) throw new Error(`${file}: journal version ${String(j.version)} is not supported (expected 1)`);
  if (typeof j.runId !== 'string' || !j.plan || !Array.isArray(j.steps) || !Array.isArray(j.events)) throw new Error(`${file}: not a rollback journal (runId, plan, steps or events missing)`);
  return j as RollbackJournal;
}
