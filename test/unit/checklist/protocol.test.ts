import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRejected, isHostToPage, isPageToHost } from '../../../src/vscode/checklist/protocol';
import { createChecklistState } from '../../../src/core/checklist';

void test('well-formed page messages pass', () => {
  for (const m of [
    { type: 'ready' },
    { type: 'toggle-item', itemId: 'watch-logs', checked: true },
    { type: 'edit-text', itemId: 'document-state', text: '' },
    { type: 'add-action-item', text: 'Add a test', owner: 'bob' },
    { type: 'edit-action-item', id: 'a1', done: true },
    { type: 'remove-action-item', id: 'a1' },
    { type: 'send-notification', kind: 'all-clear', text: 'All clear' },
    { type: 'retry-notification', notificationId: 'n1' },
    { type: 'copy-message', kind: 'start', text: 'Rolling back' },
    { type: 'escalation-handled', minute: 5 },
    { type: 'open-logs' },
    { type: 'set-webhook' },
    { type: 'start-postmortem' },
  ]) assert.ok(isPageToHost(m), JSON.stringify(m));
});

void test('malformed page messages are rejected', () => {
  for (const m of [
    null,
    'ready',
    [],
    { type: 'nope' },
    { type: 'toggle-item', itemId: 'x', checked: 'yes' },
    { type: 'toggle-item', itemId: '', checked: true },
    { type: 'toggle-item', itemId: 'x', checked: true, extra: 1 },
    { type: 'edit-text', itemId: 'x', text: 'y'.repeat(20_001) },
    { type: 'add-action-item', text: '   ' },
    { type: 'send-notification', kind: 'shout', text: 'x' },
    { type: 'send-notification', kind: 'start', text: '' },
    { type: 'escalation-handled', minute: Number.NaN },
    { type: 'escalation-handled', minute: -5 },
    { type: 'ready', url: 'https://evil' },
  ]) assert.equal(isPageToHost(m), false, JSON.stringify(m)?.slice(0, 80));
});

void test('host messages: a full view passes, a partial one does not', () => {
  const { state } = createChecklistState({ runId: 'r', decidedAt: '2026-11-21T10:00:00.000Z' });
  const view = { state, readOnly: false, webhookConfigured: false, drafts: { start: 'a', hold: 'b', escalation: 'c', 'all-clear': 'd' }, now: 1 };
  assert.ok(isHostToPage({ type: 'init', view }));
  assert.ok(isHostToPage({ type: 'busy', kind: null }));
  assert.equal(isHostToPage({ type: 'state-update', view: { ...view, state: { items: 'x' } } }), false);
  assert.equal(isHostToPage({ type: 'toast', level: 'warn', message: 'x' }), false);
});

void test('a rejected message is described without its content', () => {
  const d = describeRejected({ type: 'edit-text', itemId: 'x', text: 'secret stuff' });
  assert.equal(d, 'type "edit-text" with keys type, itemId, text');
});

void test('the page shell has a strict CSP: no inline script or style, the script only by nonce', async () => {
  const { checklistHtml, newNonce } = await import('../../../src/vscode/checklist/html');
  const nonce = newNonce();
  assert.match(nonce, /^[A-Za-z0-9]{20,}$/);
  assert.notEqual(nonce, newNonce());
  const html = checklistHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dist/webview/main.js', styleUri: 'https://x/dist/webview/main.css', nonce });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  assert.equal(csp, `default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-${nonce}'`);
  assert.ok(!html.includes('unsafe-inline') && !html.includes('unsafe-eval'));
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0]![1]!, new RegExp(`nonce="${nonce}" src="https://x/dist/webview/main.js"`));
  assert.equal(scripts[0]![2], '', 'no inline script body');
  assert.ok(!/<style|style="/.test(html), 'no inline style');
});

void test('the investigation: its view and the choice are checked both ways', () => {
  const view = { startedAt: 1_700_000_000_000, lengthMs: 300_000, now: 1_700_000_010_000 };
  assert.ok(isHostToPage({ type: 'investigation', view }));
  for (const bad of [{ ...view, lengthMs: 0 }, { ...view, lengthMs: Number.POSITIVE_INFINITY }, { ...view, startedAt: '1' }, { ...view, now: Number.NaN }, { ...view, lengthMs: 2 * 86_400_000 }, { ...view, html: '<b>' }, null]) {
    assert.equal(isHostToPage({ type: 'investigation', view: bad }), false, JSON.stringify(bad));
  }
  assert.ok(isHostToPage({ type: 'investigation', view: { ...view, triggers: ['api: 47 errors in the last 5 minutes, 3 in the hour before'], logs: ['api'] } }));
  for (const bad of [{ ...view, triggers: 'api' }, { ...view, triggers: [7] }, { ...view, triggers: Array(51).fill('x') }, { ...view, triggers: ['x'.repeat(20_001)] }, { ...view, logs: [''] }, { ...view, logs: ['x'.repeat(201)] }, { ...view, logs: {} }]) {
    assert.equal(isHostToPage({ type: 'investigation', view: bad }), false, JSON.stringify(bad).slice(0, 80));
  }
  assert.ok(isPageToHost({ type: 'open-logs', service: 'api' }));
  assert.ok(isPageToHost({ type: 'investigation-choice', choice: 'roll-back' }));
  assert.ok(isPageToHost({ type: 'investigation-choice', choice: 'decide' }));
  for (const bad of [{ type: 'investigation-choice' }, { type: 'investigation-choice', choice: 'roll-forward' }, { type: 'investigation-choice', choice: 'decide', at: 1 }]) {
    assert.equal(isPageToHost(bad), false, JSON.stringify(bad));
  }
});
