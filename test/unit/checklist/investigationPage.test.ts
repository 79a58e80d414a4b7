// The investigation countdown in the real page bundle, in a real Chromium under the real CSP
// (VS Code's side of the channel is a stand-in that answers "ready" as the host does): the
// time left counts from the host's clock and deadline, a reload (what VS Code does when a hidden
// webview is shown again) continues it rather than starting over, and at zero the page says
// so and offers the rollback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { skipWithoutChromium, startChecklistPage, type ChecklistPage } from '../../support/checklistPage';

const skip = skipWithoutChromium;
let harness: ChecklistPage | undefined;
let browser: Browser | undefined;
let origin = '';

before(async () => {
  if (skip) return;
  // The host's answer to "ready" is window.__host() (set per test with addInitScript): its clock may differ from the page's.
  harness = await startChecklistPage({ prefix: 'investigation', answerToReady: 'window.__host()', keepsState: true });
  browser = harness.browser;
  origin = harness.origin;
});

after(async () => {
  await harness?.close();
});

/** A page whose host started an investigation of `lengthMs` `agoMs` before now, with the host's clock `skewMs` ahead of the page's. */
async function investigationPage(o: { lengthMs: number; agoMs: number; skewMs: number }): Promise<{ page: Page; errors: string[]; deadline: number }> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const startedAt = Date.now() + o.skewMs - o.agoMs;
  await page.addInitScript(({ startedAt, lengthMs, skewMs }) => {
    (window as unknown as { __host: () => unknown }).__host = () => ({ type: 'investigation', view: { startedAt, lengthMs, now: Date.now() + skewMs } });
  }, { startedAt, lengthMs: o.lengthMs, skewMs: o.skewMs });
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForSelector('[role="timer"]', { timeout: 10_000 });
  // On this machine's (the page's) clock.
  return { page, errors, deadline: startedAt - o.skewMs + o.lengthMs };
}

const timeLeft = (page: Page): Promise<string> => page.locator('[role="timer"]').innerText();

/** The page shows the time left to `deadline` (within the second it rounds up to, and a loaded machine's lag). */
async function showsLeftTo(page: Page, deadline: number, what: string): Promise<void> {
  const label = await timeLeft(page);
  const m = /^(\d+):(\d{2})$/.exec(label);
  assert.ok(m, `timer text ${label}`);
  const shown = Number(m[1]) * 60 + Number(m[2]);
  const left = (deadline - Date.now()) / 1000;
  assert.ok(shown >= left - 0.5 && shown <= left + 2, `${what}: shows ${label}, ${left.toFixed(1)} s are left`);
}

