// What a user sees and does in the VS Code workbench, as Playwright calls: the command
// palette, the quick input (quick picks and input boxes), modal dialogs and
// notifications. Every wait is bounded.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy, or throws `what` after `timeout` ms. */
export async function until(probe, { timeout = 10_000, interval = 150, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(interval);
  }
}

const quickInput = (page) => page.locator('.quick-input-widget');

/** Runs a command through the palette as a user does: F1, type its title, Enter. */
export async function runFromPalette(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const box = quickInput(page).locator('input.input');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill(`>${title}`);
  // Enter only once the command itself is the highlighted row (the list filters asynchronously).
  await until(async () => {
    const focused = quickInput(page).locator('.monaco-list-row.focused .label-name, .monaco-list-row.focused .monaco-highlighted-label').first();
    return ((await focused.innerText({ timeout: 500 }).catch(() => '')) || '').replace(/\s+/g, ' ').includes(title.replace(/^Rollback: /, ''));
  }, { timeout: 10_000, what: `"${title}" in the command palette` });
  await page.keyboard.press('Enter');
}

/**
 * What is on screen right now that wants an answer: a modal dialog, a quick pick, an
 * input box, or nothing. Reads only visible widgets.
 */
export async function currentPrompt(page) {
  const dialog = page.locator('.monaco-dialog-box');
  if (await dialog.isVisible().catch(() => false)) {
    const message = (await dialog.locator('.dialog-message-text').innerText().catch(() => '')).trim();
    const detail = (await dialog.locator('.dialog-message-detail').innerText().catch(() => '')).trim();
    const buttons = (await dialog.locator('.dialog-buttons .monaco-button').allInnerTexts().catch(() => [])).map((b) => b.trim());
    return { kind: 'dialog', message, detail, buttons };
  }
  const qi = quickInput(page);
  if (await qi.isVisible().catch(() => false)) {
    const title = (await qi.locator('.quick-input-title').innerText().catch(() => '')).trim();
    const placeholder = (await qi.locator('input.input').getAttribute('placeholder').catch(() => '')) ?? '';
    const message = (await qi.locator('.quick-input-message').innerText().catch(() => '')).trim();
    const rows = qi.locator('.quick-input-list .monaco-list-row');
    const listVisible = await qi.locator('.quick-input-list').isVisible().catch(() => false);
    const items = listVisible ? (await rows.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim()) : [];
    return { kind: items.length ? 'quickpick' : 'inputbox', title, placeholder, message, items };
  }
  return { kind: 'none' };
}

/** Clicks the dialog button whose text is exactly `label`. */
export async function clickDialogButton(page, label) {
  const button = page.locator('.monaco-dialog-box .dialog-buttons .monaco-button').filter({ hasText: new RegExp(`^\\s*${escapeRe(label)}\\s*$`) }).first();
  const box = page.locator('.monaco-dialog-box');
  const before = (await box.locator('.dialog-message-text').innerText().catch(() => '')).trim();
  await button.click({ timeout: 5_000 });
  // Answered when this dialog is gone, or replaced at once by the next one (consecutive manual steps).
  await until(async () => !(await box.isVisible().catch(() => false)) || (await box.locator('.dialog-message-text').innerText().catch(() => '')).trim() !== before, {
    timeout: 5_000,
    what: `the dialog "${before}" to close`,
  });
}

/** Picks the quick-pick row that contains `text` (by clicking it, as a user would). */
export async function pickQuickItem(page, text) {
  const row = quickInput(page).locator('.quick-input-list .monaco-list-row').filter({ hasText: text }).first();
  await row.click({ timeout: 5_000 });
}

/** Types into the visible input box and presses Enter. */
export async function answerInputBox(page, text) {
  const box = quickInput(page).locator('input.input');
  await box.fill(text, { timeout: 5_000 });
  await page.keyboard.press('Enter');
}

/** The texts of the notification toasts on screen and in the notification center's list. */
export async function notificationTexts(page) {
  return (await page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** The tab labels of the editor groups, in order. */
export async function tabLabels(page) {
  return (await page.locator('.tabs-container .tab .label-name').allInnerTexts().catch(() => [])).map((t) => t.trim());
}

export function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Searches the active editor with its find widget (Ctrl+F), as a user checks that a
 * text is in a document; returns the number of matches. Independent of wrapping and of
 * which lines are rendered.
 */
export async function countInActiveEditor(page, text) {
  const group = page.locator('.editor-group-container.active');
  // The editor's own box (its text layer is as tall as the document and mostly off screen);
  // below the top rows, which sticky-scroll headings can cover.
  await group.locator('.editor-container .monaco-editor').first().click({ position: { x: 150, y: 200 }, timeout: 5_000 });
  await page.keyboard.press('Control+f');
  const input = group.locator('.find-widget .find-part .input').first();
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  await input.fill(text);
  const counter = group.locator('.find-widget .matchesCount').first();
  const label = await until(async () => {
    const t = (await counter.innerText().catch(() => '')).trim();
    return t && t !== '?' ? t : undefined;
  }, { timeout: 5_000, what: `the find widget to count "${text}"` });
  await page.keyboard.press('Escape');
  if (/^No results/i.test(label)) return 0;
  const m = label.match(/of (\d+)/);
  if (!m) throw new Error(`unexpected find count "${label}" for "${text}"`);
  return Number(m[1]);
}

/**
 * Waits until the extension has activated in this window: its own log says "Activated in"
 * (user-data/logs/<session>/exthost<N>/rollback-pilot.rollback-pilot/Rollback Pilot.log). The
 * activity-bar icon is a static contribution and shows before that; a palette command run in
 * between races VS Code's start-up ("command … not found"), as a loaded CI machine showed.
 */
export async function waitForActivation(userDataDir, timeoutMs = 60_000) {
  const logs = join(userDataDir, 'logs');
  const activated = () => {
    if (!existsSync(logs)) return false;
    for (const session of readdirSync(logs)) {
      for (const host of readdirSync(join(logs, session)).filter((d) => d.startsWith('exthost'))) {
        const file = join(logs, session, host, 'rollback-pilot.rollback-pilot', 'Rollback Pilot.log');
        if (existsSync(file) && /Activated in \d+ ms/.test(readFileSync(file, 'utf8'))) return true;
      }
    }
    return false;
  };
  await until(async () => activated(), { timeout: timeoutMs, what: 'the extension to activate (its log says "Activated in")' });
}
