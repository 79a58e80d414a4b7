// Every corpus case, by family (see schema.ts for what a case holds).

import { ACCESS_CONTROL } from './accessControl';
import { ALEMBIC_HELPERS } from './alembicHelpers';
import { DIALECT } from './dialect';
import { DOWN_PATH } from './downPath';
import { FOREIGN_KEYS } from './foreignKeys';
import { GENERAL } from './general';
import type { CorpusCase } from './schema';
import { SHAPE_KEEPING } from './shapeKeeping';
import { TOO_STRICT } from './tooStrict';

export const CORPUS: CorpusCase[] = [...ALEMBIC_HELPERS, ...DIALECT, ...ACCESS_CONTROL, ...FOREIGN_KEYS, ...SHAPE_KEEPING, ...TOO_STRICT, ...GENERAL, ...DOWN_PATH];
