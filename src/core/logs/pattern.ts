// The `errors:` pattern of a service: a JavaScript regular expression, matched against each
// log line. Written plain (`error|timeout`), it is case-insensitive, as runbook 000's
// `grep -i error`; written as a literal (`/ERROR|FATAL/`), its own flags decide.

/** The runbooks' words for a log line that reports a failure. */
export const DEFAULT_ERROR_PATTERN = 'error|exception|panic|fatal';

/** Flags a pattern may carry: g and y would make test() remember where it stopped, line to line. */
const ALLOWED_FLAGS = /^[imsu]*$/;

/** Longer lines are cut before matching: a pattern's cost must not grow with one huge line. */
export const MAX_MATCHED_CHARS = 8192;

export type ParsedPattern = { source: string; flags: string } | { problem: string };

/** The pattern as source and flags, or why it is not a usable regular expression (a phrase naming the problem). */
export function parseErrorPattern(text: string | undefined): ParsedPattern {
  if (text === undefined) return { source: DEFAULT_ERROR_PATTERN, flags: 'i' };
  if (text.trim() === '') return { problem: 'it is empty; leave errors out for the default (error|exception|panic|fatal)' };
  let source = text;
  let flags = 'i';
  const literal = /^\/(.*)\/([A-Za-z]*)$/s.exec(text);
  if (literal) {
    [, source, flags] = literal;
    if (!ALLOWED_FLAGS.test(flags)) return { problem: `flags "${flags}": only i, m, s and u are allowed (g and y make a pattern remember where it last matched)` };
    if (source === '') return { problem: 'the pattern between the slashes is empty' };
  }
  try {
    const re = new RegExp(source, flags);
    if (re.test('')) return { problem: `it matches an empty line, so every line would count as an error` };
  } catch (e) {
    return { problem: `it is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}` };
  }
  return { source, flags };
}

/** A matcher for the planned pattern; throws with the reason when the plan's pattern does not compile (a plan written by hand). */
export function errorMatcher(p: { source: string; flags: string }): (line: string) => boolean {
  const re = new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  return (line) => re.test(line.length > MAX_MATCHED_CHARS ? line.slice(0, MAX_MATCHED_CHARS) : line);
}
