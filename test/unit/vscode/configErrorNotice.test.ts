// "rollback.yml has errors" goes away once the errors are fixed: the notice's bookkeeping,
// driven by the real config parser's diagnostics on the texts an operator types.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../src/core/config';
import { ConfigErrorNotice } from '../../../src/vscode/configErrorNotice';

const BROKEN = 'releases:\n  tags: "v*\nenvironments: [\n';
const WARNING_ONLY = 'releases: { tags: "v*" }\nchecklist:\n  remove: [no-such-item]\n';
const FIXED = 'releases: { tags: "v*" }\n';

function harness() {
  const shown: Array<{ message: string; closed: boolean; dismiss: () => void }> = [];
  const notice = new ConfigErrorNotice((message, closed, dismissed) => {
    const entry = { message, closed: false, dismiss: dismissed };
    shown.push(entry);
    void closed.then(() => (entry.closed = true));
  });
  const publish = (text: string): void => notice.update(parseConfig(text, 'rollback.yml').diagnostics.some((d) => d.severity === 'error'));
  const settle = () => new Promise((r) => setImmediate(r));
  return { shown, notice, publish, settle };
}

describe('the rollback.yml errors notice', () => {
  test('shown once while the file has errors, closed by the first diagnostics without one', async () => {
    const { shown, notice, publish, settle } = harness();
    assert.ok(parseConfig(BROKEN, 'rollback.yml').diagnostics.some((d) => d.severity === 'error'), 'the broken text has an error');
    publish(BROKEN);
    notice.show('rollback.yml has errors; fix them before rolling back (they are in the Problems panel).');
    notice.show('rollback.yml has errors; fix them first (Problems panel).');
    assert.equal(shown.length, 1, 'a second refusal does not stack a second notice');
    publish(BROKEN);
    await settle();
    assert.equal(shown[0].closed, false, 'still broken: still shown');
    publish(FIXED);
    await settle();
    assert.equal(shown[0].closed, true, 'fixed: the notice is gone');
    assert.equal(notice.showing, false);
  });

  test('warnings alone do not keep it open; broken again later shows it again', async () => {
    const { shown, notice, publish, settle } = harness();
    notice.show('rollback.yml has errors');
    publish(WARNING_ONLY);
    await settle();
    assert.deepEqual(parseConfig(WARNING_ONLY, 'rollback.yml').diagnostics.map((d) => d.severity), ['warning']);
    assert.equal(shown[0].closed, true);
    publish(BROKEN);
    notice.show('rollback.yml has errors');
    assert.equal(shown.length, 2);
    assert.equal(notice.showing, true);
  });

  test('dismissed by the operator: the next refusal shows it again', () => {
    const { shown, notice } = harness();
    notice.show('rollback.yml has errors');
    shown[0].dismiss();
    assert.equal(notice.showing, false);
    notice.show('rollback.yml has errors');
    assert.equal(shown.length, 2);
  });
});
