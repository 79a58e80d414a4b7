// Which ansible-core an ansible-playbook is, without starting it: `ansible-playbook --version`
// loads the whole CLI (~0.2 s of Python, most of a fleet plan's own time), while the version
// is one small module of the same installation. The program's own interpreter (its #! line,
// so a pipx or virtualenv install answers for itself) is asked for ansible.release; anything
// else (no #! python, a wrapper script, an import that fails) is asked the usual way.
import { execFile } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** `ansible-playbook --version`'s first line as the release module says it, or undefined when this way cannot tell. */
export function releaseVersionLine(program: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  const interpreter = pythonOf(program, env);
  if (!interpreter) return Promise.resolve(undefined);
  const [exe, ...args] = interpreter;
  const code = "import sys\nfrom ansible.release import __version__ as v\nsys.stdout.write('ansible-playbook [core %s]' % v)";
  return new Promise((resolve) => {
    execFile(exe, [...args, '-c', code], { timeout: timeoutMs, env }, (err, stdout) => resolve(err ? undefined : /^ansible-playbook \[core \d+\.\d+[^\]]*\]$/.test(String(stdout)) ? String(stdout) : undefined));
  });
}

/** The #! interpreter of `program` (found on PATH) when it is a Python, as [executable, ...arguments]. */
function pythonOf(program: string, env: NodeJS.ProcessEnv): string[] | undefined {
  const file = isAbsolute(program) || program.includes('/') ? program : onPath(program, env.PATH ?? '');
  if (!file) return undefined;
  let first: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256);
      first = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8').split('\n')[0];
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  if (!first.startsWith('#!')) return undefined;
  const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
  const python = /(^|\/)python[0-9.]*$/;
  if (words.length === 1 && python.test(words[0])) return words;
  // "#!/usr/bin/env python3": env finds the interpreter on PATH, as it does for the script.
  if (words.length === 2 && /(^|\/)env$/.test(words[0]) && python.test(words[1])) return words;
  return undefined;
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: the next folder.
    }
  }
  return undefined;
}
