// Builds real repository folders on disk for the migration tests.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FileSystemPort } from '../../../src/core/ports';
import { NodeFileSystem } from '../../../src/infra/files/nodeFileSystem';

export interface TempRepo {
  root: string;
  fs: NodeFileSystem;
  write(files: Record<string, string | Uint8Array>): Promise<void>;
  /** Many files at once, in no particular order (for the bulk test). */
  writeBulk(files: Record<string, string | Uint8Array>): Promise<void>;
  cleanup(): Promise<void>;
}

/** Files are written in the order given, so a test can create them out of apply order on purpose. */
export async function makeRepo(files: Record<string, string | Uint8Array> = {}): Promise<TempRepo> {
  const root = await mkdtemp(join(tmpdir(), 'rp-migrations-'));
  const write = async (more: Record<string, string | Uint8Array>): Promise<void> => {
    for (const [path, content] of Object.entries(more)) {
      const abs = join(root, path);
      await mkdir(dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
  };
  const writeBulk = async (more: Record<string, string | Uint8Array>): Promise<void> => {
    const entries = Object.entries(more);
    for (const dir of new Set(entries.map(([p]) => dirname(join(root, p))))) await mkdir(dir, { recursive: true });
    for (let i = 0; i < entries.length; i += 64) {
      await Promise.all(entries.slice(i, i + 64).map(([p, content]) => writeFile(join(root, p), content)));
    }
  };
  await write(files);
  return { root, fs: new NodeFileSystem(root), write, writeBulk, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The real Node file system, counting how often each file is read. */
export class CountingFileSystem implements FileSystemPort {
  readonly reads = new Map<string, number>();
  constructor(readonly inner: FileSystemPort) {}
  readFile(path: string): Promise<Uint8Array> {
    this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
    return this.inner.readFile(path);
  }
  readDir(path: string): Promise<Array<{ name: string; isDirectory: boolean }>> {
    return this.inner.readDir(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
}

export function alembicScript(revision: string, down: string, message: string, style: 'plain' | 'annotated' = 'plain'): string {
  const header =
    style === 'annotated'
      ? `from typing import Sequence, Union\n\nrevision: str = "${revision}"\ndown_revision: Union[str, Sequence[str], None] = ${down}\nbranch_labels: Union[str, Sequence[str], None] = None\n`
      : `revision = '${revision}'\ndown_revision = ${down}\nbranch_labels = None\ndepends_on = None\n`;
  return `"""${message}\n\nRevision ID: ${revision}\nRevises: ${down}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n${header}\n\ndef upgrade():\n    op.execute("SELECT 1")\n\n\ndef downgrade():\n    pass\n`;
}
