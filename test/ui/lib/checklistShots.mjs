// The checklist as the README's screenshots show it: the panel given room, opened from the
// palette when no run is active, and shot from its header to the end of Verification.
import { findChecklistFrame, waitForChecklistFrame } from './checklistPage.mjs';
import { fail } from './checks.mjs';
import { currentPrompt, pickQuickItem, runFromPalette, sleep, until } from './workbench.mjs';

/** Room for the panel: no bottom panel, the checklist's editor group maximized. */
export async function tidyForChecklistShots(page) {
  await runFromPalette(page, 'View: Hide Panel').catch(() => {});
  await page.locator('.tabs-container .tab', { hasText: 'Rollback: v1.4.0 → v1.3.0' }).first().click();
  await runFromPalette(page, 'View: Toggle Maximize Editor Group').catch(() => {});
  await sleep(500);
}

export async function openChecklistFromPalette(page) {
  await runFromPalette(page, 'Rollback: Open Checklist');
  // Without an active run it asks which rollback.
  await until(async () => {
    if (await findChecklistFrame(page)) return true;
    const q = await currentPrompt(page);
    if (q.kind === 'quickpick' && q.items.some((i) => /v1\.4\.0 → v1\.3\.0/.test(i))) await pickQuickItem(page, 'v1.4.0 → v1.3.0');
    return false;
  }, { timeout: 15_000, what: 'the checklist to open from the palette' });
}

/**
 * A screenshot of the editor group that shows the checklist panel, tab included, from
 * the header down to the end of the Verification section (the live steps in between):
 * the window is made tall for the shot and put back after.
 */
export async function screenshotChecklist(page, path) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1400, height: 2400 });
  try {
    await sleep(700);
    const frame = await waitForChecklistFrame(page, 5_000);
    const afterTop = await frame.evaluate(() => {
      const h = [...document.querySelectorAll('h2')].find((e) => e.textContent === 'After');
      return h ? Math.round(h.getBoundingClientRect().top) : document.documentElement.scrollHeight;
    });
    const group = page.locator('.editor-group-container', { has: page.locator('.tab.active', { hasText: 'Rollback: v1.4.0 → v1.3.0' }) }).first();
    const box = await group.boundingBox();
    const webview = await page.locator('iframe.webview.ready').first().boundingBox();
    if (!box || !webview) fail('the checklist editor group is not on screen');
    const height = Math.min(box.height, webview.y - box.y + afterTop - 12);
    await page.screenshot({ path, clip: { x: box.x, y: box.y, width: Math.min(box.width, 1000), height } });
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
