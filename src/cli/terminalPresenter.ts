import type { Presenter, PreviewDocument, StopControl } from '../app/ui';
import type { RollbackJournal, UnreadableJournal } from '../core/run/journalTypes';
import type { InvestigationPageInfo } from '../core/decision/page';
import { terminalSafe } from '../core/redact/displayText';
import { investigationStatus } from '../core/decision/tree';
import { runProgress } from '../core/run';
import { chooseOnTerminal } from './choose';
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

  /** Redacted, then made safe for a terminal: what a host wrote (a lock's holder, stderr) can carry escape sequences (displayText.ts). */
  private readonly redact: (text: string) => string;

  constructor(
    private readonly term: Terminal,
    redact: (text: string) => string,
    private readonly options: { showDiff?: boolean } = {},
  ) {
    this.redact = (text) => terminalSafe(redact(text));
  }

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

  /** Runbook 000's brief investigation: a countdown on the terminal; at zero, or on Enter, the decision is asked again. */
  async investigate(lengthMs: number, startedAt: number, page?: InvestigationPageInfo): Promise<'decide' | 'cancelled'> {
    const minutes = Math.round(lengthMs / 60_000);
    this.term.err(`\n${this.term.style('Brief investigation', 'bold')} (${minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(lengthMs / 1000)} s`}, runbook 000): look at the logs and the dashboards; if it is not clearly fixable by the end, roll back. When the timer ends, or when you press Enter, you are asked again; Ctrl-C gives up on the rollback.`);
    // What the checklist page shows beside its countdown: the triggers, and where each service's logs are ("Open logs" there).
    void page?.triggers?.then((t) => {
      if (t.length) this.term.err(this.term.style(`Triggers: ${this.redact(t.join('; '))}`, 'yellow'));
    }, () => undefined);
    void page?.logs?.then((all) => {
      for (const w of all) this.term.err(this.redact(`Logs of ${w.service} on ${w.where}: ${w.command}`));
    }, () => undefined);
    const ended = await this.term.waitForEnter(() => `Investigating: ${investigationStatus(startedAt, lengthMs, Date.now()).label} left. Enter decides now: `, startedAt + lengthMs);
    if (ended === 'interrupted') {
      this.term.err('Investigation given up: nothing was planned.');
      return 'cancelled';
    }
    this.term.err(ended === 'timeout' ? '\nThe investigation time is over: decide now (if it is not clearly fixable, roll back).' : 'Deciding now.');
    return 'decide';
  }

  async showPreview(doc: PreviewDocument): Promise<void> {
    this.term.out(terminalSafe(doc.text));
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

  /** Several interrupted runs: listed, then asked on a terminal; without one, --run ID is required (exit 4). */
  async pickRun(runs: RollbackJournal[], unreadable: UnreadableJournal[]): Promise<{ journal: RollbackJournal } | { unreadable: UnreadableJournal } | undefined> {
    const describe = (r: RollbackJournal): string => `${r.runId}  ${r.plan.environment}: ${r.plan.from.name} → ${r.plan.to.name}  (${r.status} · ${runProgress(r)} · ${r.operator}${r.machine ? ` on ${r.machine}` : ''}${r.startedAt ? ` · started ${r.startedAt}` : ''})`;
    const ids = runs.map((r) => r.runId).join(', ');
    const hint = runs.length ? `Pass --run ID (resumable: ${ids}).` : 'Open the files named above and repair or remove them.';
    if (!this.term.interactive) {
      this.term.err(this.redact(`More than one rollback can be resumed:\n${runs.map((r) => `  ${describe(r)}`).join('\n')}${unreadable.map((u) => `\n  cannot be read: ${u.file} (${u.reason})`).join('')}`));
    }
    const picked = await chooseOnTerminal<{ journal: RollbackJournal } | { unreadable: UnreadableJournal }>(
      this.term,
      (t) => this.term.err(this.redact(t)),
      'Which interrupted rollback do you resume?',
      [...runs.map((r) => ({ value: { journal: r }, label: this.redact(describe(r)) })), ...unreadable.map((u) => ({ value: { unreadable: u }, label: this.redact(`cannot be read: ${u.file}`), detail: this.redact(u.reason) }))],
      hint,
    );
    return picked;
  }

  async runDidNotFinish(message: string, runId: string): Promise<void> {
    this.unfinished = { runId, message };
    await this.error(`${message}\nContinue with: rollback-pilot resume ${runId}`);
  }
}
