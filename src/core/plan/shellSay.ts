// Messages a target's script prints: literal text (single-quoted, never shell text, whatever a
// tag, path or file name holds) and shell variables ("$head"), each its own printf argument.
import { shQuote } from './shellQuote';

export type SayPart = string | { variable: string };

/** printf of the parts and a newline, to stderr unless `stream` is 'out'. */
export function say(parts: SayPart[], stream: 'out' | 'err' = 'err'): string {
  const args = parts.map((p) => (typeof p === 'string' ? shQuote(p) : `"$${p.variable}"`));
  return `printf '${'%s'.repeat(parts.length)}\\n' ${args.join(' ')}${stream === 'err' ? ' >&2' : ''}`;
}

/** The message on stderr, then exit 1: the refusal that becomes the step's detail. */
export function refuse(parts: SayPart[]): string {
  return `{ ${say(parts)}; exit 1; }`;
}
