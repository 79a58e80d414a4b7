// Typed failures of the git port, so callers can explain them instead of showing a raw
// stderr dump (and the views can tell "not a repo" from "git is missing").

export type GitErrorKind = 'not-a-repo' | 'git-missing' | 'shallow' | 'bad-ref' | 'unsafe-ref' | 'failed';

export class GitPortError extends Error {
  override readonly name = 'GitPortError';
  /** Git's exit code when git ran and failed. */
  exitCode?: number;
  constructor(
    readonly kind: GitErrorKind,
    message: string,
    /** The git arguments that failed, for the log (never shown as the main message). */
    readonly args: readonly string[] = [],
    readonly stderr = '',
  ) {
    super(message);
  }
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function isFullSha(value: string): boolean {
  return FULL_SHA.test(value);
}

// Characters git forbids in ref names anyway (see git-check-ref-format), plus shell
// metacharacters: nothing legitimate needs them, and refusing early gives a clear message
// instead of a confusing "unknown revision". `~N` and `^N` suffixes stay allowed.
const FORBIDDEN_IN_REF = /[\x00-\x20\x7f\\:?*[;|&$`'"<>(){}!]/;

/**
 * Checks that a user-supplied ref cannot be read as an option or smuggle anything to a
 * shell. Returns a message saying what is wrong, or undefined when the ref is acceptable.
 */
export function refProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'the ref is empty';
  if (ref.length > 256) return 'the ref is longer than 256 characters';
  if (ref.startsWith('-')) return `"${ref}" starts with "-" and would be read as an option`;
  const bad = FORBIDDEN_IN_REF.exec(ref);
  if (bad) {
    const ch = bad[0];
    const shown = /[\x00-\x20\x7f]/.test(ch) ? `character code ${ch.charCodeAt(0)}` : `"${ch}"`;
    return `"${printable(ref)}" contains ${shown}, which no git ref may contain`;
  }
  if (ref.includes('..')) return `"${ref}" contains "..": give one ref, not a range`;
  if (ref.includes('@{')) return `"${ref}" uses the reflog syntax "@{", which is not allowed here`;
  return undefined;
}

function printable(s: string): string {
    return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
