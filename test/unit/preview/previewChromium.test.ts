// The preview page in a real Chromium under its own CSP: it renders (no violation, no page
// error), the steps are numbered headings with the destructive one styled apart, and its
// buttons post only { type: 'action', id } to the host (acquireVsCodeApi stands in for VS Code).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { previewPageHtml } from '../../../src/vscode/preview/previewPage';
import { launchChromium, skipWithoutChromium } from '../../support/checklistPage';

const skip = skipWithoutChromium;
const nonce = 'n0nce4test';
const MARKDOWN = [
  '# Rollback of production: v1.4.0 → v1.3.0', '',
  '- **From** (deployed): `v1.4.0`', '',
  '## Steps', '',
  '### 1. Tell the team the rollback starts', '*notify* · a message to the team', '',
  '### 2. ⚠️ DESTRUCTIVE — Restore the database backup', '*database* · runs on `deploy@prod-1` in `/srv/app`', '', '```sh', "pg_restore -d app /backups/latest.dump && echo '<img src=x onerror=alert(1)>'", '```', '',
].join('\n');
let server: Server | undefined;
let browser: Browser | undefined;
let origin = '';

before(async () => {
  if (skip) return;
  const html = previewPageHtml({ title: 'Rollback of production: v1.4.0 → v1.3.0', markdown: MARKDOWN, nonce, actions: [{ id: 'diff', label: 'Open the code diff' }, { id: 'source', label: 'View Markdown source' }] });
  const stub = `<script nonce="${nonce}">window.__sent = []; window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective)); window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m) });</script>`;
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html.replace('<style', `${stub}<style`)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
});

void test('the preview renders under its CSP and its buttons post their action', { skip, timeout: 30_000 }, async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForSelector('h3.step', { timeout: 10_000 });
  assert.deepEqual(await page.locator('h3.step').allInnerTexts(), ['1. Tell the team the rollback starts', '2. ⚠️ DESTRUCTIVE — Restore the database backup']);
  assert.equal(await page.locator('h3.step.destructive').count(), 1);
  const colors = await page.evaluate(() => Array.from(document.querySelectorAll('h3.step'), (h) => getComputedStyle(h).borderLeftColor));
  assert.notEqual(colors[0], colors[1], 'the destructive step is drawn apart');
  assert.equal(await page.locator('img').count(), 0, 'a command is text, never markup');
  assert.match((await page.locator('pre code').innerText()), /echo '<img src=x onerror=alert\(1\)>'$/);
  await page.click('button[data-action="diff"]');
  await page.click('button[data-action="source"]');
  assert.deepEqual(await page.evaluate('window.__sent'), [{ type: 'action', id: 'diff' }, { type: 'action', id: 'source' }]);
  assert.deepEqual(await page.evaluate('window.__csp'), []);
  assert.deepEqual(errors, []);
  await page.close();
});
