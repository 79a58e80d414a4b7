// The two big parsers load with the first migration that needs them, not with the modules that
// use them: @lezer/python decodes its tables and @babel/parser builds its own when required,
// which every command line start paid (a plan of a repository without Alembic or JS
// migrations, --help, status). Each test file runs in its own process, so the module cache
// here starts without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAlembicHeader } from '../../../src/core/migrations/alembicHeader';
import { inspectJsMigration } from '../../../src/core/migrations/jsMigration';
import { alembicMigrationOps } from '../../../src/core/classify/alembic';

const loaded = (pkg: string): boolean => Object.keys(require.cache).some((k) => k.includes(`/node_modules/${pkg}/`));

test('importing the migration readers and the Alembic classifier loads neither parser; the first parse loads only the one it needs', () => {
  assert.equal(typeof alembicMigrationOps, 'function'); // used, so the import is kept and the classifier's module really loads
  assert.equal(loaded('@lezer/python'), false, '@lezer/python loaded at import');
  assert.equal(loaded('@babel/parser'), false, '@babel/parser loaded at import');

  const header = readAlembicHeader(`revision = 'a1'\nx = (\n  1,\n)\ndown_revision = None\n`);
  assert.equal(header.revision, 'a1');
  assert.equal(loaded('@lezer/python'), true, 'the first Alembic read loads the Python parser');
  assert.equal(loaded('@babel/parser'), false);

  inspectJsMigration('exports.up = function (knex) { return knex.schema.createTable("t", () => {}); };');
  assert.equal(loaded('@babel/parser'), true, 'the first JS migration read loads babel');
});
