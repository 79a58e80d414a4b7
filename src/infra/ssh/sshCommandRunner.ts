import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Client, type AnyAuthMethod, type ClientChannel, type ServerHostKeyAlgorithm, type ConnectConfig } from 'ssh2';
import type { CommandRunner, ExecOptions, ExecResult } from '../../core/ports';
import { shQuote } from '../../core/plan/shellQuote';
import { OutputTail } from '../outputTail';
import { HandshakeDeadline, ssh2Keepalive } from './connectTimers';
import type { HostKeyPrompt } from './hostKeyPrompt';
import { blobKeyType, checkHostKey, knownHostsLine, knownKeyTypes, parseKnownHosts, sha256Fingerprint, type KnownHostEntry } from './knownHosts';
import { defaultIdentityFiles, resolveDestination, type SshDestination } from './sshConfig';
import { describeConnectError, destinationProblem } from './destinationCheck';

export interface SshRunnerOptions {
  /** user@host[:port] or a ~/.ssh/config alias. */
  destination: string;
  hostKeyPrompt: HostKeyPrompt;
  /** Default: ~/.ssh/known_hosts (accepted keys are appended to the first). */
  knownHostsFiles?: string[];
  /** Default: ~/.ssh/config when it exists. */
  sshConfigFile?: string;
  /** Used when neither the destination nor the config names any. Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
  identityFiles?: string[];
  /** Agent socket; default SSH_AUTH_SOCK. false = no agent. */
  agent?: string | false;
  /** TCP connect + handshake + auth, not counting the time a host-key question is open. Default 15 s. */
  readyTimeoutMs?: number;
  /** A link that answers nothing for keepaliveIntervalMs × keepaliveCountMax is lost. Default 10 s × 3. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Per-command timeout when ExecOptions has none. */
  commandTimeoutMs?: number;
}

export class SshConnectError extends Error {
  constructor(
    message: string,
    readonly reason: 'host-key-changed' | 'host-key-revoked' | 'host-key-rejected' | 'auth' | 'network' | 'config',
  ) {
    super(message);
    this.name = 'SshConnectError';
  }
}

/** ASCII record separator + a name: no command's own output starts like this. */
const PGID_MARKER = '\x1erollback-pilot-pgid ';
const PGID_MARKER_SH = '\\036rollback-pilot-pgid ';

/** Takes the pid line the wrapper prints first off the stderr stream; everything else passes through. */
class PgidMarkerReader {
  private pending = '';
  private done = false;

  constructor(private readonly onPid: (pid: number, startTicks?: string) => void) {}

  take(chunk: string): string {
    if (this.done) return chunk;
    this.pending += chunk;
    const nl = this.pending.indexOf('\n');
    if (nl < 0) {
      // Still could be the marker line: wait for its end (it is short).
      if (PGID_MARKER.startsWith(this.pending) || (this.pending.startsWith(PGID_MARKER) && this.pending.length < 64)) return '';
      return this.flush();
    }
    const first = this.pending.slice(0, nl);
    const rest = this.pending.slice(nl + 1);
    const [pidText, ticks] = first.startsWith(PGID_MARKER) ? first.slice(PGID_MARKER.length).split(' ') : [];
    const pid = Number(pidText);
    this.done = true;
    this.pending = '';
    if (Number.isSafeInteger(pid) && pid > 1) {
      this.onPid(pid, ticks && /^\d+$/.test(ticks) ? ticks : undefined);
      return rest;
    }
    return `${first}\n${rest}`;
  }

  flush(): string {
    this.done = true;
    const out = this.pending;
    this.pending = '';
    return out;
  }
}

const HOST_KEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Runs commands on one SSH host over a single ssh2 connection, opened on first use and
 * reused by every step. Host keys are checked against known_hosts before anything is
 * sent; the agent is never forwarded.
 */
