// The checklist page's after-the-rollback items in a real Chromium under the real CSP: the CI
// result and the follow-up issue written under their items, and their buttons sending the
// two protocol messages the host turns into Check CI / File Follow-up Issue for that run.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { applyEvent, loadChecklistFromJournal } from '../../../src/core/checklist';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { checklistHtml, newNonce } from '../../../src/vscode/checklist/html';
import { isPageToHost, type ChecklistView } from '../../../src/vscode/checklist/protocol';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `needs Debian's chromium at ${CHROMIUM}`;
let dir = '';
let server: Server | undefined;
let browser: Browser | undefined;
let origin = '';
const nonce = newNonce();
const CI_TEXT = 'v1.4.1 (3f2a1b0c9d8e) FAILED CI: you are running code CI did not pass, a separate incident (runbook 001) (failure)';

function view(): ChecklistView {
  const journal = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;
  let { state } = loadChecklistFromJournal(journal);
  state = applyEvent(state, { type: 'edit-text', itemId: 'ci-passed', text: CI_TEXT });
  return { state, readOnly: false, webhookConfigured: true, now: Date.parse('2026-11-21T10:10:00Z'), drafts: { start: 's', hold: 'h', escalation: 'e', 'all-clear': 'a' } };
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'rp-after-page-'));
  await build({ entryPoints: [join(__dirname, '../../../webview-ui/src/main.ts')], bundle: true, outdir: dir, platform: 'browser', format: 'esm', target: 'es2022', logLevel: 'silent' });
  server = createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
    const file = join(dir, name);
    if (!/^[a-z]+\.(html|js|css)$/.test(name) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'text/html' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const shell = checklistHtml({ cspSource: origin, scriptUri: `${origin}/main.js`, styleUri: `${origin}/main.css`, nonce });
  const stub = `<script nonce="${nonce}">
window.__sent = [];
window.acquireVsCodeApi = () => ({
  postMessage: (m) => { window.__sent.push(m); if (m.type === 'ready') setTimeout(() => window.postMessage({ type: 'init', view: ${JSON.stringify(view())} }, '*')); },
  getState: () => window.__state, setState: (s) => { window.__state = s; },
});
</script>`;
  writeFileSync(join(dir, 'index.html'), shell.replace('<script type="module"', `${stub}<script type="module"`));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'], timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
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
