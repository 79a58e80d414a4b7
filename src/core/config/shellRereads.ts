// Commands that hand a filled-in value to a second interpreter: the first shell sees one
// quoted word, the second reads it as code. templateQuoting.ts asks these questions of each
// placeholder it finds in a plain word.

/**
 * eval and ssh hand their arguments to a shell that reads them again (ssh's on the host, and
 * scp's and rsync's remote paths there): a
 * quoted value is plain text to the first shell and code to the second. Where a command
 * starts cannot be told without running the shell ($(…), \\eval), so either word anywhere
 * earlier in the template counts: stricter than needed, never looser.
 */
export function rereadsArguments(t: string, i: number): boolean {
  return /(eval|ssh|scp|rsync)\s/.test(t.slice(0, i));
}

// Where a command's name can stand: the start, after ; & | ( ` { ! or a newline or a keyword (if, while, then, do…),
// or anywhere after a word that runs a later one with its own options and arguments first (sudo -u x, timeout 5,
// nice -n 5, coproc, xargs…). Assignments and redirections may stand before the name (A=1 su -c …, 2>&1 su -c …):
// skipped, quoted values included.
const WORD = String.raw`(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])`;
const WRAPPER = String.raw`\b(?:sudo|doas|env|nice|nohup|command|builtin|exec|time|xargs|coproc|timeout|setsid|stdbuf|ionice|chrt|taskset|chroot)\b[^;&|\n]*?\s`;
const AT_COMMAND = String.raw`(?:(?:^|[;&|(\x60{\n!]|\b(?:if|elif|while|until|then|do|else)\b)\s*|${WRAPPER})(?:(?:[A-Za-z_]\w*=${WORD}*|\d*[<>&|]+\s*${WORD}+)\s+)*`;
/**
 * Commands that run an argument again as code, or (bash) evaluate it as arithmetic or a name,
 * where a[$(…)] runs: trap's action, su/runuser -c, script -c, flock -c, watch, parallel, let,
 * declare/typeset/local/readonly/export -i, read and printf -v's names, [[ … ]], env -S,
 * compgen/complete's word lists, test -v's name. Anywhere
 * in the template, before or after the placeholder ("set -- {x}; eval \"$1\"" reads it too):
 * stricter than needed, never looser.
 */
const REREADERS: Array<[RegExp, string]> = [
  [new RegExp(String.raw`${AT_COMMAND}(trap|su|runuser|script|flock|watch|parallel|let|declare|typeset|local|readonly|read|readarray|mapfile|compgen|complete|unset|alias)\s`), '$1'],
  // bash's test -v takes a variable name, a[$(…)] included, and runs its subscript.
  [new RegExp(String.raw`${AT_COMMAND}(?:test|\[)\s(?:[^;&|\n]*\s)?-v\s`), 'test -v'],
  [/\beval\s/, 'eval'],
  [/\[\[/, '[[ … ]]'],
  [/\bprintf\s+(?:-\S+\s+)*-v\b/, 'printf -v'],
  [/\benv\s+(?:-\S+\s+)*(?:-\S*S|--split-string)/, 'env -S'],
];

/** The command in `t` that reads a filled-in value again as code, named for the message; undefined when none does. */
export function rereaderIn(t: string): string | undefined {
  // A name the shell still finds once it removes quotes and backslashes: \\read, 'read', r""ead.
  const spelled = t.replace(/\\\n/g, '').replace(/\\(?=[A-Za-z_[])/g, '').replace(/''|""/g, '').replace(/'([A-Za-z_]\w*)'|"([A-Za-z_]\w*)"/g, '$1$2');
  for (const text of spelled === t ? [t] : [t, spelled]) {
    for (const [re, name] of REREADERS) {
      const m = re.exec(text);
      if (m) return name === '$1' ? m[1] : name;
    }
  }
  return undefined;
}

/** A word as the shell will see it, roughly: line continuations, escapes and quotes removed. */
function unquoted(word: string): string {
  return word.replace(/\\\n/g, '').replace(/\\(.)/g, '$1').replace(/['"]/g, '');
}

/** An unquoted expansion that may leave no word at all ($x, ${x}, $(…), `…`), or a bare line continuation. */
function mayVanish(word: string): boolean {
  // "$@" (and "${@…}", "${a[@]…}") with nothing in it is no word at all, quotes and all.
  return /^(?:\$(?:\w+|[@*#?$!-])|\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\\\n|"(?:\$@|\$\{@[^}]*\}|\$\{\w+\[@\][^}]*\})+")+$/.test(word);
}

/**
 * The command's name comes out of an expansion ($(echo bash -c), "$(printf ev%sl a)", $X): which
 * program runs (sh -c, eval…) is known only when it runs, so any of its arguments may be code.
 * Assignments before the name (A=$(pwd) cmd) do not count: their values are never split into words.
 */
export function namedByExpansion(words: readonly string[]): boolean {
  const name = words.find((w) => !/^[A-Za-z_]\w*=/.test(w));
  return name !== undefined && expands(name);
}

/** The word holds an expansion the shell fills in before it runs the command: $x, ${x}, $(…), `…`. */
function expands(word: string): boolean {
  return /\$[\w{(@*#?$!-]|`/.test(word.replace(/\\./g, '').replace(/'[^']*'/g, ''));
}

// Only the end of the word counts: whatever precedes the name may expand to nothing ($(…)sh).
const SHELL = /(sh|busybox)$/;
/** Their -c or -e takes code: the scripting languages, and the database clients (whose \\! and system run a shell). */
const INTERPRETER = /(python[\d.]*|perl|ruby|node|php|psql|mysql|mariadb)$/;
/** Their first operand is their program: sed's e command and awk's system() run commands (gawk, mawk, gsed…). */
const SCRIPT_FIRST = /(?:^|[/)}`'"])(?:g?sed|[gmn]?awk)$/;

/**
 * The word being read (`current`, up to the placeholder) is code a second interpreter reads:
 * the first operand after a shell's -c (or an interpreter's -c/-e), or sed's and awk's first
 * operand, with only options, their arguments or vanishing expansions in between. Later
 * operands ($0, $1…) are plain arguments, which is the form we suggest. The command's name may
 * be written so the shell still finds it (\\bash, /bin/sh).
 */
export function isCodeArgument(words: readonly string[], current: string): boolean {
  let state: 'none' | 'program' | 'code-next' = 'none';
  let codeFlag = /^-[A-Za-z]*c[A-Za-z]*$/;
  for (const w of words) {
    // After a shell's name, an expansion may be its -c ($(echo -c)).
    if (state === 'program' && expands(w)) {
      state = 'code-next';
      continue;
    }
    if (mayVanish(w)) continue;
    const n = unquoted(w);
    const shell = SHELL.test(n);
    if (shell || INTERPRETER.test(n)) {
      state = 'program';
      codeFlag = shell ? /^-[A-Za-z]*c[A-Za-z]*$/ : /^-[A-Za-z]*[ce][A-Za-z]*$/;
    } else if (SCRIPT_FIRST.test(n)) state = 'code-next';
    else if (state === 'program' && codeFlag.test(n)) state = 'code-next';
    // An option, or what may be an option's argument (bash -o pipefail -c, python3 -W ignore -c): the -c may still come.
    else if (state === 'program') continue;
    // awk -v x=1 and sed -n come before the program.
    else if (state === 'code-next' && (n.startsWith('-') || /^[A-Za-z_]\w*=/.test(n))) continue;
    else state = 'none';
  }
  // -c glued to the value (-c'…') is the code too.
  return state === 'code-next' || (state === 'program' && unquoted(current).startsWith('-'));
}
