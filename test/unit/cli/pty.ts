// A pseudo-terminal for the command line under test: util-linux's `script` runs it on a pty
// (so stdin.isTTY is true and readline runs in terminal mode, as for a person), and the test
// answers each question when it appears, the way expect(1) does. Output is kept with the
// terminal's escapes stripped, for matching and for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\r/g;

export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class PtySession {
  private raw = '';
  /** Where the next expect() starts looking: each answer is matched after the previous question. */
  private cursor = 0;
  private readonly child: ChildProcess;
  readonly exited: Promise<number>;

  constructor(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    // -q quiet, -f flush each write, -e the child's exit code, -c the command; no typescript file.
    this.child = spawn('script', ['-qfec', argv.map(shellQuote).join(' '), '/dev/null'], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const add = (d: Buffer): void => void (this.raw += d.toString('utf8'));
    this.child.stdout!.on('data', add);
    this.child.stderr!.on('data', add);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }

  /** Everything the terminal showed so far, escapes removed. */
  get output(): string {
    return this.raw.replace(ANSI, '');
  }

  /** Raw bytes as written to the terminal (colours included). */
  get rawOutput(): string {
    return this.raw;
  }

  /** Waits until `pattern` appears after the previous match (bounded by `timeoutMs`); returns the text up to it. */
  async expect(pattern: RegExp | string, timeoutMs = 60_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const text = this.output.slice(this.cursor);
      const m = typeof pattern === 'string' ? (text.includes(pattern) ? { index: text.indexOf(pattern), 0: pattern } : null) : pattern.exec(text);
      if (m) {
        this.cursor += m.index + m[0].length;
        return text.slice(0, m.index + m[0].length);
      }
      if (this.child.exitCode !== null || Date.now() - started > timeoutMs) {
        throw new Error(`waited ${Date.now() - started} ms for ${String(pattern)}; the terminal showed:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The exit code, or a failure naming what the terminal showed when it did not exit within `timeoutMs` (a question nobody answers waits for ever). */
  async exitCode(timeoutMs = 180_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; the terminal showed:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Types a line and Enter. */
  type(line: string): void {
    this.child.stdin!.write(`${line}\r`);
  }

  /** Ctrl-C, as the terminal sends it. */
  interrupt(): void {
    this.child.stdin!.write('\x03');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
