import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RollbackJournal, UnreadableJournal } from '../../core/run/journalTypes';
import type { JournalStore } from '../../core/run/ports';

/**
 * Journals as `<dir>/<runId>.json`. Every save writes a temp file, fsyncs it, renames it over
 * the old one and fsyncs the folder: a crash mid-write leaves the previous complete journal,
 * never half a file, and once save() resolves the new state survives a power cut too (rename
 * alone is atomic but not durable: the data and the new directory entry may still be in the
 * page cache).
 */
export class FileJournalStore implements JournalStore {
  constructor(readonly dir: string) {}

  private file(runId: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`run id "${runId}" cannot name a journal file`);
    return join(this.dir, `${runId}.json`);
  }

  async save(journal: RollbackJournal): Promise<void> {
    // Serialized before the first await: the caller goes on changing the journal in memory.
    const text = `${JSON.stringify(journal, null, 2)}\n`;
    const target = this.file(journal.runId);
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw new Error(`could not write the journal ${target}: ${(e as Error).message}`, { cause: e });
    }
    await syncDir(this.dir, target);
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
    return (await this.readAll()).journals;
  }

  async problems(): Promise<UnreadableJournal[]> {
    return (await this.readAll()).unreadable;
  }

  private async readAll(): Promise<{ journals: RollbackJournal[]; unreadable: UnreadableJournal[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { journals: [], unreadable: [] };
      throw e;
    }
    const journals: RollbackJournal[] = [];
    const unreadable: UnreadableJournal[] = [];
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      const file = join(this.dir, n);
      try {
        const j = await this.load(n.slice(0, -'.json'.length));
        if (j) journals.push(j);
      } catch (e) {
        // parseJournal's messages start with the file already.
        const message = (e as Error).message;
        unreadable.push({ file, reason: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message });
      }
    }
    return { journals, unreadable };
  }
}

/**
 * fsync of the folder makes the rename itself durable. Some platforms and file systems refuse
 * to fsync a directory (EINVAL, EISDIR, EPERM on Windows, ENOTSUP): there the rename is as
 * durable as the platform allows, and that is not an error of the save.
 */
async function syncDir(dir: string, target: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EBADF') return;
    throw new Error(`the journal ${target} was written, but its folder could not be synced to disk: ${(e as Error).message}`, { cause: e });
  } finally {
    await fh?.close();
  }
}

export function parseJournal(text: string, file: string): RollbackJournal {
  if (text.trim() === '') throw new Error(`${file}: empty file (${text.length} bytes): a write was cut off before anything reached the disk`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); ${text.length} bytes, cut off or edited by hand`);
  }
  const j = value as Partial<RollbackJournal>;
  if (j === null || typeof j !== 'object') throw new Error(`${file}: not a rollback journal (the file holds ${j === null ? 'null' : typeof j})`);
  if (j.version !== undefined && j.version !== 1) throw new Error(`${file}: journal version ${String(j.version)} is not supported (expected 1)`);
  if (j.version !== 1 || typeof j.runId !== 'string' || !j.plan || !Array.isArray(j.steps) || !Array.isArray(j.events)) throw new Error(`${file}: not a rollback journal (version, runId, plan, steps or events missing)`);
  return j as RollbackJournal;
}