export class SshCommandRunner implements CommandRunner {
  readonly where: string;
  /** How many connections this runner has opened (one per rollback unless one was lost). */
  connections = 0;
  private client?: Client;
  private ready?: Promise<Client>;
  private readonly inFlight = new Set<(reason: string) => void>();
  private dest?: SshDestination;

  constructor(private readonly options: SshRunnerOptions) {
    this.where = options.destination;
  }

  private async destination(): Promise<SshDestination> {
    if (this.dest) return this.dest;
    const file = this.options.sshConfigFile ?? join(homedir(), '.ssh', 'config');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    this.dest = resolveDestination(this.options.destination, text);
    return this.dest;
  }

  private async knownHosts(): Promise<KnownHostEntry[]> {
    const files = this.options.knownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts')];
    const out: KnownHostEntry[] = [];
    for (const f of files) {
      const text = await readFile(f, 'utf8').catch(() => '');
      out.push(...parseKnownHosts(text, f).entries);
    }
    return out;
  }

  private async authMethods(dest: SshDestination): Promise<AnyAuthMethod[]> {
    const methods: AnyAuthMethod[] = [];
    const agent = this.options.agent === undefined ? process.env.SSH_AUTH_SOCK : this.options.agent;
    if (agent) methods.push({ type: 'agent', username: dest.user, agent });
    const files = dest.identityFiles.length ? dest.identityFiles : (this.options.identityFiles ?? defaultIdentityFiles());
    for (const f of files) {
      const key = await readFile(f).catch(() => undefined);
      if (key) methods.push({ type: 'publickey', username: dest.user, key });
    }
    return methods;
  }

