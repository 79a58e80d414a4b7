// The log counts in the checklist page: the real page bundle in a real Chromium under the real
// CSP, fed the state the real reducer made from log-counts events. The numbers, the chart's
// bars, the verdict, "Open logs" per service through the protocol; a wrong shape is dropped.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { applyEvent, createChecklistState } from '../../../src/core/checklist';
import type { LogCounts } from '../../../src/core/logs/types';
import { isHostToPage, isPageToHost, type ChecklistView } from '../../../src/vscode/checklist/protocol';
import { skipWithoutChromium, startChecklistPage, type ChecklistPage } from '../../support/checklistPage';

const skip = skipWithoutChromium;
let harness: ChecklistPage | undefined;
let browser: Browser | undefined;
let origin = '';

const NOW = Date.parse('2026-12-02T03:10:00Z');
const T0 = NOW - 150_000;
const T1 = NOW - 60_000;

function counts(over: Partial<LogCounts> & { service: string }): LogCounts {
  const zero = (windowMs: number) => ({ errors: 0, lines: 0, windowMs });
  return { phase: 'after', mode: 'follow', baseline: zero(300_000), during: zero(90_000), after: zero(60_000), series: [], at: NOW, ...over };
}

function view(): ChecklistView {
  let { state } = createChecklistState({ runId: 'rb-logs', decidedAt: new Date(T0 - 60_000).toISOString() });
  const series = Array.from({ length: 15 }, (_, i) => ({ at: T0 + i * 10_000, phase: (T0 + i * 10_000 >= T1 ? 'after' : 'during') as 'after' | 'during', errors: T0 + i * 10_000 >= T1 ? 0 : 5, lines: 20 }));
  const api = counts({ service: 'api', baseline: { errors: 47, lines: 900, windowMs: 300_000 }, during: { errors: 45, lines: 180, windowMs: 90_000 }, after: { errors: 0, lines: 120, windowMs: 60_000 }, series, lastError: '<img src=x onerror=alert(1)> ERROR cache', status: 'passed', detail: "passed: no error in the 1m after the rollback (120 lines read); 47 errors in 5m (9.4/min) before the rollback; 45 during it" });
  const worker = counts({ service: 'worker', mode: 'poll', status: 'could-not-run', detail: 'could not run: `journalctl -u worker --since {since} on deploy@prod-1` exited 1: Failed to parse timestamp' });
  for (const c of [api, worker]) state = applyEvent(state, { type: 'log-counts', runId: 'rb-logs', stepId: `logs-${c.service}`, counts: c, at: NOW });
  return { state, readOnly: false, webhookConfigured: false, now: NOW, drafts: { start: 's', hold: 'h', escalation: 'e', 'all-clear': 'a' } };
}

before(async () => {
  if (skip) return;
  harness = await startChecklistPage({ prefix: 'logpage', answerToReady: `{ type: 'init', view: ${JSON.stringify(view())} }` });
  browser = harness.browser;
  origin = harness.origin;
});

after(async () => {
  await harness?.close();
});

test('the protocol: open-logs names a service or none; the log counts are checked before the page draws them', () => {
  assert.ok(isPageToHost({ type: 'open-logs' }));
  assert.ok(isPageToHost({ type: 'open-logs', service: 'api' }));
  for (const bad of [{ type: 'open-logs', service: '' }, { type: 'open-logs', service: 7 }, { type: 'open-logs', service: 'api', cmd: 'rm -rf /' }]) assert.equal(isPageToHost(bad), false, JSON.stringify(bad));
  const v = view();
  assert.ok(isHostToPage({ type: 'init', view: v }));
  const broken = (patch: (c: Record<string, unknown>) => void): boolean => {
    const copy = structuredClone(v);
    patch(copy.state.logs!.api as unknown as Record<string, unknown>);
    return isHostToPage({ type: 'state-update', view: copy });
  };
  assert.equal(broken((c) => ((c.baseline as { errors: number }).errors = -1)), false);
  assert.equal(broken((c) => (c.series = [{ at: 1, phase: 'later', errors: 0, lines: 0 }])), false);
  assert.equal(broken((c) => (c.status = 'fine')), false);
  assert.equal(broken((c) => (c.lastError = 42)), false);
});

test('the page shows each service: numbers, chart, verdict, and Open logs, under the strict CSP', { skip, timeout: 30_000 }, async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForSelector('li.log-service', { timeout: 10_000 });
  const api = page.locator('li.log-service[data-service="api"]');
  assert.match((await api.textContent()) ?? '', /api\s*passed/);
  assert.match((await api.locator('.log-numbers').textContent()) ?? '', /^before: 47 errors in 5m \(9\.4\/min\) · during the rollback: 45 errors in 1m30s \(30\/min\) · after: 0 errors in 1m \(0\/min\)$/);
  assert.equal(await api.locator('svg.log-chart rect').count(), 16, 'the baseline bar and one per 10 s');
  assert.equal(await api.locator('svg.log-chart rect.bar-during').count(), 9);
  assert.equal(await api.locator('svg.log-chart rect.bar-after').count(), 6);
  assert.equal(await page.locator('img').count(), 0, 'a log line is text, never HTML');
  assert.match((await api.locator('.log-last').textContent()) ?? '', /^last error: <img src=x/);
  const worker = page.locator('li.log-service[data-service="worker"]');
  assert.match((await worker.textContent()) ?? '', /could not run.*Failed to parse timestamp/);
  assert.equal(await worker.locator('svg').count(), 0, 'nothing read, nothing drawn');
  await page.click('vscode-button[data-key="logs:worker"]');
  const sent = (await page.evaluate('window.__sent')) as Array<{ type: string }>;
  assert.deepEqual(sent.slice(1), [{ type: 'open-logs', service: 'worker' }]);
  // A state with a wrong shape is dropped: the page keeps what it showed.
  await page.evaluate((bad) => window.postMessage({ type: 'state-update', view: bad }, '*'), { ...view(), state: { ...view().state, logs: { api: { service: 'api', baseline: 'lots' } } } });
  await page.waitForTimeout(200);
  assert.equal(await api.locator('svg.log-chart rect').count(), 16);
  assert.deepEqual(errors, []);
  const csp = (await page.evaluate('window.__csp')) as Array<{ directive: string; sample: string }>;
  assert.deepEqual(csp.filter((c) => !(c.directive.startsWith('style-src') && c.sample === '')), []);
  await page.close();
});
