// The redactor at the boundaries: every port through which the engine's text leaves it
// (command output it reads, journals it saves, questions it asks, lines it logs, events it
// emits) is wrapped here, so the engine itself and the adapters stay as they are. The
// wrappers forward every other member untouched (a Proxy), so a port that grows a method
// keeps working through them.
import type { CommandRunner, ExecOptions, HttpPort } from '../ports';
import { RollbackEvents, type RollbackEvent } from '../run/events';
import type { RollbackJournal } from '../run/journalTypes';
import type { JournalStore, LogSink, Prompter } from '../run/ports';
import type { RunnerDeps } from '../run/runner';
import type { Redactor } from './redactor';

type Redacting = Pick<Redactor, 'redact' | 'redactDeep' | 'redactError' | 'stream'>;

/** `target` with some members replaced; every other member is the target's own, bound to it. */
function decorate<T extends object>(target: T, replaced: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(replaced, prop)) return (replaced as Record<PropertyKey, unknown>)[prop];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/**
 * Command output redacted before the engine sees it: streamed chunks line by line (a
 * secret split across chunks is whole again before any rule looks at it), the final
 * stdout/stderr whole. The engine's output tail, failure details and events are then built
 * from redacted text, and a tail cut at 4 KiB can never cut a secret in half.
 */
export function redactingCommandRunner(inner: CommandRunner, redactor: Redacting): CommandRunner {
  return decorate(inner, {
    async run(command: string, options: ExecOptions = {}) {
      const onOutput = options.onOutput;
      const streams = { stdout: redactor.stream(), stderr: redactor.stream() };
      const forward = onOutput
        ? (chunk: string, stream: 'stdout' | 'stderr'): void => {
            const text = streams[stream].push(chunk);
            if (text) onOutput(text, stream);
          }
        : undefined;
      try {
        const r = await inner.run(command, { ...options, ...(forward ? { onOutput: forward } : {}) });
        // rawOutput: a smoke check reads a token it must send on; that step masks what it records.
        return { ...r, stdout: options.rawOutput ? r.stdout : redactor.redact(r.stdout), stderr: redactor.redact(r.stderr) };
      } catch (e) {
        throw redactor.redactError(e);
      } finally {
        if (onOutput) {
          for (const stream of ['stdout', 'stderr'] as const) {
            const rest = streams[stream].flush();
            if (rest) onOutput(rest, stream);
          }
        }
      }
    },
  });
}

/** Journal fields that identify the run and are compared by other parts; never text a command printed. */
const JOURNAL_IDENTITY = new Set<string>(['version', 'runId', 'plan', 'operator', 'machine', 'decidedAt', 'startedAt', 'finishedAt', 'status']);

/**
 * A journal as it may be written down: every step's output tail, detail, skip reason and
 * command, every event's message and data, the checklist, the stash and the plan's reason
 * (typed by a person) are redacted. The plan's commands stay exactly as planned: Resume
 * runs them, and they come from rollback.yml, which is in the repository already; each
 * rendering of them (preview, terminal, post-mortem) is redacted. Shares structure.
 */
export function redactJournal(journal: RollbackJournal, redactor: Redacting): RollbackJournal {
  let out: RollbackJournal | undefined;
  for (const [k, v] of Object.entries(journal)) {
    if (JOURNAL_IDENTITY.has(k)) continue;
    const r = redactor.redactDeep(v);
    if (r !== v) (out ??= { ...journal } as RollbackJournal)[k as keyof RollbackJournal] = r as never;
  }
  const plan = journal.plan as RollbackJournal['plan'] | undefined;
  if (plan && typeof plan.reason === 'string') {
    const reason = redactor.redact(plan.reason);
    if (reason !== plan.reason) (out ??= { ...journal }).plan = { ...plan, reason };
  }
  return out ?? journal;
}

/** Saves redacted journals; reads are redacted too (a journal from before redaction, or one that came with a pull). */
export function redactingJournalStore<S extends JournalStore>(inner: S, redactor: Redacting): S {
  return decorate<JournalStore>(inner, {
    save: (journal) => inner.save(redactJournal(journal, redactor)),
    load: async (runId) => {
      const j = await inner.load(runId);
      return j && redactJournal(j, redactor);
    },
    list: async () => (await inner.list()).map((j) => redactJournal(j, redactor)),
    problems: async () => redactor.redactDeep(await inner.problems()),
  }) as S;
}