  private connect(): Promise<Client> {
    if (this.ready && this.client) return this.ready;
    this.ready = (async () => {
      const dest = await this.destination();
      // A host that neither the ssh config nor DNS knows is named as such, before keys are even looked for.
      const unresolved = await destinationProblem(dest, this.options.sshConfigFile ?? join(homedir(), '.ssh', 'config'));
      if (unresolved) throw new SshConnectError(unresolved, 'config');
      const entries = await this.knownHosts();
      const methods = await this.authMethods(dest);
      if (methods.length === 0) throw new SshConnectError(`no SSH agent (SSH_AUTH_SOCK) and no readable identity file for ${dest.user}@${dest.host}`, 'auth');
      // Ask for a key type we already know first, so a server with several keys shows the one we can check.
      const known = knownKeyTypes(entries, dest.host, dest.port).flatMap((t) => HOST_KEY_ALGOS[t] ?? []) as ServerHostKeyAlgorithm[];
      let refusal: SshConnectError | undefined;
      let asking = false;
      const client = new Client();
      const readyMs = this.options.readyTimeoutMs ?? 15_000;
      const deadline = new HandshakeDeadline(readyMs, () => {
        refusal = new SshConnectError(`no SSH handshake with ${dest.host}:${dest.port} within ${readyMs / 1000} s (time spent on a host-key question not counted)`, 'network');
        client.destroy();
      });
      const config: ConnectConfig = {
        host: dest.host,
        port: dest.port,
        username: dest.user,
        // ssh2's own timer keeps running while the host-key question is open: ours stops (connectTimers.ts).
        readyTimeout: 0,
        ...ssh2Keepalive(this.options.keepaliveIntervalMs ?? 10_000, this.options.keepaliveCountMax ?? 3),
        agentForward: false,
        authHandler: methods,
        // ssh2 applies these in key order and skips a prepend already in the list, so remove first.
        algorithms: known.length ? { serverHostKey: { remove: known, prepend: known, append: [] } } : undefined,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          deadline.pause();
          asking = true;
          this.verifyHostKey(entries, dest, key).then(
            () => {
              asking = false;
              deadline.run();
              verify(true);
            },
            (e: SshConnectError) => {
              asking = false;
              refusal = e;
              verify(false);
            },
          );
        },
      };
      return new Promise<Client>((resolve, reject) => {
        let settled = false;
        client.on('ready', () => {
          deadline.stop();
          settled = true;
          this.connections++;
          resolve(client);
        });
        client.on('error', (err: Error & { level?: string }) => {
          // A handshake timeout reports twice; only the first counts.
          deadline.stop();
          if (!settled) {
            settled = true;
            this.client = undefined;
            const reason = refusal ?? (err.level === 'client-authentication' ? new SshConnectError(`${dest.user}@${dest.host}:${dest.port} refused every key offered (agent and identity files)`, 'auth') : new SshConnectError(describeConnectError(err, dest, readyMs) ?? `cannot connect to ${dest.host}:${dest.port}: ${err.message}`, 'network'));
            reject(reason);
          }
          const silentMs = (this.options.keepaliveIntervalMs ?? 10_000) * (this.options.keepaliveCountMax ?? 3);
          this.dropInFlight(err.message === 'Keepalive timeout' ? `no answer from the host for ${silentMs / 1000} s (keepalive): the link is down or black-holed` : `connection error: ${err.message}`);
        });
        client.on('close', () => {
          deadline.stop();
          if (this.client === client) this.client = undefined;
          if (!settled) {
            settled = true;
            // sshd drops a login not finished within its LoginGraceTime (2 minutes by default), a question left open included.
            const why = asking ? ' while the host-key question was open (sshd gives a login LoginGraceTime, 2 minutes by default); connect again and answer it sooner' : '';
            reject(refusal ?? new SshConnectError(`connection to ${dest.host}:${dest.port} closed during the handshake${why}`, 'network'));
          }
          this.dropInFlight('connection closed');
        });
        this.client = client;
        deadline.run();
        client.connect(config);
      });
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  private async verifyHostKey(entries: KnownHostEntry[], dest: SshDestination, key: Buffer): Promise<void> {
    const verdict = checkHostKey(entries, dest.host, dest.port, key);
    const info = { host: dest.host, port: dest.port, keyType: blobKeyType(key), fingerprint: sha256Fingerprint(key) };
    if (verdict.status === 'known') return;
    if (verdict.status === 'revoked') {
      const detail = `${verdict.entry.file}:${verdict.entry.line} marks this key @revoked`;
      this.options.hostKeyPrompt.hostKeyRefused?.({ ...info, reason: 'revoked', detail });
      throw new SshConnectError(`the host key of ${dest.host}:${dest.port} (${info.fingerprint}) is revoked (${detail}); refusing to connect`, 'host-key-revoked');
    }
    if (verdict.status === 'changed') {
      const detail = verdict.known.map((k) => `${k.file}:${k.line} has ${k.fingerprint}`).join('; ');
      this.options.hostKeyPrompt.hostKeyRefused?.({ ...info, reason: 'changed', detail });
      throw new SshConnectError(`HOST KEY CHANGED for ${dest.host}:${dest.port}: it offered ${info.keyType} ${info.fingerprint} but ${detail}. This could be an attack; refusing to connect. If the change is legitimate, fix known_hosts by hand (ssh-keygen -R).`, 'host-key-changed');
    }
    const answer = await this.options.hostKeyPrompt.confirmUnknownHost({ ...info, otherTypesKnown: verdict.otherTypesKnown });
    if (answer === 'reject') throw new SshConnectError(`the host key of ${dest.host}:${dest.port} (${info.fingerprint}) was not accepted`, 'host-key-rejected');
    if (answer === 'accept-and-save') {
      const file = (this.options.knownHostsFiles ?? [join(homedir(), '.ssh', 'known_hosts')])[0];
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, knownHostsLine(dest.host, dest.port, key), { mode: 0o600 });
    }
  }

  private dropInFlight(reason: string): void {
    for (const fail of [...this.inFlight]) fail(reason);
  }

  async run(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    let client: Client;
    try {
      client = await this.connect();
    } catch (e) {
      // Nothing ran: the command was never sent.
      return { code: null, signal: null, stdout: '', stderr: `${(e as Error).message}\n`, durationMs: Date.now() - started };
    }
    const body = options.cwd ? `cd ${shQuote(options.cwd)} && ${command}` : command;
    // The remote shell first says its pid (its process group: sshd setsid()s every session)
    // and, on Linux, its start time, on stderr behind a marker that is taken out again before
    // anyone sees the output. The journal keeps them, so a resume after a lost connection can
    // tell the command still runs (and not take a later process with the same pid for it).
    const line = options.onStarted ? `printf '${PGID_MARKER_SH}%s %s\\n' "$$" "$(cut -d' ' -f22 /proc/$$/stat 2>/dev/null)" >&2; ${body}` : body;
    const marker = options.onStarted ? new PgidMarkerReader(options.onStarted) : undefined;
    return new Promise<ExecResult>((resolve) => {
      // Bounded tails (outputTail.ts); one decoder per stream, so a character split between two packets arrives whole.
      const stdout = new OutputTail();
      const stderr = new OutputTail();
      const outText = new StringDecoder('utf8');
      const errText = new StringDecoder('utf8');
      let code: number | null = null;
      let signal: string | null = null;
      let settled = false;
      let channel: ClientChannel | undefined;
      const finish = (extra: Partial<ExecResult> = {}): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(onLost);
        options.signal?.removeEventListener('abort', onAbort);
        const dropped = stdout.dropped + stderr.dropped ? { droppedBytes: { stdout: stdout.dropped, stderr: stderr.dropped } } : {};
        resolve({ code, signal, stdout: stdout.text(), stderr: stderr.text(), durationMs: Date.now() - started, ...dropped, ...extra });
      };
      const onLost = (reason: string): void => {
        stderr.append(`\n[${this.where}: ${reason}]\n`);
        finish({ code: null, signal: null, lost: true });
      };
      const giveUp = (): void => {
        try {
          channel?.signal('KILL');
          channel?.close();
        } catch {
          // the channel may already be gone
        }
        finish({ code: null, signal: null, timedOut: true });
      };
      const onAbort = (): void => giveUp();
      const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
      const timer = timeoutMs ? setTimeout(giveUp, timeoutMs) : undefined;
      this.inFlight.add(onLost);
      if (options.signal?.aborted) return giveUp();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      client.exec(line, (err, stream) => {
        if (err) {
          stderr.append(`cannot start the command on ${this.where}: ${err.message}\n`);
          return finish({ code: null, signal: null });
        }
        channel = stream;
        const out = (s: string): void => {
          if (!s) return;
          stdout.append(s);
          options.onOutput?.(s, 'stdout');
        };
        const errOut = (text: string): void => {
          const s = marker ? marker.take(text) : text;
          if (!s) return;
          stderr.append(s);
          options.onOutput?.(s, 'stderr');
        };
        stream.on('data', (d: Buffer) => out(outText.write(d)));
        stream.stderr.on('data', (d: Buffer) => errOut(errText.write(d)));
        stream.on('exit', (c: number | null, sig?: string) => {
          if (typeof c === 'number') code = c;
          else signal = sig ? `SIG${sig.replace(/^SIG/, '')}` : 'unknown';
        });
        stream.on('close', () => {
          // A stream cut inside a character ends with U+FFFD, as a terminal would show it.
          out(outText.end());
          errOut(errText.end());
          const rest = marker?.flush();
          if (rest) {
            stderr.append(rest);
            options.onOutput?.(rest, 'stderr');
          }
          // A close without an exit status means the server never told us how it ended.
          if (code === null && signal === null) finish({ lost: true });
          else finish();
        });
        stream.on('error', (e: Error) => {
          stderr.append(`${e.message}\n`);
        });
        stream.end(options.input ?? undefined);
      });
    });
  }

  async dispose(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.ready = undefined;
    if (c) c.end();
  }
}
