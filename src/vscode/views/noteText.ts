// A note of the Releases view (an environment's line, another operator's rollback, a fleet's
// hosts) quotes what a host wrote: an image reference, a lock's holder, a command's stderr.
// Redacted first (a registry login's password in a `deployed:` command's error), then one line
// with its control and bidi characters shown and its length bounded (core/redact/displayText.ts).
// Built as text, no vscode import, so the tests read exactly what the view shows.
import { oneLine, patternsOnly } from '../../core/redact';

/** The label: long enough for every service's image on one line, short enough that a host cannot fill the view. */
export const NOTE_LABEL_MAX = 400;
export const NOTE_TOOLTIP_MAX = 4000;

/** The note's label and tooltip. `redact` is the product's redactor; without one, its pattern families. */
export function noteText(message: string, redact: (text: string) => string = (t) => patternsOnly.redact(t)): { label: string; tooltip: string } {
  const redacted = redact(message);
  return { label: oneLine(redacted, NOTE_LABEL_MAX), tooltip: oneLine(redacted, NOTE_TOOLTIP_MAX) };
}
