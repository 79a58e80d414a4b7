// The checklist webview as the test reads it. VS Code puts a webview's page two iframes
// deep (iframe.webview > iframe#active-frame); the page's own <title> tells ours apart
// from any other webview.
import { until } from './workbench.mjs';

const CHECKLIST_TITLE = 'Rollback checklist';

/** The frame that holds the checklist page, or undefined when none is open. */
export async function findChecklistFrame(page) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    const title = await frame.evaluate(() => document.title).catch(() => '');
    if (title === CHECKLIST_TITLE) return frame;
  }
  return undefined;
}

export function waitForChecklistFrame(page, timeout = 20_000) {
  return until(() => findChecklistFrame(page), { timeout, what: 'the checklist webview page' });
}

/** Step rows as "<title>: <outcome>" (their aria-labels), in plan order. */
export function stepRows(frame) {
  return frame.evaluate(() => [...document.querySelectorAll('li.step')].map((li) => li.getAttribute('aria-label') ?? ''));
}

/** Parses "<title>: <outcome>" (a title may itself contain ": "). */
export function parseStepRow(label) {
  const i = label.lastIndexOf(': ');
  return i < 0 ? { title: label, outcome: '' } : { title: label.slice(0, i), outcome: label.slice(i + 2) };
}

/** The page's visible headings, run status badge and timer text. */
export function pageSummary(frame) {
  return frame.evaluate(() => ({
    h1: document.querySelector('h1')?.textContent ?? '',
    sections: [...document.querySelectorAll('h2')].map((h) => h.textContent ?? ''),
    status: document.querySelector('vscode-badge[aria-label^="Run status"]')?.textContent ?? '',
    timer: document.querySelector('[role="timer"]')?.textContent ?? '',
    sectionTops: [...document.querySelectorAll('h2')].map((h) => Math.round(h.getBoundingClientRect().top + window.scrollY)),
    height: document.documentElement.scrollHeight,
  }));
}

/** Manual checklist items (checkboxes outside the steps list) with their checked state. */
export function manualItems(frame) {
  return frame.evaluate(() =>
    [...document.querySelectorAll('ul.items vscode-checkbox')].map((cb) => ({
      key: cb.getAttribute('data-key') ?? '',
      label: (cb.textContent ?? '').trim(),
      checked: cb.hasAttribute('checked') || cb.checked === true,
      disabled: cb.hasAttribute('disabled') && cb.getAttribute('disabled') !== 'false',
    })),
  );
}
