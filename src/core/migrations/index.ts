export type { Migration, MigrationGroup, MigrationClass, MigrationFinding, MigrationVerdict } from './types';
export { detectMigrations, type DetectOptions } from './detect';
export { migrationsForFiles } from './byFiles';
