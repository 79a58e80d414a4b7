// Knex and node-pg-migrate after a rollback that leaves the bad release's migration in place,
// with the real tools (npm) on a real PostgreSQL and a real git target: the revert keeps the
// migration file, the tool's own status command works afterwards, and the next forward deploy
// of a fixed release applies cleanly. The control without the kept file gets the tool's own
// failure (Knex: "The migration directory is corrupt"; node-pg-migrate: "Definitions of
// migrations … have been deleted"). Skipped, saying why, while the packages are not installed.
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MigrationsConfig, MigrationTool } from '../../../src/core/config/types';
import { FileJournalStore } from '../../../src/infra/files/fileJournalStore';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { ScriptedPrompter, tempDir } from '../engine/helpers';
import { commitRelease, configFor, databaseSection, deployClone, git, newRepo, planRollback, runPlan, sh } from './support';

const PROJECT_MODULES = join(__dirname, '..', '..', '..', 'node_modules');

/** The package's command-line entry (its package.json `bin`), or why it cannot run here. */
function cliOf(pkg: string, bin: string, needs: string[] = []): { cli: string } | { skip: string } {
  try {
    for (const dep of needs) require.resolve(`${dep}/package.json`);
    const manifest = require.resolve(`${pkg}/package.json`);
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
    const rel = typeof json.bin === 'string' ? json.bin : json.bin?.[bin];
    if (!rel) return { skip: `${pkg} has no ${bin} command in its package.json` };
    return { cli: `${JSON.stringify(process.execPath)} ${JSON.stringify(join(dirname(manifest), rel))}` };
  } catch {
    return { skip: `${[pkg, ...needs].join(' and ')} not installed (npm devDependencies of the project): the lead adds them` };
  }
}

interface ToolCase {
  tool: MigrationTool;
  cli: { cli: string } | { skip: string };
  releases: (dir: string) => Record<'v1.3.0' | 'v1.4.0' | 'v1.4.1', Record<string, string | null>>;
  kept: string;
  status: (cli: string) => string;
  deploy: (cli: string) => string;
  /** What the tool itself says when the kept file is missing. */
  broken: RegExp;
  applied: (pg: TestPostgres, db: string) => Promise<string>;
}

const knex: ToolCase = {
  tool: 'knex',
  cli: cliOf('knex', 'knex', ['pg']),
  releases: () => ({
    'v1.3.0': {
      // A deployed Node app has its node_modules (untracked); knex's CLI needs the app's own knex there.
      '.gitignore': 'node_modules\n',
      'knexfile.js': "module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: './migrations' } };\n",
      'migrations/001_orders.js': "exports.up = (knex) => knex.schema.createTable('orders', (t) => { t.increments('id'); t.integer('total').notNullable(); });\nexports.down = (knex) => knex.schema.dropTable('orders');\n",
      'app/orders.js': "module.exports = 'SELECT id, total FROM orders';\n",
    },
    'v1.4.0': {
      'migrations/002_priority.js': "exports.up = (knex) => knex.schema.alterTable('orders', (t) => { t.integer('priority').nullable(); });\nexports.down = (knex) => knex.schema.alterTable('orders', (t) => { t.dropColumn('priority'); });\n",
      'app/orders.js': "module.exports = 'SELECT id, total, priority FROM orders ORDER BY priority';\n",
    },
    'v1.4.1': {
      'migrations/003_shipped.js': "exports.up = (knex) => knex.schema.alterTable('orders', (t) => { t.timestamp('shipped_at').nullable(); });\nexports.down = (knex) => knex.schema.alterTable('orders', (t) => { t.dropColumn('shipped_at'); });\n",
    },
  }),
  kept: 'migrations/002_priority.js',
  status: (cli) => `${cli} migrate:status --knexfile knexfile.js`,
  deploy: (cli) => `${cli} migrate:latest --knexfile knexfile.js`,
  broken: /The migration directory is corrupt, the following files are missing: 002_priority\.js/,
  applied: async (pg, db) => (await pg.psql('SELECT string_agg(name, \',\' ORDER BY id) FROM knex_migrations', db)).trim(),
};

