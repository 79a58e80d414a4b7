// Shallow detection (the tree's first paint): classifies a folder listed without reading it,
// reading only the files whose tool or place in the order their names cannot tell.
import type { MigrationTool } from '../config/types';
import type { FileSystemPort } from '../ports';
import { readAlembicHeaderQuickly } from './alembicHeader';
import { classifyFile, extensionOf, GOLANG_MIGRATE_NAME, type ClassifiedFile } from './fileKinds';
import { mapLimited, readSource, type FolderListing } from './folder';

const PARALLEL_READS = 64;

/**
 * Whether the folder's reading needs this file's text. With a known tool only what orders or
 * admits the migrations counts: Alembic's parents, and which goose `.go` files register one.
 * Without a tool every file whose name does not already say its tool is read, so the vote is
 * the full pass's.
 */
function needsText(name: string, ext: ClassifiedFile['ext'], tool: MigrationTool | undefined): boolean {
  if (tool === undefined) return !(ext === 'sql' && GOLANG_MIGRATE_NAME.test(name));
  if (tool === 'alembic') return ext === 'py';
  if (tool === 'goose') return ext === 'go';
  return false;
}

export async function classifyShallow(fs: FileSystemPort, listing: FolderListing, tool: MigrationTool | undefined): Promise<ClassifiedFile[]> {
  // A Prisma layout decides the folder by itself (as in the full pass); its files are never used.
  const decided = tool ?? (listing.prismaFolders.length > 0 ? 'prisma' : undefined);
  // All reads first, then all parsing: parsing between reads leaves the file system idle.
  const sources = await mapLimited(listing.files, PARALLEL_READS, async (file) =>
    needsText(file.name, extensionOf(file.name), decided) ? readSource(fs, file.path, file.name) : file,
  );
  return sources.map((file) => {
    const ext = extensionOf(file.name);
    if (file.unread) {
      const out: ClassifiedFile = { ...file, ext };
      if (ext === 'sql' && GOLANG_MIGRATE_NAME.test(file.name)) out.vote = 'golang-migrate';
      return out;
    }
    // Alembic scripts: the identity sits in the module header, so only that is parsed.
    return classifyFile(file, readAlembicHeaderQuickly);
  });
}
