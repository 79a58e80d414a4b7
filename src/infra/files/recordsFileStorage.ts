// File storage for the release records (`.rollback/records.json`). Writes go to a temp
// file in the same folder and are renamed over the target, so a crash mid-write leaves
// the old file whole.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RecordsStorage } from '../../core/releases/recordsStore';

export function fileRecordsStorage(filePath: string): RecordsStorage {
  return {
    location: filePath,
    async read() {
      try {
        return await readFile(filePath, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async write(text: string) {
      await mkdir(dirname(filePath), { recursive: true });
      const temp = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, text, { encoding: 'utf8', mode: 0o644 });
        await rename(temp, filePath);
      } catch (e) {
        await unlink(temp).catch(() => undefined);
        throw e;
      }
    },
    async moveAside() {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const aside = `${filePath}.corrupt-${stamp}`;
      await rename(filePath, aside);
      return aside;
    },
  };
}
