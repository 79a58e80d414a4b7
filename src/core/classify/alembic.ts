import type { MigrationFinding } from '../migrations/types';
import type { SqlParser } from './sqlPort';

export async function analyzeAlembic(_text: string, options: { parser: SqlParser; file: string }): Promise<MigrationFinding[]> {
  return [{ class: 'unknown', rule: 'not-analysed', statement: '', line: 1, column: 1, reason: `${options.file}: Alembic files are not analysed yet: review by hand.`, direction: 'up', confidence: 'text' }];
}
