import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { api, healthOf } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';

const psql = process.env.ROLLBACK_PILOT_PSQL!;
const apiPort = Number(process.env.ROLLBACK_PILOT_API_PORT);

/** Runs SQL against the fixture's real PostgreSQL, as the test's own observer. */
function query(sql: string): string {
  return execFileSync('sh', ['-c', `${psql} -A -t`], { input: sql, encoding: 'utf8' }).trim();
}

describe('backup restore against a real PostgreSQL (pg_dump taken before the bad deploy, pg_restore configured)', () => {
  it('Revert Last Deploy, choosing the backup: the writer is stopped, the backup restored and checked, then the code switched', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs({ undo: 'restore' });
    setDialogs(dialogs);
    assert.equal(query('SELECT count(*) FROM orders'), '5', 'three orders from before the deploy, two written since');
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    assert.equal(outcome.result?.success, true, `${outcome.result?.state ?? outcome.stoppedBecause}; ${dialogs.errors.join(' | ')}`);

    const steps = outcome.result.journal.steps;
    const at = (id: string) => steps.findIndex((s) => s.stepId === id);
    const step = (id: string) => steps[at(id)];
    const order = ['db-backup-check', 'db-stop-writer-api', 'db-count-rows', 'db-restore', 'db-verify-migrations', 'db-verify-rows'];
    for (const id of order) assert.equal(step(id)?.outcome, 'ok', `${id}: ${JSON.stringify(step(id))}`);
    assert.deepEqual(order.map(at), [...order.map(at)].sort((a, b) => a - b), 'check, stop the writer, restore, verify: in that order');
    assert.ok(at('db-verify-rows') < steps.findIndex((s) => s.stepId.startsWith('code-')), 'all before the code switch');
    assert.match(step('db-backup-check').detail ?? '', /^newest backup shop-\d{8}-\d{6}\.dump, \d+ minutes? old$/);
    assert.ok(dialogs.asked.includes('type:local:db-restore'), `the restore alone asked for the environment's name: ${dialogs.asked.join(' | ')}`);
    // The journal says what the restore cost: the two orders written since the backup.
    assert.equal(step('db-verify-rows').detail, 'rows before → after the restore: orders 5 → 3');

    // The database is v1.3.0's again: the dropped column is back, the bookkeeping says 4, the orders since are gone.
    assert.equal(query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'legacy_status'"), '1');
    assert.equal(query('SELECT version, dirty FROM schema_migrations'), '4|f');
    assert.equal(query('SELECT count(*) FROM orders'), '3');
    // And the api, stopped for the restore, is back on 1.3.0.
    const h = await healthOf(apiPort);
    assert.match(`${h.status} ${h.body}`, /^200 .*1\.3\.0/);
  });
});
