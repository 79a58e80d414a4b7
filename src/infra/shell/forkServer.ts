// A small /bin/sh, started once, that starts the command line's short local commands for it.
// Node's spawn forks the whole Node process, and fork's cost grows with what is resident: at
// the 70-85 MB a plan on 10,000 tags holds, each spawn took 4-10 ms of main-thread time
// (measured, bench/cli-plan.mjs), nine times per plan, more than any other part. The shell is
// a couple of MB, so its forks cost a fraction of that, and Node forks once.
//
// Each command is written to a file of its own in a 0700 folder (no text is ever re-parsed on
// the way: the shell runs the file as `sh -c` runs its argument) and run in a session of its
// own (setsid), so a timeout kills its whole process group as LocalCommandRunner's does.
// Output goes to files read once the command has ended. Only commands that need nothing
// more (no stdin text, no streamed output, no process group reported, no abort signal, the
// runner's environment) come here; the runner spawns the rest itself. Two things differ from a
// spawn, both measured by test/unit/shell/forkServer.test.ts: a shell that ends by a signal
// comes back as 128 + its number (the server's `wait` cannot tell that from an exit code), and
// trailing newlines of the command text are not kept (`$(cat)`), which a shell reads as
// nothing except at the end of an unterminated here-document.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecResult } from '../../core/ports';
import { OUTPUT_TAIL_BYTES, OutputTail } from '../outputTail';

/** Exit code of the server when it cannot run commands as promised (no setsid): nothing was started, the runner spawns them itself. */
const UNUSABLE = 3;

/**
 * Commands up to this long are read by the shell's own `read`, longer ones by `cat`: `cat` is a
 * process (about 1 ms of CPU, measured, as much as the rest of a request), and `read` takes one
 * system call per byte, which costs as much as `cat` at about 2.5 KB.
 */
const READ_BY_SHELL_BYTES = 2048;

// $1 is the folder. A request is a number on stdin: run $1/N.sh in the folder named by
// $1/N.cwd, output to N.out and N.err; "S N pid" when started, "E N status" when ended.
// A request "rN" is the same for a short N.sh, read without cat (READ_BY_SHELL_BYTES).
const SERVER = [
  'd=$1',
  `command -v setsid >/dev/null 2>&1 || exit ${UNUSABLE}`,
  "nl='",
  "'",
  'while IFS= read -r r; do',
  '  n=${r#r}',
  '  case $n in ""|*[!0-9]*) continue ;; esac',
  '  {',
  '    IFS= read -r c <"$d/$n.cwd"',
  // The text as `sh -c` takes it, so that $0, $# and the shell's and git's messages are a spawn's;
  // read by lines, it loses its trailing newlines as $(cat) loses them.
  '    ( cd -- "$c" || exit',
  '      case $r in',
  '        r*) s=; while IFS= read -r l || [ -n "$l" ]; do s=$s$l$nl; done <"$d/$n.sh"; while [ "${s%"$nl"}" != "$s" ]; do s=${s%"$nl"}; done ;;',
  '        *) s=$(cat -- "$d/$n.sh") || exit ;;',
  '      esac',
  '      exec setsid /bin/sh -c "$s" ) </dev/null >"$d/$n.out" 2>"$d/$n.err" &',
  '    p=$!',
  '    echo "S $n $p"',
  '    wait "$p"',
  '    echo "E $n $?"',
  '  } &',
  'done',
].join('\n');

interface Pending {
  n: number;
  /** Bytes of stdout and of stderr kept (the end of each), as OutputTail keeps them. */
  keepBytes: number;
  started: number;
  pid?: number;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
  resolve(r: ExecResult): void;
  /** Runs the command without the server: only for a command the server never started. */
  fallback(): void;
}

