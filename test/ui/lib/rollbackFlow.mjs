// What the rollback UI tests do as an operator: open the workbench and trust the folder,
// reload the window, and answer whatever a rollback asks, one prompt at a time.
import { answerInputBox, clickDialogButton, currentPrompt, notificationTexts, pickQuickItem, runFromPalette, sleep, until } from './workbench.mjs';

export const REASON = '/health returns 500 on api since the v1.4.0 deploy';
export const SKIP_REASON = 'no database in the UI fixture';
const MAX_INTERACTIONS = 30;
/** How long the operator takes over work done by hand before saying it was done. */
const MANUAL_WORK_MS = 1500;
/** The notification that ends a run, whichever way it ended. */
export const RUN_ENDED = /Rolled back local to|did not finish|stopped on an error|Nothing ran/;

/** A confirmEach modal lists the step's commands as "<where>$ <command>" lines. */
export function hasCommands(detail) {
  return /^\S+\$ \S/m.test(detail);
}

export async function trustIfAsked(page, timeout) {
  const trust = page.getByRole('button', { name: /Yes, I trust the authors/ });
  const shown = await trust.waitFor({ timeout }).then(() => true, () => false);
  if (shown) await trust.click();
  return shown;
}

export async function openWorkbench(page, url) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
}

/**
 * Reloads as a user does in VS Code ("Developer: Reload Window"), which saves the
 * window's editors first; waits for the new workbench.
 */
export async function reloadWindow(page) {
  const nav = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
  await runFromPalette(page, 'Developer: Reload Window');
  await nav;
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await trustIfAsked(page, 2_000);
}

/**
 * Answers whatever the rollback asks, one prompt at a time, until the run's final
 * notification shows (returned), or until `stopWhen()` says to stop driving (undefined is
 * returned). Each answer is what an operator would give; every prompt seen is passed to
 * `record`. `onConfirm` runs while the plan confirmation is on screen; `onWaiting` after the
 * operator chose to wait for a command left running by an interrupted run; `shot` saves a
 * screenshot of an unexpected prompt. When the all-clear is not earned (a check did not pass),
 * `allClearReason` is typed to send it anyway; without one the operator presses Escape and
 * it is withheld. `skipReason` is the reason given for skipping a failed step.
 */
