// The real page bundle in a real Chromium under the real CSP; the VS Code side of the
// message channel is a stand-in (acquireVsCodeApi recorded in the page).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { applyEvent, loadChecklistFromJournal } from '../../../src/core/checklist';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import type { ChecklistView } from '../../../src/vscode/checklist/protocol';
import { skipWithoutChromium, startChecklistPage, type ChecklistPage } from '../../support/checklistPage';

const skip = skipWithoutChromium;
let harness: ChecklistPage | undefined;
let browser: Browser | undefined;
let origin = '';

function view(): ChecklistView {
  const journal = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;
  let { state } = loadChecklistFromJournal({ ...journal, status: 'running', finishedAt: undefined });
  state = applyEvent(state, { type: 'step-started', runId: state.runId, step: journal.plan.steps[5]!, at: Date.parse('2026-11-21T10:06:00Z') });
  state = { ...state, runStatus: 'running' };
  delete state.finishedAt;
  state.items = state.items.map((i) => (i.id === 'document-state' ? { ...i, text: '<img src=x onerror=alert(1)> checkout down' } : i));
  return {
    state, readOnly: false, webhookConfigured: true, now: Date.parse('2026-11-21T10:06:30Z'),
    drafts: { start: 'Rolling back v1.4.2 to v1.4.1 because <b>checkout</b>', hold: 'Hold off', escalation: 'Update', 'all-clear': 'All clear' },
  };
}

before(async () => {
  if (skip) return;
  harness = await startChecklistPage({ prefix: 'page', answerToReady: `{ type: 'init', view: ${JSON.stringify(view())} }`, keepsState: true });
  browser = harness.browser;
  origin = harness.origin;
});

after(async () => {
  await harness?.close();
});

void test('the page renders the run under the strict CSP and talks only through the protocol', { skip, timeout: 30_000 }, async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForSelector('h1', { timeout: 10_000 });
  assert.equal(await page.textContent('h1'), 'Rolling back v1.4.2 → v1.4.1 on production');
  assert.match((await page.textContent('.timer')) ?? '', /^8:[3-5]\d$/, 'timer counts from the decision at 09:58');
  assert.equal(await page.locator('li.step').count(), 6);
  assert.match((await page.locator('li.step').nth(5).textContent()) ?? '', /running.*Health check api/);
  assert.equal(await page.locator('img').count(), 0, 'workspace text is text, not HTML');
  assert.equal(await page.locator('b').count(), 0);

  // Keyboard: focus a checkbox and press Space.
  await page.focus('vscode-checkbox[data-key="cb:watch-logs"]');
  await page.keyboard.press('Space');
  await page.click('vscode-button[data-key="send:start"]');
  await page.focus('vscode-text-field[data-key="new-action"]');
  await page.keyboard.type('Add a staging run of migrations');
  await page.keyboard.press('Enter');
  await page.click('vscode-button[data-key="retry:n2"]');

  const sent = (await page.evaluate('window.__sent')) as Array<{ type: string }>;
  assert.deepEqual(sent.slice(1), [
    { type: 'toggle-item', itemId: 'watch-logs', checked: true },
    { type: 'send-notification', kind: 'start', text: 'Rolling back v1.4.2 to v1.4.1 because <b>checkout</b>' },
    { type: 'add-action-item', text: 'Add a staging run of migrations' },
    { type: 'retry-notification', notificationId: 'n2' },
  ]);
  assert.deepEqual(await page.evaluate('window.__state.runId'), 'run-20261121-1000-prod', 'the serializer gets the run id');
  assert.deepEqual(errors, []);
  // The toolkit probes :focus-visible with an empty <style> and renders the badge with an empty style
  // attribute; both are blocked without effect. Nothing else may be.
  const csp = (await page.evaluate('window.__csp')) as Array<{ directive: string; sample: string }>;
  assert.deepEqual(csp.filter((v) => !(v.directive.startsWith('style-src') && v.sample === '')), []);
  await page.close();
});