/**
 * Questions asked with redacted facts (a failure's detail and output tail, a step's
 * commands): every object argument is redacted; plain string arguments (the environment
 * name the operator must type) pass as they are, since the answer is compared with them.
 */
export function redactingPrompter<P extends Prompter>(inner: P, redactor: Redacting): P {
  return new Proxy(inner, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (v as (...a: unknown[]) => unknown).apply(t, args.map((a) => (typeof a === 'object' && a !== null ? redactor.redactDeep(a) : a)));
    },
  });
}

/**
 * A log line that is JSON (the engine's `{"event":"rollback_start",…}`) is redacted value by
 * value and written again: inside JSON a typed reason's quotes are escaped, and a rule that
 * looks for `"password": "…"` would not see them.
 */
export function redactLogLine(line: string, redactor: Redacting): string {
  const t = line.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(t);
      const redacted = redactor.redactDeep(value);
      return redactor.redact(redacted === value ? line : JSON.stringify(redacted));
    } catch {
      // Not JSON after all: redacted as text below.
    }
  }
  return redactor.redact(line);
}

export function redactingLogSink(inner: LogSink, redactor: Redacting): LogSink {
  return decorate(inner, { log: (line: string) => inner.log(redactLogLine(line, redactor)) });
}

/**
 * The events bus whose every event is redacted before any listener (terminal, checklist,
 * status bar, progress) sees it. Use it as THE bus of the extension; `forwardingTo` wraps
 * a bus that others already listen on.
 */
export class RedactingRollbackEvents extends RollbackEvents {
  constructor(
    private readonly redactor: Redacting,
    private readonly inner?: RollbackEvents,
  ) {
    super();
  }

  override on(listener: Parameters<RollbackEvents['on']>[0]): { dispose(): void } {
    return this.inner ? this.inner.on(listener) : super.on(listener);
  }

  override emit(event: RollbackEvent): void {
    const redacted = this.redactor.redactDeep(event);
    if (this.inner) this.inner.emit(redacted);
    else super.emit(redacted);
  }
}

/**
 * The HTTP port of the webhook sender: the message posted is redacted (a reason typed with a
 * token in it), and so are the answer's body and error, which the panel shows. GET (health
 * probes) passes through: the engine judges the real body and redacts what it records.
 */
export function redactingWebhookHttp(inner: HttpPort, redactor: Redacting): HttpPort {
  return decorate(inner, {
    async postJson(url: string, body: unknown, timeoutMs: number) {
      const r = await inner.postJson(url, redactor.redactDeep(body), timeoutMs);
      return { ...r, body: redactor.redact(r.body), ...(r.error !== undefined ? { error: redactor.redact(r.error) } : {}) };
    },
  });
}

/**
 * The engine's health probes: the body and error come back redacted, because the engine cuts
 * the body to 200 characters for its record, and a secret cut there matches no rule. (A
 * `contains` expectation that quotes a secret would no longer match: expect something else.)
 */
export function redactingProbeHttp(inner: HttpPort, redactor: Redacting): HttpPort {
  return decorate(inner, {
    async get(url: string, timeoutMs: number) {
      const r = await inner.get(url, timeoutMs);
      return { ...r, body: redactor.redact(r.body), ...(r.error !== undefined ? { error: redactor.redact(r.error) } : {}) };
    },
  });
}

/**
 * The engine's ports, each behind its redacting decorator (the composition roots and the tests
 * build the engine through this). The verification steps get the redactor itself: a secret a
 * check reads or captures at run time is registered (setSource) before anything is recorded.
 */
export function redactRunnerDeps<D extends RunnerDeps>(deps: D, redactor: Redacting & Partial<Pick<Redactor, 'setSource'>>): D {
  const inner = deps.verification;
  return {
    ...deps,
    verification: {
      ...inner,
      redact: (text: string) => redactor.redact(inner?.redact ? inner.redact(text) : text),
      remember: (source: string, values: string[]) => {
        inner?.remember?.(source, values);
        redactor.setSource?.(source, values);
      },
    },
    runnerFor: (where: string) => redactingCommandRunner(deps.runnerFor(where), redactor),
    journals: redactingJournalStore(deps.journals, redactor),
    http: redactingProbeHttp(deps.http, redactor),
    prompter: redactingPrompter(deps.prompter, redactor),
    ...(deps.log ? { log: redactingLogSink(deps.log, redactor) } : {}),
    ...(deps.events ? { events: deps.events instanceof RedactingRollbackEvents ? deps.events : new RedactingRollbackEvents(redactor, deps.events) } : {}),
  };
}