const nodePgMigrate: ToolCase = {
  tool: 'node-pg-migrate',
  cli: cliOf('node-pg-migrate', 'node-pg-migrate', ['pg']),
  releases: () => ({
    'v1.3.0': {
      'migrations/1700000000001_orders.js': "exports.up = (pgm) => { pgm.createTable('orders', { id: 'id', total: { type: 'integer', notNull: true } }); };\nexports.down = (pgm) => { pgm.dropTable('orders'); };\n",
      'app/orders.js': "module.exports = 'SELECT id, total FROM orders';\n",
    },
    'v1.4.0': {
      'migrations/1700000000002_priority.js': "exports.up = (pgm) => { pgm.addColumn('orders', { priority: { type: 'integer' } }); };\nexports.down = (pgm) => { pgm.dropColumn('orders', 'priority'); };\n",
      'app/orders.js': "module.exports = 'SELECT id, total, priority FROM orders ORDER BY priority';\n",
    },
    'v1.4.1': {
      'migrations/1700000000003_shipped.js': "exports.up = (pgm) => { pgm.addColumn('orders', { shipped_at: { type: 'timestamptz' } }); };\nexports.down = (pgm) => { pgm.dropColumn('orders', 'shipped_at'); };\n",
    },
  }),
  kept: 'migrations/1700000000002_priority.js',
  status: (cli) => `${cli} down --dry-run`,
  deploy: (cli) => `${cli} up`,
  broken: /Definitions of migrations 1700000000002_priority have been deleted/,
  applied: async (pg, db) => (await pg.psql('SELECT string_agg(name, \',\' ORDER BY id) FROM pgmigrations', db)).trim(),
};

for (const c of [knex, nodePgMigrate]) {
  describe(`${c.tool} after a leave-in-place rollback (real ${c.tool}, real PostgreSQL, real git)`, { skip: 'skip' in c.cli ? c.cli.skip : undefined }, () => {
    let pg: TestPostgres;
    const tmp = tempDir(`${c.tool}-leave`);
    let n = 0;
    before(async () => {
      pg = await startPostgres();
    });
    after(async () => {
      await pg?.stop();
      tmp.cleanup();
    });
    const cli = 'cli' in c.cli ? c.cli.cli : '';

    async function rollBack(keep: boolean) {
      const db = `app${++n}`;
      await pg.createDatabase(db);
      const env = `DATABASE_URL=${pg.connString(db)}`;
      const repo = join(tmp.dir, `repo${n}`);
      newRepo(repo);
      const files = c.releases(repo);
      commitRelease(repo, 'v1.3.0', files['v1.3.0']);
      commitRelease(repo, 'v1.4.0', files['v1.4.0']);
      const target = join(tmp.dir, `target${n}`);
      deployClone(repo, target, 'v1.4.0');
      if (c.tool === 'knex') symlinkSync(PROJECT_MODULES, join(target, 'node_modules'), 'dir');
      const up = sh(target, `${env} ${c.deploy(cli)}`);
      assert.equal(up.code, 0, up.out);
      commitRelease(repo, 'v1.4.1', files['v1.4.1']);
      git(repo, 'checkout', '-q', 'v1.4.0');
      const migrations: MigrationsConfig = { tool: c.tool, dir: 'migrations', status: `${env} ${c.status(cli)}`, statusTimeoutMs: 60_000 };
      const config = configFor(target, migrations, 'revert');
      const section = await databaseSection(repo, config, 'v1.4.0', 'v1.3.0');
      const plan = await planRollback(repo, config, section, { keep });
      const journals = join(tmp.dir, `journals${n}`);
      const prompter = new ScriptedPrompter([], 'production');
      const result = await runPlan(plan, journals, prompter);
      return { db, env, target, section, plan, result, journals, prompter };
    }

    test('the migration stays applied and its file stays; the status command works; the fixed release deploys cleanly', { timeout: 180_000 }, async () => {
      const r = await rollBack(true);
      assert.deepEqual(r.section.keep.map((k) => k.path), [c.kept]);
      assert.equal(r.result.success, true, r.result.state);
      assert.equal(git(r.target, 'diff', 'v1.3.0', 'HEAD', '--name-only'), c.kept);
      const journal = await new FileJournalStore(r.journals).load(r.plan.id);
      assert.equal(journal!.steps.find((s) => s.stepId === 'db-tool-status')?.outcome, 'ok');
      const deploy = sh(r.target, `git fetch -q origin --tags && git checkout -q --detach v1.4.1 && ${r.env} ${c.deploy(cli)}`);
      assert.equal(deploy.code, 0, deploy.out);
      assert.match(await c.applied(pg, r.db), /(003_shipped|1700000000003_shipped)/);
      assert.equal((await pg.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'shipped_at'", r.db)).trim(), '1');
    });

    test('control: without the kept file the status step fails with the tool\'s own message', { timeout: 180_000 }, async () => {
      const r = await rollBack(false);
      assert.equal(r.result.success, false);
      const failure = r.prompter.failures.find((f) => f.step.id === 'db-tool-status');
      assert.ok(failure, r.result.state);
      assert.match(failure.state.outputTail, c.broken);
    });
  });
}
