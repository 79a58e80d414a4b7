import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, starterConfig } from '../../../src/core/config';

void test('the starter for a typical repository parses with zero diagnostics and keeps what was detected', () => {
  const text = starterConfig({
    repoName: 'shop',
    tagPattern: 'release-*',
    detectedMigrations: [{ tool: 'alembic', dir: 'alembic/versions' }, { tool: 'prisma', dir: 'prisma/migrations' }],
    serviceDirs: ['apps/api', 'apps/web/'],
  });
  const r = parseConfig(text, 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.config?.releases.tags, 'release-*');
  assert.deepEqual(r.config?.environments.map((e) => [e.name, e.host]), [['local', 'local']]);
  assert.deepEqual(r.config?.services.map((s) => [s.name, s.paths]), [['api', ['apps/api/**']], ['web', ['apps/web/**']]]);
  assert.deepEqual(r.config?.migrations, { tool: 'alembic', dir: 'alembic/versions' });
  assert.match(text, /^ *# also found: prisma in prisma\/migrations$/m);
  assert.match(text, /^# Rollback Pilot configuration for shop\.$/m);
  assert.ok(text.split('\n').filter((l) => l.trimStart().startsWith('#')).length > 20, 'the starter explains itself in comments');
});

void test('the starter with nothing detected still parses clean', () => {
  const r = parseConfig(starterConfig({ repoName: 'empty' }), 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.config?.services, []);
  assert.deepEqual(r.config?.migrations, {});
});

void test('hostile or unusable detections are left out and the starter still parses clean', () => {
  const text = starterConfig({
    repoName: 'evil\nenvironments: {}\n',
    tagPattern: '-v* ; rm',
    detectedMigrations: [{ tool: 'flyway', dir: 'db' }, { tool: 'sql', dir: '../outside' }, { tool: 'knex', dir: 'db/migrations' }],
    serviceDirs: ['/abs', 'a[b', '123', 'svc', 'other/svc', 'sp ace', ''],
  });
  const r = parseConfig(text, 'rollback.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.config?.releases.tags, 'v*');
  assert.deepEqual(r.config?.migrations, { tool: 'knex', dir: 'db/migrations' });
  assert.deepEqual(r.config?.services.map((s) => s.name), ['service', 'svc', 'svc-2', 'sp-ace']);
});
