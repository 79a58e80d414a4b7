// A fleet rollback inside VS Code (issue 15): Revert Last Deploy on `production`, four real
// sshd hosts (127.0.0.11-14) each running the shop, rolled in batches [1, "50%", "100%"] by
// the real ansible-playbook. What the operator checks: every host healthy on the target, the
// Releases view's fleet line, a line per host and step as it happens (the run's events, which
// the run terminal prints and the progress notification says), the journal's host × step grid,
// the database step once; and a host failing its health check in batch 2 stopping the rollout.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, healthOf, label, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';
import type { FlowOutcome } from '../../../../src/vscode/commands/rollbackFlow';
import type { RollbackEvent } from '../../../../src/core/run/events';
import type { RollbackJournal } from '../../../../src/core/run/journalTypes';
import { gridFromJournal } from '../../../../src/core/fleet/fleetJournal';

interface Host { index: number; user: string; path: string; apiPort: number; workerPort: number }
const hosts: Host[] = JSON.parse(process.env.ROLLBACK_PILOT_FLEET ?? '[]');
const names = hosts.map((h) => `127.0.0.${10 + h.index}`);

const dbRuns = (h: Host): number => {
  try {
    return fs.readFileSync(path.join(h.path, '.rollback/db-steps.log'), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

const journalOf = (runId: string): RollbackJournal => JSON.parse(fs.readFileSync(path.join(workspaceRoot().fsPath, '.rollback', 'journals', `${runId}.json`), 'utf8')) as RollbackJournal;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The run's events while `work` runs: what the run terminal prints. */
async function watching<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const { sessions } = await api();
  const lines: string[] = [];
  const sub = sessions!.events.on((e: RollbackEvent) => {
    if (e.type === 'step-output' && e.stepId !== 'ansible') lines.push(...e.chunk.split('\n').filter(Boolean));
  });
  try {
    return { value: await work(), lines };
  } finally {
    sub.dispose();
  }
}

/** The Releases view's notes, as labels with their icon. */
async function viewNotes(): Promise<Array<{ label: string; icon?: string }>> {
  const { releases } = await api();
  const roots = await releases.getChildren();
  return roots.filter((n) => n.kind === 'note').map((n) => {
    const item = releases.getTreeItem(n);
    return { label: label(item), icon: (item.iconPath as vscode.ThemeIcon | undefined)?.id };
  });
}

async function version(port: number): Promise<string> {
  const r = await healthOf(port).catch(() => ({ status: 0, body: '' }));
  const v = r.status ? ((JSON.parse(r.body) as { version?: string }).version ?? '?') : '';
  return `${r.status} ${v}`;
}

describe('a fleet rollback (4 real sshd hosts, real ansible-playbook, batches [1, "50%", "100%"])', function () {
  this.timeout(600_000);

  it('starts with v1.4.0 (bad) on every host', async () => {
    assert.equal(hosts.length, 4, 'the fleet group hands the hosts in ROLLBACK_PILOT_FLEET');
    for (const h of hosts) assert.equal(await version(h.apiPort), '500 1.4.0', `host ${h.index}`);
  });

  it('Revert Last Deploy rolls every host to v1.3.0 in batches: health 200 everywhere, a line per host and step, the journal grid complete, the database step once, the fleet line in the Releases view', async () => {
    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    const { value: outcome, lines } = await watching(async () => (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome);
    assert.ok(outcome.fleetResult, `ran as a fleet: ${outcome.stoppedBecause} ${dialogs.errors.join(' | ')}`);
    assert.equal(outcome.fleetResult.success, true, `${outcome.fleetResult.state} ${dialogs.errors.join(' | ')}`);
    for (const h of hosts) assert.equal(await version(h.apiPort), '200 1.3.0', `host ${h.index} serves v1.3.0`);

    // The preview showed the fleet: its batches, the playbook, the canary's check run.
    const preview = vscode.workspace.textDocuments.find((d) => d.getText().includes('## Fleet: 4 hosts, 3 batches'));
    assert.ok(preview, 'the plan preview shows the fleet');
    assert.match(preview.getText(), /1\. \(canary\) `127\.0\.0\.11`\n2\. `127\.0\.0\.12`, `127\.0\.0\.13`\n3\. `127\.0\.0\.14`/);
    assert.match(preview.getText(), /--check --diff` on the first batch/);
    // And every host's preflight before it, read over the product's own connections: all pass, the health now reported.
    assert.match(preview.getText(), /## Preflight on every host, checked just now/);
    for (const n of names) assert.match(preview.getText(), new RegExp(`\\| \`${n.replace(/\./g, '\\.')}\` \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ✅ \\| ⚠️ api is already down: 500`), `${n}'s preflight row`);
    // The migration tool's status check, once after the last batch, on the db host.
    assert.equal(outcome.fleetResult.journal.steps.find((x) => x.stepId === 'db-tool-status')?.outcome, 'ok');

    // Live, per host and step, in batch order: the canary finished before batch 2 started.
    for (const n of names) assert.ok(lines.some((l) => l.startsWith(`${n}: `) && / ok \(batch \d\)$/.test(l)), `a line for ${n}: ${lines.join(' | ')}`);
    const canaryLast = lines.map((l) => l.startsWith('127.0.0.11: ')).lastIndexOf(true);
    const batch2First = lines.findIndex((l) => l.startsWith('127.0.0.12: ') || l.startsWith('127.0.0.13: '));
    assert.ok(canaryLast >= 0 && canaryLast < batch2First, `the canary finished before batch 2 started: ${lines.join(' | ')}`);

    const journal = journalOf(outcome.fleetResult.journal.runId);
    assert.equal(journal.status, 'succeeded');
    const grid = gridFromJournal(journal)!;
    assert.deepEqual(grid.hosts, names);
    for (const n of names) for (const s of grid.steps) assert.equal(grid.cell(n, s.id)?.outcome, 'ok', `${n} × ${s.id} in the journal`);
    assert.deepEqual([...grid.rows.values()].map((r) => r.batch), [1, 2, 2, 3]);
    assert.deepEqual(hosts.map(dbRuns), [1, 0, 0, 0], 'the database step ran once, on the first host');

    const note = await eventually(async () => (await viewNotes()).find((n) => n.label.startsWith('production: ')), 'the fleet line in the Releases view', 60_000);
    assert.match(note.label, /^production: 4 hosts, all on v1\.3\.0 — read /);
    assert.equal(note.icon, 'info');
    assert.ok(dialogs.infos.some((m) => m === 'Rolled back production to v1.3.0 on all 4 hosts.'), dialogs.infos.join(' | '));
  });

  it('a host failing its health check in batch 2 stops the rollout: the last host untouched, the fleet state exact in the message, the journal and the view', async () => {
    // The fleet back on v1.4.0, as a deploy would leave it; then host 3's own settings move its api off the port its health URL reads.
    for (const h of hosts) {
      execFileSync('runuser', ['-u', h.user, '--', 'sh', '-c', 'git reset -q --hard v1.4.0 && sh scripts/build.sh api && sh scripts/deploy.sh api'], { cwd: h.path, stdio: 'ignore' });
      await eventually(async () => (await version(h.apiPort)) === '500 1.4.0' || undefined, `host ${h.index} back on v1.4.0`, 20_000);
    }
    fs.writeFileSync(path.join(hosts[2].path, 'apps/api/port.json'), `${JSON.stringify({ port: await freePort() })}\n`);
    const dbBefore = hosts.map(dbRuns);

    const { setDialogs } = await api();
    const dialogs = new ScriptedDialogs();
    setDialogs(dialogs);
    const outcome = (await vscode.commands.executeCommand('rollbackPilot.revertLastDeploy')) as FlowOutcome;
    const r = outcome.fleetResult;
    assert.ok(r, `ran as a fleet: ${outcome.stoppedBecause} ${dialogs.errors.join(' | ')}`);
    assert.equal(r.success, false);
    const state = 'on v1.3.0: 127.0.0.11, 127.0.0.12, 127.0.0.13 (code switched; not done: health-api failed); still on v1.4.0: 127.0.0.14';
    assert.equal(r.state, state);
    // Why the failed one stopped, on that host, in its health check's words, said with the state.
    assert.equal(r.failures.length, 1, r.failures.join(' | '));
    assert.match(r.failures[0], /^127\.0\.0\.13: health api: HTTP -1 after \d+ attempts: .*Connection refused/);
    assert.ok(dialogs.errors.includes(`Rollback of production did not finish: ${state}. ${r.failures[0]}`), dialogs.errors.join(' | '));
    assert.equal(await version(hosts[3].apiPort), '500 1.4.0', 'the last host was not touched');

    const journal = journalOf(r.journal.runId);
    assert.equal(journal.status, 'stopped');
    const grid = gridFromJournal(journal)!;
    assert.deepEqual(names.map((n) => grid.hostState(n)), ['done', 'done', 'failed', 'untouched']);
    assert.equal(grid.cell('127.0.0.13', 'health-api')?.outcome, 'failed');
    for (const s of grid.steps) assert.equal(grid.cell('127.0.0.14', s.id)?.outcome, 'not-started', `127.0.0.14 × ${s.id}`);
    assert.deepEqual(hosts.map(dbRuns), [dbBefore[0] + 1, 0, 0, 0], 'the database step ran once more, on the first host');

    const note = await eventually(async () => (await viewNotes()).find((n) => n.label.startsWith('production: 4 hosts —')), 'the mixed fleet line in the Releases view', 60_000);
    assert.match(note.label, /^production: 4 hosts — 3 on v1\.3\.0, 127\.0\.0\.14 on v1\.4\.0 — read /);
    assert.equal(note.icon, 'warning', 'a mixed fleet is a warning');
  });
});