void test('the countdown runs on the host clock to the limit; at zero the page says so and offers the rollback', { skip, timeout: 30_000 }, async () => {
  // The host clock is a minute ahead: a page that counted on its own clock would show 1:02 left.
  const { page, errors, deadline } = await investigationPage({ lengthMs: 3_000, agoMs: 1_000, skewMs: 60_000 });
  assert.equal(await page.textContent('h1'), 'Brief investigation before deciding');
  await showsLeftTo(page, deadline, 'from the host clock');
  assert.match((await page.locator('.header').innerText()).replace(/\s+/g, ' '), /left of 0:03/);
  assert.equal(await page.locator('[data-investigation="over"]').count(), 0, 'not over yet');
  assert.equal(await page.locator('vscode-button[data-key="investigation:roll-back"]').innerText(), 'Roll back now');

  await page.waitForSelector('[data-investigation="over"]', { timeout: 5_000 });
  assert.equal(await timeLeft(page), '0:00');
  assert.match(await page.locator('[role="alert"]').innerText(), /^Time's up: 0:03 of investigation\. If it is not clearly fixable now, roll back/);
  const rollBack = page.locator('vscode-button[data-key="investigation:roll-back"]');
  assert.equal(await rollBack.innerText(), "Time's up: roll back now");
  await rollBack.click();
  await page.waitForSelector('[role="status"]', { timeout: 2_000 });
  assert.equal(await rollBack.getAttribute('disabled'), '', 'one choice only: the buttons are off until the host closes the page');
  await page.locator('vscode-button[data-key="investigation:decide"]').click({ force: true });
  assert.deepEqual(await page.evaluate('window.__sent'), [{ type: 'ready' }, { type: 'investigation-choice', choice: 'roll-back' }]);
  assert.equal(await page.evaluate('window.__state'), undefined, 'no run id is saved: after a window reload the serializer has nothing to bring back');
  assert.deepEqual(errors, []);
  const csp = (await page.evaluate('window.__csp')) as Array<{ directive: string; sample: string }>;
  assert.deepEqual(csp.filter((v) => !(v.directive.startsWith('style-src') && v.sample === '')), []);
  await page.close();
});

void test('loaded again (a hidden webview shown again), the page continues the same countdown; "Decide now" asks again', { skip, timeout: 30_000 }, async () => {
  const { page, deadline } = await investigationPage({ lengthMs: 120_000, agoMs: 30_000, skewMs: -5_000 });
  await showsLeftTo(page, deadline, 'first load');
  await page.waitForTimeout(1_500);
  await page.reload();
  await page.waitForSelector('[role="timer"]', { timeout: 10_000 });
  await showsLeftTo(page, deadline, 'loaded again: the host deadline, not 2:00 again');
  await page.locator('vscode-button[data-key="investigation:decide"]').click();
  assert.deepEqual((await page.evaluate('window.__sent')) as unknown[], [{ type: 'ready' }, { type: 'investigation-choice', choice: 'decide' }]);
  await page.close();
});

void test('the triggers the decision offered arrive after the page opened and show beside the countdown; "Open logs" asks the host for that service', { skip, timeout: 30_000 }, async () => {
  const { page, errors, deadline } = await investigationPage({ lengthMs: 120_000, agoMs: 10_000, skewMs: 0 });
  assert.equal(await page.locator('[data-triggers="reading"]').count(), 1, 'until they arrive the page says the logs are being read');
  assert.equal(await page.locator('vscode-button[data-key^="investigation:open-logs"]').count(), 0);
  // The host's update once the spikes were read: the same investigation, now with its triggers and log streams.
  const spike = 'api: 47 errors in the last 5 minutes, 3 in the hour before';
  await page.evaluate(({ startedAt, triggers }) => window.postMessage({ type: 'investigation', view: { startedAt, lengthMs: 120_000, now: Date.now(), triggers, logs: ['api'] } }, '*'), { startedAt: deadline - 120_000, triggers: [spike, '<img src=x>'] });
  await page.waitForSelector('[data-triggers="shown"]', { timeout: 5_000 });
  assert.deepEqual(await page.locator('li.trigger').allInnerTexts(), [spike, '<img src=x>'], 'shown as text');
  assert.equal(await page.locator('li.trigger img').count(), 0);
  await showsLeftTo(page, deadline, 'the countdown goes on through the update');
  const open = page.locator('vscode-button[data-key="investigation:open-logs:api"]');
  assert.equal((await open.innerText()).trim(), 'Open logs');
  await open.click();
  assert.deepEqual(await page.evaluate('window.__sent'), [{ type: 'ready' }, { type: 'open-logs', service: 'api' }]);
  // No spike and no service with logs: said so, no button.
  await page.evaluate(({ startedAt }) => window.postMessage({ type: 'investigation', view: { startedAt, lengthMs: 120_000, now: Date.now(), triggers: [], logs: [] } }, '*'), { startedAt: deadline - 120_000 });
  await page.waitForSelector('[data-triggers="none"]', { timeout: 5_000 });
  assert.equal(await page.locator('vscode-button[data-key^="investigation:open-logs"]').count(), 0);
  assert.match(await page.locator('section[aria-labelledby="section-triggers"]').innerText(), /No service has logs: in rollback\.yml/);
  assert.deepEqual(errors, []);
  await page.close();
});