export async function driveRollback(page, { onConfirm = async () => {}, onWaiting = async () => {}, record = () => {}, shot = async () => {}, stopWhen, timeoutMs = 120_000, allClearReason, skipReason = SKIP_REASON }) {
  const deadline = Date.now() + timeoutMs;
  const seen = [];
  let interactions = 0;
  const fail = (message) => {
    throw new Error(message);
  };
  for (;;) {
    if (Date.now() > deadline) fail(`the rollback did not finish within ${timeoutMs / 1000} s; prompts seen: ${JSON.stringify(seen)}`);
    if (stopWhen && (await stopWhen())) return undefined;
    const done = (await notificationTexts(page)).find((t) => RUN_ENDED.test(t));
    const p = await currentPrompt(page);
    if (p.kind === 'none') {
      if (done) return done;
      // A confirmation may also come as a notification with a "Run N steps" button (non-modal).
      const toast = page.locator('.notifications-toasts .notification-list-item', { has: page.locator('.monaco-button', { hasText: /^Run \d+ steps$/ }) }).first();
      if (await toast.isVisible().catch(() => false)) {
        const message = (await toast.locator('.notification-list-item-message').innerText()).trim();
        const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((b) => b.trim());
        const run = buttons.find((b) => /^Run \d+ steps$/.test(b));
        if (++interactions > MAX_INTERACTIONS) fail(`more than ${MAX_INTERACTIONS} prompts; last: ${message}`);
        await onConfirm({ kind: 'notification', message, detail: '', buttons });
        seen.push(message);
        record({ kind: 'notification', summary: message, answer: run, message, buttons });
        console.log(`    · notification: ${message} → ${run}`);
        await toast.locator('.monaco-button', { hasText: run }).first().click({ timeout: 5_000 });
        await toast.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
        continue;
      }
      await sleep(150);
      continue;
    }
    const key = JSON.stringify(p);
    if (++interactions > MAX_INTERACTIONS) fail(`more than ${MAX_INTERACTIONS} prompts; last: ${key}`);
    const answered = (summary, answer) => {
      seen.push(summary);
      record({ kind: p.kind, summary, answer, ...p });
      console.log(`    · ${p.kind}: ${summary} → ${answer}`);
    };
    const title = p.kind === 'dialog' ? p.message : p.title;
    if (p.kind === 'inputbox' && /^Why are you rolling back\?/.test(title)) {
      answered(title, REASON);
      await answerInputBox(page, REASON);
    } else if (p.kind === 'inputbox' && /^Destructive: type "local" to run/.test(title)) {
      answered(title, 'local');
      await answerInputBox(page, 'local');
    } else if (p.kind === 'quickpick' && /^What changed in the bad deploy\?$/.test(title)) {
      // The decision tree (issue 13): the fixture's bad release is a code change.
      const code = p.items.find((i) => /The code/.test(i));
      if (!code) fail(`the cause question has no "The code": ${JSON.stringify(p.items)}`);
      answered(title, code);
      await pickQuickItem(page, 'The code');
    } else if (p.kind === 'inputbox' && /^The all-clear for .* is not earned: /.test(title)) {
      if (allClearReason) {
        answered(title, allClearReason);
        await answerInputBox(page, allClearReason);
      } else {
        answered(title, '(Escape: withhold it)');
        await page.keyboard.press('Escape');
      }
    } else if (p.kind === 'inputbox' && /^Why skip /.test(title)) {
      answered(title, skipReason);
      await answerInputBox(page, skipReason);
    } else if (p.kind === 'quickpick' && /^Roll back .* from .* to .*\?$/.test(title)) {
      // The non-modal confirmation: a quick pick that stays open while the preview is read.
      const run = p.items.find((i) => /Run \d+ steps/.test(i));
      if (!run) fail(`the confirmation has no "Run N steps" choice: ${JSON.stringify(p.items)}`);
      await onConfirm({ ...p, message: title, detail: p.placeholder, buttons: p.items });
      answered(title, run);
      // "Run N steps" is the first, active item: Enter picks it, as an operator at the keyboard would.
      if (!/Run \d+ steps/.test(p.items[0])) fail(`"Run N steps" is not the first choice: ${JSON.stringify(p.items)}`);
      await page.keyboard.press('Enter');
    } else if (p.kind === 'dialog' && /^Do ".*" by hand on local, then confirm$/.test(title)) {
      // Work no command can do: the operator says it was done.
      const done = p.buttons.find((b) => /done by hand/i.test(b));
      if (!done) fail(`the manual step offers no "Done by hand": ${JSON.stringify(p.buttons)}`);
      answered(title, done);
      // The work is done by hand first: an operator takes seconds here, not the driver's milliseconds.
      await sleep(MANUAL_WORK_MS);
      await clickDialogButton(page, done);
    } else if (p.kind === 'dialog' && /^Roll back .* from .* to .*\?$/.test(title)) {
      const run = p.buttons.find((b) => /^Run \d+ steps$/.test(b));
      if (!run) fail(`the confirmation has no "Run N steps" button: ${JSON.stringify(p.buttons)}`);
      await onConfirm(p);
      answered(title, run);
      await clickDialogButton(page, run);
    } else if (p.kind === 'dialog' && /^Run ".*" on local\?$/.test(title)) {
      // A step with nothing to run is work the operator does by hand: say it was done, if asked that way.
      const byHand = !hasCommands(p.detail) && p.buttons.find((b) => /done|by hand/i.test(b));
      const answer = byHand || 'Run';
      answered(title, answer);
      await clickDialogButton(page, answer);
    } else if (p.kind === 'dialog' && /^Resume the rollback of .* to .*\?$/.test(title)) {
      answered(title, 'Resume');
      await clickDialogButton(page, 'Resume');
    } else if (p.kind === 'quickpick' && /is still running from the interrupted rollback$/.test(title)) {
      // Never a second copy beside the first: wait for the one the crash left running.
      answered(title, 'Wait for it to end');
      await pickQuickItem(page, 'Wait for it to end');
      await onWaiting(p);
    } else if (p.kind === 'quickpick' && /when the rollback was interrupted: did it take effect\?$/.test(title)) {
      // The leftover build ended but its exit status died with the window: nothing can check it, so the operator is asked.
      answered(title, 'Run it again');
      await pickQuickItem(page, 'Run it again');
    } else if (p.kind === 'quickpick' && /failed|unknown outcome/.test(title)) {
      answered(title, 'Skip it');
      await pickQuickItem(page, 'Skip it');
    } else {
      answered(title || p.placeholder, '(unexpected)');
      await shot(page, `unexpected-${interactions}`);
      fail(`an unexpected prompt appeared: ${key}`);
    }
    // Wait for the answered prompt to go before reading the next one, so nothing is answered twice.
    await until(async () => JSON.stringify(await currentPrompt(page)) !== key, { timeout: 5_000, what: 'the answered prompt to close' }).catch(() => {});
  }
}
