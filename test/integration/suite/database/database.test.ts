import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, healthOf, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

const psql = process.env.ROLLBACK_PILOT_PSQL!;
const apiPort = Number(process.env.ROLLBACK_PILOT_API_PORT);

/** Runs SQL against the fixture's real PostgreSQL, as the test's own observer. */
function query(sql: string): string {
  return execFileSync('sh', ['-c', `${psql} -A -t`], { input: sql, encoding: 'utf8' }).trim();
}

const health = async () => { const h = await healthOf(apiPort); return `${h.status} ${h.body}`; };

describe('database steps against a real PostgreSQL (fixture shop, all migrations applied)', () => {
  it('the Migrations view shows what the database has applied', async () => {
    const { migrations } = await api();
    const items = await eventually(async () => {
      const groups = await migrations.getChildren();
      const its = (await migrations.getChildren(groups[0])).filter((n) => n.kind === 'migration').map((n) => migrations.getTreeItem(n));
      return its.length === 5 && its.every((i) => /applied/.test(String(i.description)) && /safe to leave|needs mitigation|destructive|unknown/.test(String(i.description))) ? its : undefined;
    }, 'five migrations marked applied, with their classes');
    assert.match(String(items[4].description), /destructive/, 'the dropped column is destructive');
  });

  it('with two environments the Migrations view reads the database of the one chosen in its title, not the first', async () => {
    const { migrations, workspace, setDialogs } = await api();
    const yml = path.join(workspaceRoot().fsPath, 'rollback.yml');
    const original = fs.readFileSync(yml, 'utf8');
    const groupDescription = async () => {
      migrations.refresh();
      const groups = await migrations.getChildren();
      const its = (await migrations.getChildren(groups[0])).map((n) => migrations.getTreeItem(n));
      return its.map((i) => `${String(i.label)} ${String(i.description ?? '')} ${String(i.tooltip ?? '')}`).join('\n');
    };
    try {
      fs.writeFileSync(yml, original.replace('environments:\n', 'environments:\n  laptop:\n    host: local\n    path: .\n'));
      workspace!.invalidate();
      await eventually(async () => (/choose which environment's database to read \(laptop, local\)/.test(await groupDescription()) ? true : undefined), 'the view asks which environment to read');
      const dialogs = new ScriptedDialogs();
      setDialogs(dialogs);
      await vscode.commands.executeCommand('rollbackPilot.chooseDatabaseEnvironment', 'local');
      assert.ok(dialogs.infos.some((m) => /reads the database of local/.test(m)), dialogs.infos.join(' | '));
      await eventually(async () => ((await groupDescription()).split('\n').filter((l) => /\bapplied\b/.test(l)).length >= 4 ? true : undefined), 'applied marks read through the chosen environment');
    } finally {
      fs.writeFileSync(yml, original);
      workspace!.invalidate();
    }
  });

  it('with a backup too, Revert Last Deploy asks how to undo the migration; choosing the backup plans the restore and its checks before the code switch, and nothing runs unconfirmed', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs({ undo: 'restore', confirmPlan: false });
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.equal(outcome.stoppedBecause, 'not confirmed', `${outcome.stoppedBecause}; ${dialogs.errors.join(' | ')}`);
    assert.equal(dialogs.undoChoices.length, 1, `asked: ${dialogs.asked.join(' | ')}`);
    assert.deepEqual(dialogs.undoChoices[0].downs.map((f) => f.split('/').pop()), ['000005_orders_drop_legacy_status.up.sql']);
    assert.match(dialogs.undoChoices[0].restore, /pg_restore .*--clean .*shop-\d{8}-\d{6}\.dump/);
    const ids = outcome.plan!.steps.map((s) => s.id);
    const code = ids.findIndex((id) => id.startsWith('code-'));
    assert.deepEqual(ids.slice(0, code).filter((id) => id.startsWith('db-')), ['db-summary', 'db-backup-check', 'db-stop-writers', 'db-count-rows', 'db-restore', 'db-verify-migrations', 'db-verify-rows'], ids.join(', '));
    assert.equal(query('SELECT version FROM schema_migrations'), '5', 'nothing ran');
  });

  it('Revert Last Deploy undoes the bad release\'s migration before the code switch, after confirmations', async () => {
    const { setDialogs, migrations } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    assert.equal(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'legacy_status'"), '0');
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.ok(outcome.plan, `planned (${outcome.stoppedBecause}; ${dialogs.errors.join(' | ')})`);
    const ids = outcome.plan.steps.map((s) => s.id);
    const down = ids.findIndex((id) => id.startsWith('db-down-'));
    const code = ids.findIndex((id) => id.startsWith('code-'));
    assert.ok(down >= 0, `a down step is planned: ${ids.join(', ')}`);
    assert.ok(down < code, `database steps run before the code switch: ${ids.join(', ')}`);
    // The down step is confirmed on its own, then the environment's name is typed for it alone, right before it runs.
    const downId = ids[down];
    assert.ok(dialogs.asked.includes('undo:local'), 'asked down steps or the backup (answered: down steps)');
    const typedAt = dialogs.asked.indexOf(`type:local:${downId}`);
    assert.ok(typedAt > 0 && dialogs.asked[typedAt - 1] === 'confirmStep', `asked: ${dialogs.asked.join(' | ')}`);
    assert.equal(outcome.result?.success, true, `${outcome.result?.state}; ${dialogs.errors.join(' | ')}`);
    // The backup check read the real pg_dump's date from backup.list and said how old it is, before any down step.
    const steps = outcome.result.journal.steps;
    const check = steps.find((s) => s.stepId === 'db-backup-check');
    assert.equal(check?.outcome, 'ok', JSON.stringify(check));
    assert.match(check.detail ?? '', /^newest backup shop-\d{8}-\d{6}\.dump, \d+ minutes? old$/);
    assert.ok(steps.findIndex((s) => s.stepId === 'db-backup-check') < steps.findIndex((s) => s.stepId.startsWith('db-down-')));
    // The database is where the previous release expects it.
    assert.equal(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'legacy_status'"), '1');
    assert.equal(query('SELECT version, dirty FROM schema_migrations'), '4|f');
    assert.match(await health(), /^200 .*1\.3\.0/);
    // And the tree agrees: the code of v1.3.0 has four migrations, all applied, and no drift.
    migrations.refresh();
    await eventually(async () => {
      const groups = await migrations.getChildren();
      const children = await migrations.getChildren(groups[0]);
      const its = children.filter((n) => n.kind === 'migration').map((n) => migrations.getTreeItem(n));
      const drift = children.filter((n) => n.kind === 'problem' && /Drift/.test(n.message));
      return its.length === 4 && its.every((i) => /applied/.test(String(i.description))) && drift.length === 0 || undefined;
    }, 'four applied migrations and no drift after the rollback');
  });
});
