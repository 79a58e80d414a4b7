import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, workspaceRoot } from '../helpers';
import { ScriptedDialogs } from '../scriptedDialogs';

// Rollback: Release Lock on the fixture shop (environment "local", the workspace itself):
// the dialog says which command of the holder's run may still be running, the lock goes only
// after the confirmation, and the release is recorded in history.log beside the lock.
describe('Rollback: Release Lock', () => {
  const locks = () => path.join(workspaceRoot().fsPath, '.rollback', 'locks');
  const lockFile = () => path.join(locks(), 'rollback.lock');
  const history = () => path.join(locks(), 'history.log');
  const record = {
    who: 'sam@laptop',
    since: '2026-11-22T01:00:00.000Z',
    runId: 'rb-sam',
    environment: 'local',
    where: 'local',
    mayStillRun: [{ stepId: 'build-api', command: 'sh scripts/build.sh api', where: 'deploy@prod-1', why: 'no answer within 600000 ms; it may still be running there' }],
  };
  afterEach(() => {
    fs.rmSync(lockFile(), { force: true });
    fs.rmSync(history(), { force: true });
  });

  it('not confirmed: the lock stays; the question names the command that may still be running', async () => {
    const { setDialogs } = await api();
    fs.mkdirSync(locks(), { recursive: true });
    fs.writeFileSync(lockFile(), `${JSON.stringify(record)}\n`);
    const dialogs = new ScriptedDialogs({ confirm: false });
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.releaseLock');
    const asked = dialogs.asked.find((a) => a.startsWith('confirm:'));
    assert.ok(asked, `asked: ${dialogs.asked.join(' | ')}`);
    assert.match(asked, /may still be running there: "sh scripts\/build\.sh api"/);
    assert.ok(fs.existsSync(lockFile()), 'the lock stays');
    assert.ok(!fs.existsSync(history()), 'nothing recorded');
  });

  it('confirmed: the lock shown is removed and history.log says who released whose lock and why', async () => {
    const { setDialogs } = await api();
    fs.mkdirSync(locks(), { recursive: true });
    fs.writeFileSync(lockFile(), `${JSON.stringify(record)}\n`);
    const dialogs = new ScriptedDialogs({ confirm: true });
    setDialogs(dialogs);
    await vscode.commands.executeCommand('rollbackPilot.releaseLock');
    assert.ok(!fs.existsSync(lockFile()), `released (errors: ${dialogs.errors.join(' | ')})`);
    const lines = fs.readFileSync(history(), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const audit = JSON.parse(lines[0]);
    assert.equal(audit.event, 'lock-force-released');
    assert.equal(audit.released.who, 'sam@laptop');
    assert.equal(audit.released.runId, 'rb-sam');
    assert.match(audit.why, /may still be running/);
    assert.ok(dialogs.infos.some((m) => /released \(was held by sam@laptop, run rb-sam\)/.test(m)), dialogs.infos.join(' | '));
  });
});
