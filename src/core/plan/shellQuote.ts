// Everything that reaches a shell goes through here: values are validated first (so a
// hostile ref or path is refused with a message saying what is wrong), then quoted with
// POSIX single quotes, inside which no character is special.

export class UnsafeValueError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
    readonly problem: string,
  ) {
    super(`Unsafe ${what} ${JSON.stringify(value)}: ${problem}`);
    this.name = 'UnsafeValueError';
  }
}

/** Quotes one argument for /bin/sh. The result is always a single word with the exact bytes of `value`. */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new UnsafeValueError('shell argument', value, 'contains a NUL byte');
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each argument and joins them into one command line. */
export function shJoin(args: readonly string[]): string {
  return args.map(shQuote).join(' ');
}

function rejectControl(what: string, value: string): void {
  if (value === '') throw new UnsafeValueError(what, value, 'is empty');
  if (value.includes('\0')) throw new UnsafeValueError(what, value, 'contains a NUL byte');
  if (/[\r\n\u0000-\u001f\u007f]/.test(value)) throw new UnsafeValueError(what, value, 'contains a newline or control character');
}

/** A full or abbreviated hex commit id. */
export function validateSha(value: string): string {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value)) throw new UnsafeValueError('commit SHA', value, 'is not a full 40 (or 64) hex digit commit id');
  return value;
}

/** A git ref name or revision as a user would type it (tag, branch, HEAD~1, short SHA). */
export function validateRef(value: string): string {
  rejectControl('ref', value);
  if (value.startsWith('-')) throw new UnsafeValueError('ref', value, 'starts with "-" and would be read as an option');
  if (/\s/.test(value)) throw new UnsafeValueError('ref', value, 'contains whitespace');
  // git check-ref-format forbids these anywhere in a ref; refusing them early keeps shells and git both safe.
  if (/[\\\x7f~^:?*[]/.test(value.replace(/(\^\{commit\}|~\d*|\^\d*)$/g, '')) || value.includes('..') || value.includes('@{')) {
    throw new UnsafeValueError('ref', value, 'contains characters git does not allow in a ref name');
  }
  return value;
}

/** A branch name we will pass to `git switch` / `git push`. */
export function validateBranch(value: string): string {
  validateRef(value);
  if (/[~^]/.test(value)) throw new UnsafeValueError('branch', value, 'is not a plain branch name');
  return value;
}

/** A path relative to the repository (a config file to restore, a glob's base). */
export function validateRelativePath(value: string): string {
  rejectControl('path', value);
  if (value.startsWith('-')) throw new UnsafeValueError('path', value, 'starts with "-" and would be read as an option');
  if (value.startsWith('/')) throw new UnsafeValueError('path', value, 'must be relative to the repository root');
  if (value.split('/').includes('..')) throw new UnsafeValueError('path', value, 'must not leave the repository ("..")');
  return value;
}

/** A working-tree path on a target (absolute or relative). */
export function validatePath(value: string): string {
  rejectControl('path', value);
  if (value.startsWith('-')) throw new UnsafeValueError('path', value, 'starts with "-" and would be read as an option');
  return value;
}

/** An SSH destination or "local": user@host, host, host:port, [v6]:port or a ~/.ssh/config alias. */
export function validateHost(value: string): string {
  rejectControl('host', value);
  if (value === 'local') return value;
  if (value.startsWith('-')) throw new UnsafeValueError('host', value, 'starts with "-" and would be read as an option');
  // Neither the user nor the host may begin with "-": `deploy@-oProxyCommand` is an option to ssh (and to Ansible's ssh), not a host.
  if (!/^([A-Za-z0-9._][A-Za-z0-9._-]*@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_][A-Za-z0-9._-]*)(:\d{1,5})?$/.test(value)) {
    throw new UnsafeValueError('host', value, 'is not of the form user@host[:port]');
  }
  return value;
}

/** A container image reference (registry/name:tag or name@sha256:digest). */
export function validateImageRef(value: string): string {
  rejectControl('image', value);
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$/.test(value) || value.startsWith('-')) {
    throw new UnsafeValueError('image', value, 'is not a valid image reference');
  }
  return value;
}
