// rollback-pilot as a real process on a real git repository (the fixture app): help and usage
// errors, the analyze gate's exit codes on real migration files, the refusal of a question
// without a terminal, colour only on a terminal.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeAppRepo } from '../../fixtures/appRepo';
import { freePort, tempDir } from '../engine/helpers';
import { buildCli, cliEnv, runCli } from './harness';
import { PtySession } from './pty';
import { COMMANDS } from '../../../src/cli/main';

describe('rollback-pilot on a real repository (no target needed)', { timeout: 300_000 }, () => {
  const tmp = tempDir('cli-basics');
  let dir: string;
  before(async () => {
    dir = (await makeAppRepo(join(tmp.dir, 'app'), { apiPort: await freePort(), workerPort: await freePort() })).dir;
    await buildCli();
  });
  after(() => tmp.cleanup());

  test('--help for the program and for every command: usage, options, exit codes; exit 0', async () => {
    const main = await runCli(['--help'], { cwd: dir });
    assert.equal(main.code, 0, main.stderr);
    for (const c of COMMANDS) assert.match(main.stdout, new RegExp(`\\n  ${c.name} +\\S`), `the command list names ${c.name}`);
    assert.match(main.stdout, /Exit codes:\n  0 /);
    for (const c of COMMANDS) {
      const r = await runCli([c.name, '--help'], { cwd: dir });
      assert.equal(r.code, 0, `${c.name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: rollback-pilot ${c.name} `), c.name);
      assert.match(r.stdout, /\nOptions:\n/, c.name);
      assert.match(r.stdout, /\n  4 +a question had to be answered and stdin is not a terminal/, c.name);
    }
    const version = await runCli(['--version'], { cwd: dir });
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  test('usage errors exit 2 and say what is wrong: an unknown command, an unknown option, a missing value, --plan without --digest', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['rollbak'], /no command "rollbak" \(commands: status, releases, plan, run, resume, analyze, snapshot\)/],
      [['plan', '--enviroment', 'production'], /rollback-pilot plan: unknown option --enviroment \(did you mean --env\?\)/],
      [['plan', '--env'], /--env needs a value \(E\)/],
      [['run', '--plan', 'plan.json'], /--plan FILE and --digest D go together/],
      [['run', '--plan', 'plan.json', '--digest', 'x', '--to', 'v1.3.0'], /the plan file decides --to; leave it out/],
      [['analyze'], /name at least one migration file/],
      [['run', '--cause', 'network'], /--cause network: use one of code\|database\|config\|unknown/],
      [['run', '--cause', 'code', '--remedy', 'restart'], /--remedy goes with --cause config/],
      [['run', '--plan', 'plan.json', '--digest', 'x', '--cause', 'code'], /the plan file decides --cause; leave it out/],
      [['plan', '--cause', 'weather'], /--cause weather: use one of code\|database\|config\|unknown/],
      [['plan', '--cause', 'unknown', '--remedy', 'restore'], /--remedy goes with --cause config/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    const bare = await runCli([], { cwd: dir });
    assert.equal(bare.code, 2);
    assert.match(bare.stdout, /^rollback-pilot /);
  });

  test('analyze is a CI gate: 0 for safe or mitigable migrations, 1 when one is destructive or unknown, 3 when a file is no migration or missing', async () => {
    writeFileSync(join(dir, 'db/migrations/000006_rebuild.up.sql'), 'SELECT rebuild_search_index();\n');
    const safe = await runCli(['analyze', 'db/migrations/000002_create_audit_log.up.sql', 'db/migrations/000003_orders_add_region.up.sql'], { cwd: dir });
    assert.equal(safe.code, 0, safe.stdout + safe.stderr);
    assert.match(safe.stdout, /^db\/migrations\/000002_create_audit_log\.up\.sql: safe to leave \(golang-migrate\)$/m);
    assert.match(safe.stdout, /^  db\/migrations\/000003_orders_add_region\.up\.sql:1:1: mitigate \[adding-required-field\] .*Fix: ALTER TABLE orders ALTER COLUMN region DROP NOT NULL;$/m);

    const destructive = await runCli(['analyze', 'db/migrations/000002_create_audit_log.up.sql', 'db/migrations/000005_orders_drop_legacy_status.up.sql'], { cwd: dir });
    assert.equal(destructive.code, 1);
    assert.match(destructive.stdout, /^  db\/migrations\/000005_orders_drop_legacy_status\.up\.sql:1:1: destructive \[ban-drop-column\] Drops orders\.legacy_status/m);

    const unknown = await runCli(['analyze', 'db/migrations/000006_rebuild.up.sql'], { cwd: dir });
    assert.equal(unknown.code, 1, unknown.stdout);
    assert.match(unknown.stdout, /000006_rebuild\.up\.sql: unknown/);

    const notMigration = await runCli(['analyze', 'README.md', 'db/migrations/000002_create_audit_log.up.sql'], { cwd: dir });
    assert.equal(notMigration.code, 3);
    assert.match(notMigration.stderr, /README\.md is not a migration file: no migration tool writes \.md files/);
    const missing = await runCli(['analyze', 'db/migrations/999_gone.up.sql'], { cwd: dir });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /db\/migrations\/999_gone\.up\.sql: cannot be read \(ENOENT/);
    // A destructive file beside an unreadable one still fails the gate as destructive.
    const both = await runCli(['analyze', 'README.md', 'db/migrations/000005_orders_drop_legacy_status.up.sql', '--json'], { cwd: dir });
    assert.equal(both.code, 1);
    const json = JSON.parse(both.stdout) as { verdicts: Array<{ class: string; migration: { file: string } }>; problems: string[] };
    assert.deepEqual(json.verdicts.map((v) => [v.migration.file, v.class]), [['db/migrations/000005_orders_drop_legacy_status.up.sql', 'destructive']]);
    assert.equal(json.problems.length, 1);
  });

  test('without a terminal, a question refuses (exit 4) and names the flag that answers it; nothing ran', async () => {
    const journals = (): number => (existsSync(join(dir, '.rollback/journals')) ? readdirSync(join(dir, '.rollback/journals')).length : 0);
    const r = await runCli(['run'], { cwd: dir });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Refused: This needs an answer on a terminal, and stdin is not one: "Roll back, roll forward, or investigate first\?"\. Pass --cause code\|database\|config\|unknown to roll back without this question, or --plan FILE --digest D/);
    assert.match(r.stderr, /Nothing ran\./);
    assert.equal(journals(), 0, 'no journal was written');
    // --cause answers the decision and the tree's question; the reason is the next flag missing.
    const caused = await runCli(['run', '--cause', 'code'], { cwd: dir });
    assert.equal(caused.code, 4, caused.stderr);
    assert.match(caused.stderr, /Decision: roll back \(--cause code\)\./);
    assert.match(caused.stderr, /"Why are you rolling back\? .*"\. Pass --reason TEXT\./);
    assert.doesNotMatch(caused.stderr, /What changed in the bad deploy/);
    // The configuration branch asks how: --remedy.
    const config = await runCli(['run', '--cause', 'config', '--reason', 'the new env file broke the api'], { cwd: dir });
    assert.equal(config.code, 4, config.stderr);
    assert.match(config.stderr, /"The configuration: restore it or restart\?"\. Pass --remedy restore or --remedy restart\./);
    assert.equal(journals(), 0, 'no journal was written');
    const help = await runCli(['run', '--help'], { cwd: dir });
    assert.match(help.stdout, /--cause code\|database\|config\|unknown +what changed, and with it the decision to roll back/);
    assert.match(help.stdout, /--remedy restore\|restart +with --cause config/);
    const plan = await runCli(['plan'], { cwd: dir });
    assert.equal(plan.code, 4);
    assert.match(plan.stderr, /"Why are you rolling back\? \(one line for the team, the journal and the post-mortem\)"\. Pass --reason TEXT\./);
  });

  test('outside a repository: exit 3 naming the folder', async () => {
    const r = await runCli(['releases'], { cwd: tmp.dir });
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`${tmp.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not inside a git repository`));
  });

  test('colour only on a terminal: releases piped has no escape codes; on a pseudo-terminal the marks are coloured, and NO_COLOR turns it off', async () => {
    const piped = await runCli(['releases'], { cwd: dir });
    assert.equal(piped.code, 0, piped.stderr);
    assert.doesNotMatch(piped.stdout + piped.stderr, /\x1b\[/);
    assert.match(piped.stdout, /^v1\.4\.0 +[0-9a-f]{12}  2025-01-0\d  \[deployed\] Release v1\.4\.0$/m);
    const cli = await buildCli();
    const tty = new PtySession([process.execPath, cli, 'releases'], { cwd: dir, env: cliEnv({ TERM: 'xterm' }) });
    assert.equal(await tty.exitCode(), 0, tty.output);
    assert.match(tty.rawOutput, /\[\x1b\[36mdeployed\x1b\[0m\]/);
    const plain = new PtySession([process.execPath, cli, 'releases'], { cwd: dir, env: cliEnv({ TERM: 'xterm', NO_COLOR: '1' }) });
    assert.equal(await plain.exitCode(), 0);
    assert.doesNotMatch(plain.rawOutput, /\x1b\[3\dm/);
  });
});