export class ShellForkServer {
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private buffered = '';
  private asked = '';
  private alive = true;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.received(chunk));
    child.stdin?.on('error', () => undefined);
    child.on('error', () => this.ended(null));
    child.on('exit', (code) => this.ended(code));
    this.idle();
  }

  /** The server shell's process (it leads its own process group). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined when no server can be started here (the runner then spawns every command itself). */
  static start(env: NodeJS.ProcessEnv = process.env): ShellForkServer | undefined {
    try {
      const dir = mkdtempSync(join(tmpdir(), 'rp-fork-'));
      const child = spawn('/bin/sh', ['-c', SERVER, 'rollback-pilot-fork-server', dir], { env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
      const server = new ShellForkServer(child, dir);
      process.once('exit', () => server.close());
      return server;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs `command` in `cwd`; undefined when the server cannot take it (gone, or a folder that
   * does not exist, whose error the runner's own spawn reports as it always has). The last
   * `keepBytes` of stdout and of stderr come back, as a runner keeps them (a read whose whole
   * output is its answer asks for more).
   */
  run(command: string, cwd: string, timeoutMs: number | undefined, fallback: () => Promise<ExecResult>, keepBytes = OUTPUT_TAIL_BYTES): Promise<ExecResult> | undefined {
    if (!this.alive || /[\n\r]/.test(cwd) || !isDirectory(cwd)) return undefined;
    const n = this.next++;
    try {
      writeFileSync(join(this.dir, `${n}.sh`), command, { mode: 0o600 });
      writeFileSync(join(this.dir, `${n}.cwd`), `${cwd}\n`, { mode: 0o600 });
    } catch {
      return undefined;
    }
    return new Promise<ExecResult>((resolve) => {
      const p: Pending = { n, keepBytes, started: Date.now(), timedOut: false, resolve, fallback: () => void fallback().then(resolve) };
      if (timeoutMs) p.timer = setTimeout(() => this.kill(p), timeoutMs);
      this.pending.set(n, p);
      this.busy();
      this.ask(command.length <= READ_BY_SHELL_BYTES ? `r${n}` : `${n}`);
    });
  }

  /**
   * A read whose caller can ask again another way: its result, or undefined when the server
   * cannot take the command or never started it.
   */
  read(command: string, cwd: string, timeoutMs: number | undefined, keepBytes?: number): Promise<ExecResult | undefined> {
    let started = true;
    const notStarted = (): Promise<ExecResult> => {
      started = false;
      return Promise.resolve({ code: null, signal: null, stdout: '', stderr: '', durationMs: 0 });
    };
    const result = this.run(command, cwd, timeoutMs, notStarted, keepBytes);
    return result ? result.then((r) => (started ? r : undefined)) : Promise.resolve(undefined);
  }

  /** Requests made in the same turn (a plan's facts are asked at once) go in one write: each write to the pipe wakes the shell. */
  private ask(request: string): void {
    if (this.asked === '') queueMicrotask(() => this.flush());
    this.asked += `${request}\n`;
  }

  private flush(): void {
    const text = this.asked;
    this.asked = '';
    if (text) this.child.stdin?.write(text);
  }

  close(): void {
    this.alive = false;
    this.child.stdin?.end();
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // A folder in the temp dir left behind.
    }
  }

  private kill(p: Pending): void {
    p.timedOut = true;
    if (p.pid === undefined) return; // killed as soon as it says it started
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // Not a group yet (setsid has not run): the process itself, which has started nothing yet.
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private received(chunk: string): void {
    const lines = (this.buffered + chunk).split('\n');
    this.buffered = lines.pop() as string;
    for (const line of lines) {
      const [what, id, value] = line.split(' ');
      const p = this.pending.get(Number(id));
      if (!p) continue;
      if (what === 'S') {
        p.pid = Number(value);
        if (p.timedOut) this.kill(p);
      } else if (what === 'E') {
        this.finish(p, Number(value));
      }
    }
  }

  private finish(p: Pending, status: number): void {
    this.pending.delete(p.n);
    clearTimeout(p.timer);
    const file = (ext: string) => join(this.dir, `${p.n}.${ext}`);
    const stdout = readTail(file('out'), p.keepBytes);
    const stderr = readTail(file('err'), p.keepBytes);
    for (const ext of ['sh', 'cwd', 'out', 'err']) {
      try {
        unlinkSync(file(ext));
      } catch {
        // Removed with the folder at exit.
      }
    }
    const dropped = stdout.dropped + stderr.dropped ? { droppedBytes: { stdout: stdout.dropped, stderr: stderr.dropped } } : {};
    // Killed for its timeout, the command's shell ends by SIGKILL, as a spawned one does.
    const killed = p.timedOut && status === 128 + 9;
    p.resolve({ code: killed ? null : status, signal: killed ? 'SIGKILL' : null, stdout: stdout.text(), stderr: stderr.text(), timedOut: p.timedOut || undefined, durationMs: Date.now() - p.started, ...dropped });
    if (this.pending.size === 0) this.idle();
  }

  /** The server gone: what it never started runs without it; what it started has an unknown outcome and is never run twice. */
  private ended(code: number | null): void {
    this.alive = false;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      if (code === UNUSABLE || p.pid === undefined) p.fallback();
      else p.resolve({ code: null, signal: null, stdout: '', stderr: 'the local command server ended while the command ran; its outcome is unknown\n', lost: true, durationMs: Date.now() - p.started });
    }
    this.pending.clear();
  }

  // The server must not keep the command line alive when nothing is asked of it.
  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?(): void } | null)?.ref?.();
  }

  private idle(): void {
    this.child.unref();
    (this.child.stdout as unknown as { unref?(): void } | null)?.unref?.();
    (this.child.stdin as unknown as { unref?(): void } | null)?.unref?.();
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The file's last `keepBytes` as OutputTail keeps a stream, without reading more of a huge file than that. */
function readTail(file: string, keepBytes: number): OutputTail {
  const tail = new OutputTail(keepBytes);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    // A few bytes more than the tail, so a character cut at the start is cut as OutputTail cuts it.
    const start = Math.max(0, size - keepBytes - 4);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const r = readSync(fd, buf, got, buf.length - got, start + got);
      if (r === 0) break;
      got += r;
    }
    // A character cut by the start is dropped whole, as OutputTail drops it.
    let first = 0;
    if (start > 0) while (first < got && (buf[first] & 0xc0) === 0x80) first++;
    tail.dropped += start + first;
    tail.append(buf.subarray(first, got).toString('utf8'));
  } catch {
    // No output file: the command printed nothing.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return tail;
}
