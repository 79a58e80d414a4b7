// Checks on single values that JSON Schema cannot express. Each returns the reason the
// value is wrong (a phrase that completes "… is not valid: <reason>"), or undefined.

const SHELL_META = /[\s;&|$`'"\\<>(){}*?!#~]/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
const HOST_LABELS = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/**
 * Why `host` is neither "local" nor an SSH destination (`user@host`, `host`, `host:port`,
 * `[v6addr]:port`, or a ~/.ssh/config alias). The value later reaches `ssh` and a shell,
 * so anything that could be read as an option or a shell word is refused here.
 */
export function sshDestinationProblem(host: string): string | undefined {
  if (host === 'local') return undefined;
  if (host.trim() === '') return 'it is empty';
  if (/\s/.test(host)) return 'it contains a space';
  if (host.startsWith('-')) return 'it starts with "-", which ssh would read as an option';
  const meta = SHELL_META.exec(host);
  if (meta) return `it contains "${meta[0]}"`;

  let rest = host;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const user = rest.slice(0, at);
    if (!USER.test(user)) return `"${user}" is not a user name`;
    rest = rest.slice(at + 1);
  }
  let name = rest;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return 'the "[" around an IPv6 address is not closed';
    name = rest.slice(1, close);
    if (!IPV6.test(name)) return `"${name}" is not an IPv6 address`;
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return `unexpected "${after}" after the address`;
      port = after.slice(1);
    }
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      name = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    }
    if (name === '') return 'the host name is missing';
    if (!HOST_LABELS.test(name) || name.includes('..')) return `"${name}" is not a host name`;
  }
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `port "${port}" is not a number from 1 to 65535`;
  }
  return undefined;
}

/** Why a glob (relative to the repository root) cannot be used. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'it is empty';
  if (/[\u0000-\u001f]/.test(glob)) return 'it contains a control character';
  if (glob.includes('\\')) return 'it contains "\\"; separate folders with "/"';
  if (isAbsolute(glob)) return 'it is absolute; globs are relative to the repository root';
  if (escapesRoot(glob)) return 'it leaves the repository with ".."';
  return bracketProblem(glob);
}

/** Why a tag pattern (git's fnmatch, used with `git for-each-ref`) cannot be used. */
export function tagPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === '') return 'it is empty';
  if (/\s/.test(pattern)) return 'it contains a space; git tags cannot';
  if (pattern.startsWith('-')) return 'it starts with "-", which git would read as an option';
  if (/[\u0000-\u001f~^:\\]/.test(pattern) || pattern.includes('..')) return 'it contains characters git tags cannot have (.., ~, ^, :, \\)';
  return bracketProblem(pattern);
}

/** Why a path that must stay inside the repository (migrations.dir, configFiles) does not. */
export function repoPathProblem(p: string): string | undefined {
  if (p.trim() === '') return 'it is empty';
  if (isAbsolute(p)) return 'it is absolute; write it relative to the repository root';
  if (escapesRoot(p)) return 'it leaves the repository with ".."';
  return undefined;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || p.startsWith('~');
}

function escapesRoot(p: string): boolean {
  let depth = 0;
  for (const part of p.split(/[\\/]+/)) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return true;
  }
  return false;
}

function bracketProblem(glob: string): string | undefined {
  let square = false;
  let braces = 0;
  for (const ch of glob) {
    if (square) {
      if (ch === ']') square = false;
      continue;
    }
    if (ch === '[') square = true;
    else if (ch === '{') braces++;
    else if (ch === '}') {
      if (--braces < 0) return 'it has a "}" without a "{"';
    }
  }
  if (square) return 'a "[" is not closed with "]"';
  if (braces > 0) return 'a "{" is not closed with "}"';
  return undefined;
}
