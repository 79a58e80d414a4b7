import * as readline from 'node:readline';
import { terminalSafe } from '../core/redact/displayText';

/** Thrown when a question must be answered and nobody can: stdin is not a terminal. */
export class NeedsTerminalError extends Error {
  readonly question: string;
  constructor(question: string, readonly hint?: string) {
    const asked = question.trim().replace(/:$/, '').trim();
    super(`This needs an answer on a terminal, and stdin is not one: "${asked}".${hint ? ` ${hint}` : ''}`);
    this.question = asked;
    this.name = 'NeedsTerminalError';
  }
}

export interface TerminalIo {
  stdin: NodeJS.ReadStream;
  /** Whether stdin is a terminal, when known without opening it (process.stdin costs a stream: a few ms of every command). */
  stdinIsTTY?: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;
export type Style = keyof typeof CODES;

/**
 * The terminal both sides of the command line talk through: documents on stdout, questions
 * and messages on stderr, answers read line by line from stdin when it is a terminal.
 * Colour only when the stream it goes to is a terminal (and NO_COLOR / --no-color do not say
 * otherwise). A line typed before a question was asked is dropped, never taken as its answer:
 * the environment name typed before a destructive step must be typed after reading the question.
 */
export class Terminal {
  readonly interactive: boolean;
  private readonly colour: { out: boolean; err: boolean };
  private rl?: readline.Interface;
  private pending?: { resolve: (line: string | undefined) => void };
  /** What Ctrl-C means now (the innermost wins): cancel the question, stop the run. */
  private readonly interruptHandlers: Array<() => void> = [];
  private readonly onSignal = (): void => this.interrupt();

  constructor(readonly io: TerminalIo, options: { colour?: boolean } = {}) {
    this.interactive = io.stdinIsTTY ?? io.stdin.isTTY === true;
    const allowed = options.colour !== false && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
    this.colour = { out: allowed && io.stdout.isTTY === true, err: allowed && io.stderr.isTTY === true };
    process.on('SIGINT', this.onSignal);
  }

  style(text: string, style: Style, stream: 'out' | 'err' = 'err'): string {
    return this.colour[stream] ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
  }

  /** A document or data: the preview, the status, JSON. */
  // Everything written passes terminalSafe: text from a host (a lock holder, a step title, stderr) must be read, not obeyed by the terminal.
  out(text: string): void {
    const safe = terminalSafe(text);
    this.io.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** A message, a question, the run's progress. */
  err(text: string): void {
    const safe = terminalSafe(text);
    this.io.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  }

  /** Runs `work` with Ctrl-C meaning `handler` (instead of what it meant outside). */
  async withInterrupt<T>(handler: () => void, work: () => Promise<T>): Promise<T> {
    this.interruptHandlers.push(handler);
    try {
      return await work();
    } finally {
      const i = this.interruptHandlers.lastIndexOf(handler);
      if (i >= 0) this.interruptHandlers.splice(i, 1);
    }
  }

  private interrupt(): void {
    const handler = this.interruptHandlers[this.interruptHandlers.length - 1];
    if (handler) return handler();
    // Nothing runs that could be stopped cleanly: leave as a shell expects (130 = 128 + SIGINT).
    this.close();
    process.exit(130);
  }

  /**
   * Asks one question and returns the line typed (trimmed of its newline), or undefined when
   * the operator pressed Ctrl-C or closed stdin. Throws NeedsTerminalError without a terminal.
   */
  async ask(question: string, hint?: string): Promise<string | undefined> {
    if (!this.interactive) throw new NeedsTerminalError(question, hint);
    const rl = this.reader();
    return this.withInterrupt(() => this.answer(undefined), () => new Promise<string | undefined>((resolve) => {
      this.pending = { resolve };
      rl.setPrompt(question);
      rl.prompt();
    }));
  }

  /**
   * Waits until `deadline` (a Date.now() time) with a prompt that is drawn again every
   * `tickMs` (a countdown): 'enter' when the operator presses Enter first, 'timeout' at the
   * deadline, 'interrupted' on Ctrl-C or a closed stdin. Throws NeedsTerminalError without a terminal.
   */
  async waitForEnter(prompt: () => string, deadline: number, tickMs = 1000, hint?: string): Promise<'enter' | 'timeout' | 'interrupted'> {
    if (!this.interactive) throw new NeedsTerminalError(prompt(), hint);
    const rl = this.reader();
    let timedOut = false;
    let ticker: NodeJS.Timeout | undefined;
    let end: NodeJS.Timeout | undefined;
    try {
      const line = await this.withInterrupt(() => this.answer(undefined), () => new Promise<string | undefined>((resolve) => {
        this.pending = { resolve };
        rl.setPrompt(prompt());
        rl.prompt();
        ticker = setInterval(() => {
          rl.setPrompt(prompt());
          rl.prompt(true);
        }, tickMs);
        end = setTimeout(() => {
          timedOut = true;
          this.answer(undefined);
        }, Math.max(0, deadline - Date.now()));
      }));
      if (timedOut) return 'timeout';
      return line === undefined ? 'interrupted' : 'enter';
    } finally {
      clearInterval(ticker);
      clearTimeout(end);
    }
  }

  private answer(line: string | undefined): void {
    const p = this.pending;
    this.pending = undefined;
    if (line === undefined) this.io.stderr.write('\n');
    p?.resolve(line);
  }

  private reader(): readline.Interface {
    if (this.rl) return this.rl;
    const rl = readline.createInterface({ input: this.io.stdin, output: this.io.stderr, terminal: true, historySize: 0 });
    rl.on('line', (line) => {
      // Typed ahead of the question: not an answer to it.
      if (this.pending) this.answer(line);
    });
    // In raw mode Ctrl-C reaches readline, not the process: route it the same way.
    rl.on('SIGINT', () => this.interrupt());
    rl.on('close', () => {
      this.rl = undefined;
      this.answer(undefined);
    });
    this.rl = rl;
    return rl;
  }

  close(): void {
    process.off('SIGINT', this.onSignal);
    this.rl?.close();
    this.rl = undefined;
  }
}
