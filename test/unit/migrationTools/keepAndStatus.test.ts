// Which files a leave-in-place rollback keeps, what the tool must report afterwards, how its
// status output is judged (with the tools' own failure messages, as their sources print them),
// and the revert-conflict switch carrying the kept files over to the checkout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keptMigrationFiles } from '../../../src/core/database/keptFiles';
import { expectedAfterRollback, judgeToolStatus, toolStatusStep, type ToolStatusSpec } from '../../../src/core/database/toolStatus';
import type { Migration, MigrationVerdict } from '../../../src/core/migrations/types';
import type { PlanStep } from '../../../src/core/plan/types';
import { switchToCheckout } from '../../../src/core/run/planSwitch';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

const mig = (id: string, file: string, extra: Partial<Migration> = {}): Migration => ({ tool: 'alembic', id, name: id, file, order: 0, problems: [], ...extra });
const verdict = (m: Migration, cls: MigrationVerdict['class'] = 'safe'): MigrationVerdict => ({ migration: { tool: m.tool, id: m.id, file: m.file }, class: cls, findings: [] });
const step = (id: string): PlanStep => ({ id, kind: 'database', title: id, why: '', commands: [], destructive: false });

describe('the migration files a leave-in-place rollback keeps', () => {
  const base = mig('a1', 'alembic/versions/a1_base.py');
  // The bad release rebased c10a (an older revision) onto a new parent b05 and added d21b on top.
  const b05 = mig('b05', 'alembic/versions/b05_new_parent.py', { parents: ['a1'] });
  const c10a = mig('c10a', 'alembic/versions/c10a_old.py', { parents: ['b05'] });
  const d21b = mig('d21b', 'alembic/versions/d21b_priority.py', { parents: ['c10a'] });
  const e9 = mig('e9', 'alembic/versions/e9_drop.py', { parents: ['d21b'] });
  const changed = [b05.file, c10a.file, d21b.file, e9.file, 'app/orders.py'];

  test('the ones left applied, and every file of their down_revision chain that the target release has differently', () => {
    const kept = keptMigrationFiles({ verdicts: [verdict(b05), verdict(d21b), verdict(e9, 'destructive')], steps: [step('db-summary'), step('db-down-e9')], migrations: [base, b05, c10a, d21b, e9], changed, environment: 'production' });
    assert.deepEqual(kept.map((k) => k.path), [b05.file, d21b.file, c10a.file]);
    assert.equal(kept[1].why, 'kept: alembic/versions/d21b_priority.py, still applied on production (the plan leaves it applied and recorded in alembic_version)');
    assert.match(kept[2].why, /^kept: alembic\/versions\/c10a_old\.py at the deployed release's version: the down_revision chain of d21b passes through it/);
  });

  test('nothing after a restore; a migration the database reports pending needs no file; golang-migrate keeps the down file too', () => {
    assert.deepEqual(keptMigrationFiles({ verdicts: [verdict(d21b)], steps: [step('db-restore')], migrations: [d21b], changed, environment: 'production' }), []);
    const applied = new Map([['d21b', 'pending' as const]]);
    assert.deepEqual(keptMigrationFiles({ verdicts: [verdict(d21b)], steps: [], migrations: [d21b], changed, environment: 'production', applied }), []);
    const g = mig('000003', 'db/000003_x.up.sql', { tool: 'golang-migrate', downFile: 'db/000003_x.down.sql' });
    const kept = keptMigrationFiles({ verdicts: [verdict(g)], steps: [], migrations: [g], changed: [g.file, g.downFile!], environment: 'staging', applied: new Map([['000003', 'applied' as const]]) });
    assert.deepEqual(kept.map((k) => k.path), ['db/000003_x.up.sql', 'db/000003_x.down.sql']);
    assert.match(kept[0].why, /still applied on staging \(recorded in schema_migrations\)/);
  });
});

describe('what the tool must report after the rollback', () => {
  test('Alembic: the heads left applied, or where the oldest down step lands; golang-migrate: the version number; restore or list tools: nothing', () => {
    const release = [{ id: 'd21b', parents: ['c10a'], staysApplied: true }, { id: 'e9', parents: ['d21b'], staysApplied: false }];
    assert.deepEqual(expectedAfterRollback({ tool: 'alembic', release, restores: false }), ['d21b']);
    assert.deepEqual(expectedAfterRollback({ tool: 'alembic', release: release.map((m) => ({ ...m, staysApplied: false })), restores: false, before: 'c10a' }), ['c10a']);
    assert.equal(expectedAfterRollback({ tool: 'alembic', release: release.map((m) => ({ ...m, staysApplied: false })), restores: false, before: 'base' }), undefined);
    assert.deepEqual(expectedAfterRollback({ tool: 'golang-migrate', release: [{ id: '000007', staysApplied: true }, { id: '000008', staysApplied: false }], restores: false }), ['7']);
    assert.equal(expectedAfterRollback({ tool: 'alembic', release, restores: true }), undefined);
    assert.equal(expectedAfterRollback({ tool: 'knex', release, restores: false }), undefined);
  });
});

describe('the status step and its verdict', () => {
  const at = (command: string, extra = {}) => ({ command, where: 'deploy@prod-1', cwd: '/srv/app', ...extra });
  const spec = (tool: ToolStatusSpec['tool'], extra: Partial<ToolStatusSpec> = {}): ToolStatusSpec => toolStatusStep({ tool, at, environment: 'production', where: 'deploy@prod-1', dir: 'db/migrations', ...extra })!.toolStatus!;

  test('default commands per tool, each bounded by its own timeout; plain SQL folders have none', () => {
    const s = toolStatusStep({ tool: 'golang-migrate', at, environment: 'production', where: 'deploy@prod-1', dir: 'db/migrations', expect: ['7'] })!;
    assert.deepEqual(s.commands.map((c) => [c.command, c.timeoutMs]), [['migrate -path db/migrations -database "$DATABASE_URL" version', 30_000], ['ls -1 -- db/migrations', 30_000]]);
    assert.equal(toolStatusStep({ tool: 'alembic', at, environment: 'p', where: 'h', timeoutMs: 5000 })!.commands[0].timeoutMs, 5000);
    assert.equal(toolStatusStep({ tool: 'knex', at, environment: 'p', where: 'h' })!.commands[0].command, 'npx --no-install knex migrate:status');
    assert.equal(toolStatusStep({ tool: 'node-pg-migrate', at, environment: 'p', where: 'h' })!.commands[0].command, 'npx --no-install node-pg-migrate down --dry-run');
    assert.equal(toolStatusStep({ tool: 'sql', at, environment: 'p', where: 'h' }), undefined);
  });

  const cases: Array<[string, ToolStatusSpec, { code: number | null; output: string; timedOut?: boolean }, RegExp, boolean, string?]> = [
    ['alembic works', spec('alembic', { expect: ['d21b'] }), { code: 0, output: 'd21b (head)\n' }, /`alembic current`: d21b \(head\)/, true],
    ['alembic lost its revision', spec('alembic'), { code: 255, output: "FAILED: Can't locate revision identified by 'd21b'\n" }, /failed \(exit 255\) on deploy@prod-1: alembic_version records d21b, which has no file in the rolled-back tree/, false],
    ['alembic at another revision', spec('alembic', { expect: ['d21b'] }), { code: 0, output: 'c10a\n' }, /does not report d21b, which this rollback leaves applied/, false],
    ['knex corrupt', spec('knex'), { code: 1, output: 'Error: The migration directory is corrupt, the following files are missing: 002_b.js\n' }, /knex_migrations records 002_b\.js, which the rolled-back tree lacks/, false],
    ['node-pg-migrate deleted', spec('node-pg-migrate'), { code: 1, output: 'Error: Definitions of migrations 002_b have been deleted.\n' }, /pgmigrations records 002_b, whose file the rolled-back tree lacks/, false],
    ['golang-migrate version without its file', spec('golang-migrate', { expect: ['3'] }), { code: 0, output: '3\n' }, /reports version 3, but db\/migrations has no file for it: the next `migrate up` fails/, false, '000001_a.up.sql\n000001_a.down.sql\n000002_b.up.sql\n'],
    ['golang-migrate with its file', spec('golang-migrate', { expect: ['3'] }), { code: 0, output: '3\n' }, /version 3, its file is in db\/migrations/, true, '000002_b.up.sql\n000003_c.up.sql\n000003_c.down.sql\n'],
    ['golang-migrate dirty', spec('golang-migrate'), { code: 1, output: 'error: Dirty database version 3. Fix and force version.\n' }, /schema_migrations is dirty at version 3/, false],
    ['a hang', spec('alembic', { timeoutMs: 20_000 }), { code: null, output: '', timedOut: true }, /gave no answer within 20 s on deploy@prod-1 and was stopped \(migrations\.statusTimeout\): the tool hangs/, false],
  ];
  for (const [name, s, run, detail, ok, listing] of cases) {
    test(name, () => {
      const v = judgeToolStatus(s, run, 'deploy@prod-1', listing);
      assert.equal(v.ok, ok, v.detail);
      assert.match(v.detail, detail);
    });
  }
});

describe('a revert that conflicts, with kept files', () => {
  test('the checkout fallback replaces the revert and its keep step; the kept files come with the checkout instead, once', () => {
    const s = (id: string, kind: PlanStep['kind'] = 'code'): PlanStep => ({ id, kind, title: id, why: '', commands: [{ command: id, where: 'local' }], destructive: false });
    const plan = {
      steps: [s('preflight'), s('code-revert'), s('code-keep-migrations'), s('restore-host-files'), s('db-tool-status', 'database'), s('push', 'push')],
      fallback: { strategy: 'checkout', replaces: ['code-revert', 'code-keep-migrations'], steps: [s('code-checkout'), { ...s('code-keep-migrations'), commands: [{ command: 'git checkout FROM -- f', where: 'local' }] }], why: '' },
      strategy: 'revert',
    };
    const journal = { plan, steps: plan.steps.map((x) => ({ stepId: x.id, outcome: x.id === 'preflight' ? 'ok' : 'pending', attempts: 0 })) } as unknown as RollbackJournal;
    switchToCheckout(journal, 1, { event: () => undefined, planChanged: () => undefined });
    assert.deepEqual(journal.plan.steps.map((x) => x.id), ['preflight', 'code-checkout', 'code-keep-migrations', 'restore-host-files', 'db-tool-status']);
    assert.equal(journal.plan.steps[2].commands[0].command, 'git checkout FROM -- f');
    assert.deepEqual(journal.steps.map((x) => x.stepId), journal.plan.steps.map((x) => x.id));
  });
});
