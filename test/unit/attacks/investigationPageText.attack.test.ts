// The investigation page shows the triggers (error-spike texts built from what a host's logs
// command said) and the services whose logs it opens. Checked by this review (it held): hostile
// strings arrive as text in the real page bundle in a real Chromium under the real CSP — no
// element is made from them, no script or handler runs, nothing loads, the text reads as sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { skipWithoutChromium, startChecklistPage, type ChecklistPage } from '../../support/checklistPage';

const skip = skipWithoutChromium;
let harness: ChecklistPage | undefined;

const HOSTILE = [
  'api: its logs could not be read (<img src=x onerror="window.__pwned=1">)',
  '</li><script>window.__pwned=2</script><li>',
  '<a href="command:workbench.action.terminal.sendSequence?%7B%7D">Open the runbook</a>',
  '<vscode-button data-key="investigation:roll-back" onclick="window.__pwned=3">Roll back now</vscode-button>',
];

before(async () => {
  if (skip) return;
  const view = { startedAt: Date.now(), lengthMs: 60_000, now: Date.now(), triggers: HOSTILE, logs: ['api" onclick="window.__pwned=4', '<b>worker</b>'] };
  // The stand-in host's answer sits in an inline script of the test page: its < are escaped there (the real host posts it, no HTML).
  harness = await startChecklistPage({ prefix: 'investigation-text', answerToReady: JSON.stringify({ type: 'investigation', view }).replace(/</g, '\\u003c') });
});

after(async () => {
  await harness?.close();
});

void test('hostile triggers and service names on the investigation page are text', { skip, timeout: 30_000 }, async () => {
  const page = await harness!.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${harness!.origin}/`, { timeout: 10_000 });
  await page.waitForSelector('[data-triggers="shown"]', { timeout: 10_000 }).catch(async (e: Error) => assert.fail(`${e.message}: ${await page.locator('body').innerText()} ${JSON.stringify(errors)}`));
  assert.deepEqual(await page.locator('li.trigger').allInnerTexts(), HOSTILE, 'each trigger reads exactly as sent');
  assert.equal(await page.locator('#app img, #app script, #app a, #app b, #app li vscode-button').count(), 0, 'no element made from a trigger or a service name');
  await page.locator('li.trigger').first().click();
  assert.equal(await page.evaluate('window.__pwned'), undefined);
  assert.match(await page.locator('#app').innerText(), /Open logs: api" onclick="window.__pwned=4/);
  assert.deepEqual(errors, []);
  const csp = (await page.evaluate('window.__csp')) as Array<{ directive: string; sample: string }>;
  assert.deepEqual(csp.filter((v) => !(v.directive.startsWith('style-src') && v.sample === '')), [], 'nothing the page did was refused by the CSP (nothing tried to load)');
  await page.close();
});
