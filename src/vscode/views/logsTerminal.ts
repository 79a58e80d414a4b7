import * as vscode from 'vscode';
import { logsOfRun, streamLogs } from '../../app/logsStream';
import type { RollbackConfig } from '../../core/config/types';
import type { LogWatchService } from '../../core/logs/types';
import type { CommandRunner } from '../../core/ports';
import type { StreamRedactor } from '../../core/redact';
import { terminalSafe } from '../../core/redact/displayText';
import type { RollbackJournal } from '../../core/run/journalTypes';

export interface LogsTerminalDeps {
  /** The run's journal (its plan says which logs were watched, and where). */
  journal(runId: string): Promise<RollbackJournal | undefined>;
  config(): RollbackConfig | undefined;
  runnerFor(where: string): CommandRunner;
  /** The product's one redactor, line by line: log lines carry secrets too. */
  redactStream(): Pick<StreamRedactor, 'push' | 'flush'>;
}

/**
 * "Open logs" in the checklist: a terminal per service that streams its logs where it runs
 * (the run's own logs command, {since} the start of the baseline), while the terminal is open.
 * Closing the terminal stops the command, on the host too. A command that prints and exits
 * is read again with Enter.
 */
export class LogsTerminals implements vscode.Disposable {
  private readonly open = new Map<string, vscode.Terminal>();

  constructor(private readonly deps: LogsTerminalDeps) {}

  async show(runId: string, service?: string): Promise<void> {
    const journal = await this.deps.journal(runId);
    if (!journal) return void vscode.window.showErrorMessage(`Rollback Pilot: no journal found for run ${runId}, so its logs cannot be opened.`);
    return this.showOf(runId, logsOfRun(journal.plan, this.deps.config()), service);
  }

  /** The same for streams known without a run (the brief investigation's, before any plan): one terminal per `runKey` and service. */
  async showOf(runKey: string, all: LogWatchService[], service?: string): Promise<void> {
    if (all.length === 0) {
      return void vscode.window.showInformationMessage(`No service of this rollback has logs to stream. Add logs: to a service in rollback.yml, e.g. logs: docker compose logs -f --since {since} api`);
    }
    const watch = service ? all.find((w) => w.service === service) : all.length === 1 ? all[0] : await this.pick(all);
    if (!watch) return;
    const key = `${runKey}\u0000${watch.service}`;
    const existing = this.open.get(key);
    if (existing) return existing.show();
    const terminal = this.create(watch, () => this.open.delete(key));
    this.open.set(key, terminal);
    terminal.show();
  }

  private async pick(all: LogWatchService[]): Promise<LogWatchService | undefined> {
    const picked = await vscode.window.showQuickPick(
      all.map((w) => ({ label: w.service, description: `${w.where}$ ${w.command}`, w })),
      { title: 'Open the logs of which service?' },
    );
    return picked?.w;
  }

  private create(w: LogWatchService, closed: () => void): vscode.Terminal {
    const write = new vscode.EventEmitter<string>();
    let stop: AbortController | undefined;
    let runner: CommandRunner | undefined;
    let reading: Promise<void> | undefined;
    // A log line is the host's text: only its colours reach the terminal, never a cursor move, a title or a lone \r (displayText.ts).
    const out = (s: string): void => write.fire(terminalSafe(s).replace(/\r?\n/g, '\r\n'));
    const read = async (): Promise<void> => {
      stop = new AbortController();
      runner ??= this.deps.runnerFor(w.where);
      const streams = { stdout: this.deps.redactStream(), stderr: this.deps.redactStream() };
      out(`\x1b[2m${w.where}$ ${w.command}\x1b[0m\n`);
      const end = await streamLogs(runner, w, { signal: stop.signal, onText: (text, stream) => out(streams[stream].push(text)) }).catch((e: Error) => ({ how: 'failed' as const, problem: e.message }));
      out(streams.stdout.flush() + streams.stderr.flush());
      reading = undefined;
      if (end.how === 'stopped') return;
      if (end.how === 'exited') out(`\n\x1b[33mThe logs command printed its lines and exited; it does not follow. Press Enter to read again (or make it follow: docker compose logs -f, journalctl -f).\x1b[0m\n`);
      else out(`\n\x1b[31mThe logs could not be read: ${this.deps.redactStream().push(`${end.problem ?? 'unknown error'}\n`)}\x1b[0mPress Enter to try again.\n`);
    };
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: () => void (reading = read()),
      close: () => {
        stop?.abort();
        // The command is stopped on the host first (streamLogs waits for it), then the connection closes.
        void (reading ?? Promise.resolve()).finally(() => runner?.dispose().catch(() => undefined));
        write.dispose();
        closed();
      },
      handleInput: (data) => {
        if ((data === '\r' || data === '\n') && !reading) reading = read();
      },
    };
    return vscode.window.createTerminal({ name: `Logs: ${w.service} (${w.where})`, iconPath: new vscode.ThemeIcon('output'), pty });
  }

  dispose(): void {
    for (const t of this.open.values()) t.dispose();
    this.open.clear();
  }
}
