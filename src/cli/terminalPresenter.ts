import type { Presenter, PreviewDocument, StopControl } from '../app/ui';
import type { RollbackJournal, UnreadableJournal } from '../core/run/journalTypes';
import { runProgress } from '../core/run';
import type { Terminal } from './terminal';

/**
 * What the application layer shows, on a terminal: the preview on stdout (exactly the text the
 * digest was taken of, redacted), messages on stderr. While a run goes, the first Ctrl-C stops
 * after the running step, a second one kills its command (its outcome is then unknown).
 */
export class TerminalPresenter implements Presenter {
  /** The run that did not finish, for the exit code and the hint to resume. */
  unfinished?: { runId: string; message: string };
  /** The last error shown, for main's exit code. */
  readonly errors: string[] = [];

  constructor(
    private readonly term: Terminal,
    private readonly redact: (text: string) => string,
    private readonly options: { showDiff?: boolean } = {},
  ) {}

  info(message: string): void {
    this.term.err(this.redact(message));
  }

  warn(message: string): void {
    this.term.err(this.term.style(`Warning: ${this.redact(message)}`, 'yellow'));
  }

  async error(message: string, ..._actions: string[]): Promise<string | undefined> {
    const text = this.redact(message);
    this.errors.push(text);
    this.term.err(this.term.style(`Error: ${text}`, 'red'));
    // A terminal has no buttons: nothing is picked.
    return undefined;
  }

  async showPreview(doc: PreviewDocument): Promise<void> {
    this.term.out(doc.text);
    if (doc.diff && this.options.showDiff) this.term.out(`${doc.diff.title}\n${this.redact(await doc.diff.text())}`);
  }

  async openFile(absPath: string): Promise<void> {
    this.term.err(`See ${absPath}`);
  }

  async progress<T>(title: string, work: (report: (message: string, increment: number) => void) => Promise<T>, stop: StopControl): Promise<T> {
    this.term.err(this.term.style(title, 'bold'));
    let asked = 0;
    const onInterrupt = (): void => {
      asked++;
      const step = stop.running() ? `"${stop.running()}"` : 'the running step';
      if (asked === 1) {
        stop.afterStep();
        this.term.err(this.term.style(`Stopping after ${step} finishes: nothing after it starts; rollback-pilot resume continues from there. Ctrl-C again kills its command now.`, 'yellow'));
      } else {
        stop.now();
        this.term.err(this.term.style(`Stopping now: the command of ${step} is killed part way; its outcome is unknown, and resume checks it, or asks you, before running it again.`, 'yellow'));
      }
    };
    // Each step's title is printed by the run's output (the engine's events); the report adds nothing on a terminal.
    return this.term.withInterrupt(onInterrupt, () => work(() => undefined));
  }

  async pickRun(runs: RollbackJournal[], unreadable: UnreadableJournal[]): Promise<{ journal: RollbackJournal } | { unreadable: UnreadableJournal } | undefined> {
    const lines = runs.map((r) => `  ${r.runId}  ${r.plan.environment}: ${r.plan.from.name} → ${r.plan.to.name}  (${r.status} · ${runProgress(r)} · ${r.operator}${r.machine ? ` on ${r.machine}` : ''})`);
    const listed = `${lines.join('\n')}${unreadable.length ? `\n${unreadable.map((u) => `  cannot be read: ${u.file} (${u.reason})`).join('\n')}` : ''}`;
    await this.error(`More than one rollback can be resumed; name the run: rollback-pilot resume RUN\n${this.redact(listed)}`);
    return undefined;
  }

  async runDidNotFinish(message: string, runId: string): Promise<void> {
    this.unfinished = { runId, message };
    await this.error(`${message}\nContinue with: rollback-pilot resume ${runId}`);
  }
}
