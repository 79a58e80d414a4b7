// The small interfaces through which the pure core reaches the outside world.
// src/infra implements them; tests implement them with real repos, real sshd, or
// (where the real thing cannot run) a fake that says so in its name.

export interface FileSystemPort {
  readFile(path: string): Promise<Uint8Array>;
  readDir(path: string): Promise<Array<{ name: string; isDirectory: boolean }>>;
  exists(path: string): Promise<boolean>;
}

export interface ExecResult {
  /** null when the process ended by signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when the transport died and we cannot know whether the command ran to completion. */
  lost?: boolean;
  /** True when the runner gave up after ExecOptions.timeoutMs (or the AbortSignal fired) and killed the command. */
  timedOut?: boolean;
  /**
   * Bytes of output the runner did not keep: stdout and stderr are each kept as a bounded
   * tail (the last 1 MiB), and this counts exactly what came before it. Absent when all was kept.
   * onOutput still saw every chunk.
   */
  droppedBytes?: { stdout: number; stderr: number };
  durationMs: number;
}

export interface ExecOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Text fed to stdin, then stdin is closed. Without it stdin is closed at once. */
  input?: string;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  /**
   * The command's process group, as soon as it exists (local: the spawned shell's; SSH: the
   * remote shell's, which the runner asks it for). The journal keeps it so that after a
   * crash or a lost connection a resume can tell whether the command is still running.
   * `startTicks` is the group leader's start time (Linux /proc/<pid>/stat, field 22) where it
   * can be read: a pid reused later by another process is then never taken for the command.
   */
  onStarted?: (processGroup: number, startTicks?: string) => void;
  /**
   * stdout comes back as the command printed it, not redacted: a smoke check reads a token
   * from a response to send it on. Whoever sets it masks what it records (steps/httpCheck.ts).
   */
  rawOutput?: boolean;
}

/** Runs a shell command line on one target: the local machine or one SSH host. */
export interface CommandRunner {
  /** "local" or "user@host[:port]" for display in plans and journals. */
  readonly where: string;
  run(command: string, options?: ExecOptions): Promise<ExecResult>;
  dispose(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface HttpProbeResult {
  status: number | null;
  body: string;
  error?: string;
  durationMs: number;
}

/** One request of a health or smoke check: any method, headers, a body. */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

export interface HttpPort {
  get(url: string, timeoutMs: number): Promise<HttpProbeResult>;
  postJson(url: string, body: unknown, timeoutMs: number): Promise<HttpProbeResult>;
  /** Health checks with headers and smoke steps; a port without it can only GET without headers. */
  request?(req: HttpRequest, timeoutMs: number): Promise<HttpProbeResult>;
}
