// Text read from a host (a lock's holder, a journal copy's step title, a command's stderr, a log
// line) is shown to the operator; a hostile host writes it. On a terminal an escape sequence in
// it would act instead of being read: clear the screen, move the cursor back over a line, set
// the window title, write the clipboard (OSC 52), make a link; a lone carriage return or a
// backspace overwrites what the line said. In a view's one-line label, a line break or a
// bidirectional override makes the line say something else. The redactor removes secrets;
// these make what remains safe to show. Pure, no vscode import: both front ends use them.

/** A terminal colour or weight (SGR: ESC [ digits ; … m): the only sequence let through. */
const SGR = /^\x1b\[[0-9;:]*m$/;

/**
 * Every escape sequence (ESC and the 8-bit C1 forms: CSI, OSC and the string sequences up to
 * their terminator or the end of the text, else ESC and its next byte), then the other control
 * characters. A string sequence (a title, a clipboard write) ends at its line's end at the latest,
 * so an unterminated one hides nothing after it; one cut at the end of a chunk fails closed.
 */
const SEQUENCE = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\n]*?(?:\x07|\x1b\\|\x9c|(?=\n)|$)|\x1b[ -/]*[0-~]?/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * For a terminal (the CLI's stdout and stderr, the extension's run and logs terminals): colours
 * kept, every other escape sequence and control character dropped, a carriage return not
 * followed by a line feed made a line feed (so a line is never overwritten), tabs and line
 * feeds kept.
 */
export function terminalSafe(text: string): string {
  if (!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text)) return text;
  return text
    .replace(SEQUENCE, (s) => (SGR.test(s) ? s : ''))
    .replace(/\r(?!\n)/g, '\n')
    .replace(CONTROL, (c) => (c === '\x1b' || c === '\r' ? c : ''))
    .replace(/\x1b(?!\[[0-9;:]*m)/g, '');
}

/** Bidirectional overrides and isolates, and the zero-width characters that hide text. */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One character as it is written in a JavaScript string: "\x1b", "\u202e". */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * For one line in a view, a QuickPick, a notification: line breaks and tabs become spaces, every other
 * control, bidirectional or invisible character is shown as its escape (so the reader sees that
 * something was there), and the line is cut at `max` characters with an ellipsis (before the
 * word the cut falls in). Redact before: a cut known secret would no longer be recognised.
 */
export function oneLine(text: string, max = 500): string {
  const flat = text
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, visible)
    .replace(INVISIBLE, visible);
  if (flat.length <= max) return flat;
  // Cut at a blank: the word cut in two is left out whole, so no prefix of a secret the redactor would know only whole is shown.
  const cut = flat.slice(0, Math.max(0, max - 1));
  return `${/\S/.test(flat[cut.length]) ? cut.replace(/\S+$/, '') : cut}…`;
}

/**
 * VS Code's notifications (showErrorMessage and the like) turn `[label](command:…)`, `(https://…)`
 * and `(file:…)` into links, and run a command link when it is clicked, trusted or not: a lock
 * holder named `[Release the stale lock](command:workbench.action.terminal.sendSequence?…)` would
 * type into the operator's terminal. A space between `]` and `(` leaves the text as it reads
 * and no link (VS Code's parser wants them adjacent).
 */
export function notificationSafe(text: string): string {
  return text.replace(/\]\s*\((?=\s*(?:https?:\/\/|command:|file:))/gi, '] (');
}
