import { spawn } from 'node:child_process';
import type { CommandRunner, ExecOptions, ExecResult } from '../../core/ports';
import { OutputTail } from '../outputTail';
import type { ShellForkServer } from './forkServer';
import { processStartTicks } from './localProcesses';

/** How long to keep reading after the shell exited, in case a background child still holds the pipes. */
const DRAIN_AFTER_EXIT_MS = 300;

/** Runs command lines with /bin/sh on this machine, with the same contract as the SSH runner. */
export class LocalCommandRunner implements CommandRunner {
  readonly where = 'local';

  constructor(private readonly defaults: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; forkServer?: ShellForkServer } = {}) {}

  run(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const server = this.defaults.forkServer;
    // What the server can do exactly as a spawn does (forkServer.ts): everything else is spawned here.
    if (server && !this.defaults.env && options.input === undefined && !options.onOutput && !options.onStarted && !options.signal) {
      const served = server.run(command, options.cwd ?? this.defaults.cwd ?? process.cwd(), options.timeoutMs ?? this.defaults.timeoutMs, () => this.spawned(command, options));
      if (served) return served;
    }
    return this.spawned(command, options);
  }

  private spawned(command: string, options: ExecOptions): Promise<ExecResult> {
    const started = Date.now();
    return new Promise<ExecResult>((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: options.cwd ?? this.defaults.cwd,
        env: this.defaults.env ?? process.env,
        // Own process group, so a timeout kills the whole command, not just the shell.
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      if (child.pid && options.onStarted) options.onStarted(child.pid, processStartTicks(child.pid));
      // Bounded tails (outputTail.ts); setEncoding below decodes across chunks.
      const stdout = new OutputTail();
      const stderr = new OutputTail();
      let timedOut = false;
      let settled = false;
      let exit: { code: number | null; signal: string | null } | undefined;
      const finish = (extra: Partial<ExecResult> = {}): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const dropped = stdout.dropped + stderr.dropped ? { droppedBytes: { stdout: stdout.dropped, stderr: stderr.dropped } } : {};
        resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, stdout: stdout.text(), stderr: stderr.text(), timedOut: timedOut || undefined, durationMs: Date.now() - started, ...dropped, ...extra });
      };
      const kill = (): void => {
        timedOut = true;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const onAbort = (): void => kill();
      const timeoutMs = options.timeoutMs ?? this.defaults.timeoutMs;
      const timer = timeoutMs ? setTimeout(kill, timeoutMs) : undefined;
      if (options.signal?.aborted) kill();
      else options.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout.append(c);
        options.onOutput?.(c, 'stdout');
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => {
        stderr.append(c);
        options.onOutput?.(c, 'stderr');
      });
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.stdin.end(options.input ?? undefined);
      child.on('error', (err) => {
        stderr.append(`${err.message}\n`);
        finish({ code: null, signal: null });
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, DRAIN_AFTER_EXIT_MS).unref();
      });
      child.on('close', () => finish());
    });
  }

  async dispose(): Promise<void> {}
}
