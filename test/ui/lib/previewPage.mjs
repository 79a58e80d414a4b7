// The plan preview webview as the test reads it (src/vscode/preview): like the checklist, the
// page is two iframes deep; its <title> is the plan's heading ("Rollback of local: …").
import { sleep } from './workbench.mjs';

/** The frame of the preview page whose title matches, or undefined. */
export async function findPreviewFrame(page, titleRe) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const title = await frame.evaluate(() => document.title).catch(() => '');
    if (titleRe.test(title) && (await frame.locator('main').count().catch(() => 0))) return frame;
  }
  return undefined;
}

/** The page's document as a reader sees it (rendered text, code blocks verbatim). */
export function previewText(frame) {
  return frame.evaluate(() => document.querySelector('main')?.innerText ?? '');
}

/** How often `needle` occurs in the rendered document. */
export async function countInPreview(frame, needle) {
  const text = await previewText(frame);
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Step headings of the page: their text and whether they are marked destructive. */
export function previewSteps(frame) {
  return frame.evaluate(() => [...document.querySelectorAll('h3.step')].map((h) => ({ text: h.textContent ?? '', destructive: h.classList.contains('destructive') })));
}

/**
 * Turns the mouse wheel over the lower left of the preview's webview (clear of a centred
 * modal) and returns the page's scroll offset before and after.
 */
export async function wheelOverPreviewPage(page, frame) {
  const box = await (await frame.frameElement()).boundingBox().catch(() => null);
  if (!box) return undefined;
  const before = await frame.evaluate(() => window.scrollY);
  await page.mouse.move(box.x + 80, box.y + box.height - 60);
  await page.mouse.wheel(0, 1200);
  await sleep(400);
  return [before, await frame.evaluate(() => window.scrollY)];
}
