// The checklist page's after-the-rollback items in a real Chromium under the real CSP: the CI
// result and the follow-up issue written under their items, and their buttons sending the
// two protocol messages the host turns into Check CI / File Follow-up Issue for that run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { applyEvent, loadChecklistFromJournal } from '../../../src/core/checklist';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { isPageToHost, type ChecklistView } from '../../../src/vscode/checklist/protocol';
import { skipWithoutChromium, startChecklistPage, type ChecklistPage } from '../../support/checklistPage';

const skip = skipWithoutChromium;
let harness: ChecklistPage | undefined;
let browser: Browser | undefined;
let origin = '';
const CI_TEXT = 'v1.4.1 (3f2a1b0c9d8e) FAILED CI: you are running code CI did not pass, a separate incident (runbook 001) (failure)';

function view(): ChecklistView {
  const journal = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;
  let { state } = loadChecklistFromJournal(journal);
  state = applyEvent(state, { type: 'edit-text', itemId: 'ci-passed', text: CI_TEXT });
  return { state, readOnly: false, webhookConfigured: true, now: Date.parse('2026-11-21T10:10:00Z'), drafts: { start: 's', hold: 'h', escalation: 'e', 'all-clear': 'a' } };
}

before(async () => {
  if (skip) return;
  harness = await startChecklistPage({ prefix: 'after-page', answerToReady: `{ type: 'init', view: ${JSON.stringify(view())} }`, keepsState: true });
  browser = harness.browser;
  origin = harness.origin;
});

after(async () => {
  await harness?.close();
});

void test('the CI result shows under its item; Check CI and File follow-up issue send their messages', { skip, timeout: 30_000 }, async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForSelector('vscode-button[data-key="after:ci-passed"]', { timeout: 10_000 });
  assert.equal(await page.textContent('[data-result="ci-passed"]'), CI_TEXT);
  assert.equal(await page.locator('[data-result="follow-up-issue"]').count(), 0, 'nothing filed yet: no result line');
  await page.click('vscode-button[data-key="after:ci-passed"]');
  await page.click('vscode-button[data-key="after:follow-up-issue"]');
  const sent = (await page.evaluate('window.__sent')) as unknown[];
  assert.deepEqual(sent.slice(1), [{ type: 'check-ci' }, { type: 'file-follow-up' }]);
  assert.ok(sent.every((m) => isPageToHost(m)), 'the host accepts them');
  assert.equal(isPageToHost({ type: 'check-ci', runId: 'other' }), false, 'the page cannot name another run');
  assert.deepEqual(errors, []);
  await page.close();
});
