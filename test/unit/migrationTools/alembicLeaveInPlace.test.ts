// Alembic after a rollback that leaves the bad release's migration in place, for real:
// Debian's Alembic against a real PostgreSQL, a real git target. The revert (or checkout)
// restores the old code except the migration file alembic_version still names; afterwards
// `alembic current` works on the target, the status step says so in the journal and the
// post-mortem, and the team's next deploy of a fixed release applies cleanly. Without the
// kept file, the same rollback ends with Alembic unable to locate its own revision.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderPostmortem } from '../../../src/core/postmortem';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { ALEMBIC, alembicUnavailable, FILES, releaseFiles, REV } from './alembicProject';
import { commitRelease, configFor, databaseSection, deployClone, git, newRepo, planRollback, runPlan, sh } from './support';
import type { MigrationsConfig, Strategy } from '../../../src/core/config/types';

const unavailable = alembicUnavailable();

describe('Alembic after a leave-in-place rollback (real Alembic, real PostgreSQL, real git)', { skip: unavailable }, () => {
  let pg: TestPostgres;
  const tmp = tempDir('alembic-leave');
  let n = 0;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
    tmp.cleanup();
  });

  /** A repository with v1.3.0, v1.4.0 (bad) and v1.4.1 (the fix), and a target deployed at v1.4.0 with its migrations applied. */
  async function deployedShop(): Promise<{ repo: string; target: string; db: string; migrations: MigrationsConfig }> {
    const db = `shop${++n}`;
    await pg.createDatabase(db);
    const repo = join(tmp.dir, `repo${n}`);
    newRepo(repo);
    const files = releaseFiles(pg.connString(db));
    commitRelease(repo, 'v1.3.0', files['v1.3.0']);
    commitRelease(repo, 'v1.4.0', files['v1.4.0']);
    const target = join(tmp.dir, `target${n}`);
    deployClone(repo, target, 'v1.4.0');
    const up = sh(target, `${ALEMBIC} upgrade head`);
    assert.equal(up.code, 0, up.out);
    assert.equal((await pg.psql('SELECT version_num FROM alembic_version', db)).trim(), REV.dropNote);
    // The release after the bad one, made from it: the destructive migration taken out, one of its own on top of priority.
    commitRelease(repo, 'v1.4.1', files['v1.4.1']);
    // The operator's workspace is at the deployed release when the rollback is planned.
    git(repo, 'checkout', '-q', 'v1.4.0');
    const migrations: MigrationsConfig = {
      tool: 'alembic',
      dir: 'alembic/versions',
      down: `${ALEMBIC} downgrade {previous}`,
      preview: `${ALEMBIC} downgrade {id}:{previous} --sql`,
      status: `${ALEMBIC} current`,
      statusTimeoutMs: 60_000,
    };
    return { repo, target, db, migrations };
  }

  async function rollBack(strategy: Strategy, keep = true) {
    const shop = await deployedShop();
    const config = configFor(shop.target, shop.migrations, strategy);
    const section = await databaseSection(shop.repo, config, 'v1.4.0', 'v1.3.0');
    const plan = await planRollback(shop.repo, config, section, { keep });
    const journals = join(tmp.dir, `journals${n}`);
    const prompter = new ScriptedPrompter([], 'production');
    const result = await runPlan(plan, journals, prompter);
    return { ...shop, section, plan, result, journals, prompter };
  }

  test('revert: priority stays applied and its file stays in the tree (committed on the revert); the down step undoes drop_note; alembic current works', { timeout: 180_000 }, async () => {
    const r = await rollBack('revert');
    // What the plan says before anything runs.
    assert.deepEqual(r.section.keep.map((k) => k.path), [FILES.priority]);
    assert.match(r.section.keep[0].why, new RegExp(`^kept: ${FILES.priority}, still applied on production`));
    const preview = renderPlanMarkdown(r.plan);
    assert.match(preview, new RegExp(`kept: ${FILES.priority.replace(/\./g, '\\.')}, still applied on production`));
    assert.deepEqual(
      r.plan.steps.map((s) => s.id).filter((id) => /^(db-|code-)/.test(id)),
      ['db-summary', 'db-backup-check', `db-preview-${REV.dropNote}`, `db-down-${REV.dropNote}`, 'code-revert', 'code-keep-migrations', 'db-tool-status'],
    );
    assert.equal(r.result.success, true, r.result.state);

    // The code is v1.3.0's except the kept migration; the dropped-note migration is gone with its effect.
    assert.equal(readFileSync(join(r.target, 'app/orders.py'), 'utf8'), "SELECT_ORDERS = 'SELECT id, total, note FROM orders'\n");
    assert.ok(existsSync(join(r.target, FILES.priority)));
    assert.ok(!existsSync(join(r.target, FILES.dropNote)));
    assert.equal(git(r.target, 'status', '--porcelain'), '', 'the kept file is committed, nothing is left staged');
    assert.match(git(r.target, 'log', '-1', '--format=%an <%ae>%n%s'), /^Dana Ops <dana@example.com>\nKeep alembic\/versions\/d21b7c9e0f11_priority\.py: still applied on production$/);
    assert.equal(git(r.target, 'diff', 'v1.3.0', 'HEAD', '--name-only'), FILES.priority, 'the only difference from v1.3.0 is the kept file');
    assert.equal((await pg.psql('SELECT version_num FROM alembic_version', r.db)).trim(), REV.priority);
    assert.equal((await pg.psql("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'orders'", r.db)).trim(), 'id,note,priority,total');

    // The tool works on the target, and the run said so where the operator and the post-mortem read it.
    const current = sh(r.target, `${ALEMBIC} current`);
    assert.equal(current.code, 0, current.out);
    assert.match(current.out, new RegExp(`${REV.priority} \\(head\\)`));
    const journal = await new FileJournalStore(r.journals).load(r.plan.id);
    const status = journal!.steps.find((s) => s.stepId === 'db-tool-status')!;
    assert.equal(status.outcome, 'ok');
    assert.match(status.detail!, new RegExp(`\`${ALEMBIC} current\`: .*${REV.priority} \\(head\\)`));
    const postmortem = renderPostmortem(journal!);
    assert.match(postmortem, /\*\*Check that Alembic still works on production: .*alembic current\*\* — ok — .*d21b7c9e0f11 \(head\)/);

    // The team's next deploy: the fixed release, checked out and migrated as the deploy script does.
    const deploy = sh(r.target, `git fetch -q origin --tags && git checkout -q --detach v1.4.1 && ${ALEMBIC} upgrade head`);
    assert.equal(deploy.code, 0, deploy.out);
    assert.equal((await pg.psql('SELECT version_num FROM alembic_version', r.db)).trim(), REV.fix);
    assert.equal((await pg.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'shipped_at'", r.db)).trim(), '1');
  });

  test('checkout: HEAD is exactly v1.3.0, the kept file is staged beside it; alembic current works and v1.4.1 deploys cleanly', { timeout: 180_000 }, async () => {
    const r = await rollBack('checkout');
    assert.equal(r.result.success, true, r.result.state);
    assert.equal(git(r.target, 'rev-parse', 'HEAD'), git(r.repo, 'rev-parse', 'v1.3.0^{commit}'));
    assert.equal(git(r.target, 'status', '--porcelain'), `A  ${FILES.priority}`);
    const current = sh(r.target, `${ALEMBIC} current`);
    assert.equal(current.code, 0, current.out);
    assert.match(current.out, new RegExp(`${REV.priority} \\(head\\)`));
    const deploy = sh(r.target, `git fetch -q origin --tags && git checkout -q --detach v1.4.1 && ${ALEMBIC} upgrade head`);
    assert.equal(deploy.code, 0, deploy.out);
    assert.equal((await pg.psql('SELECT version_num FROM alembic_version', r.db)).trim(), REV.fix);
    assert.equal(git(r.target, 'status', '--porcelain'), '', 'the staged file became the release\'s own');
  });

  test('control: the same rollback without the kept file leaves Alembic unable to locate its revision, and the status step says exactly that', { timeout: 180_000 }, async () => {
    const r = await rollBack('revert', false);
    assert.equal(r.result.success, false);
    const failure = r.prompter.failures.find((f) => f.step.id === 'db-tool-status');
    assert.ok(failure, `the status step did not fail: ${r.result.state}`);
    assert.match(failure.state.detail, new RegExp(`alembic_version records ${REV.priority}, which has no file in the rolled-back tree`));
    const current = sh(r.target, `${ALEMBIC} current`);
    assert.notEqual(current.code, 0);
    assert.match(current.out, /Can't locate revision identified by 'd21b7c9e0f11'/);
  });

  test('a status command that hangs is stopped at migrations.statusTimeout with a message that says so', { timeout: 120_000 }, async () => {
    const shop = await deployedShop();
    const config = configFor(shop.target, { ...shop.migrations, status: 'sleep 30', statusTimeoutMs: 1500 }, 'revert');
    const section = await databaseSection(shop.repo, config, 'v1.4.0', 'v1.3.0');
    const plan = await planRollback(shop.repo, config, section);
    const prompter = new ScriptedPrompter([], 'production');
    const started = Date.now();
    const result = await runPlan(plan, join(tmp.dir, `journals-hang${n}`), prompter);
    assert.equal(result.success, false);
    const failure = prompter.failures.find((f) => f.step.id === 'db-tool-status');
    assert.match(failure!.state.detail, /`sleep 30` gave no answer within 2 s on local and was stopped \(migrations\.statusTimeout\): the tool hangs/);
    assert.ok(Date.now() - started < 60_000);
  });
});
