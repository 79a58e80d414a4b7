import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RollbackConfig } from '../core/config/types';
import { isEnvStyleFile, redactLogLine, secretValuesOfEnvFile, type Redactor } from '../core/redact';

/**
 * The log channel, redacted: every line any part writes (the engine's structured lines, the
 * checklist, the workspace) goes through the product's redactor first.
 */
export function redactingLogChannel(channel: vscode.LogOutputChannel, redactor: Redactor): vscode.LogOutputChannel {
  const text = (a: unknown): unknown => (typeof a === 'string' ? redactor.redact(a) : a instanceof Error ? redactor.redactError(a) : redactor.redactDeep(a));
  const wrapped: Partial<vscode.LogOutputChannel> = {
    append: (v) => channel.append(redactor.redact(v)),
    appendLine: (v) => channel.appendLine(redactLogLine(v, redactor)),
    replace: (v) => channel.replace(redactor.redact(v)),
    trace: (m, ...args) => channel.trace(redactLogLine(m, redactor), ...args.map(text)),
    debug: (m, ...args) => channel.debug(redactLogLine(m, redactor), ...args.map(text)),
    info: (m, ...args) => channel.info(redactLogLine(m, redactor), ...args.map(text)),
    warn: (m, ...args) => channel.warn(redactLogLine(m, redactor), ...args.map(text)),
    error: (m, ...args) => channel.error(typeof m === 'string' ? redactor.redact(m) : redactor.redactError(m), ...args.map(text)),
  };
  return new Proxy(channel, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(wrapped, prop)) return (wrapped as Record<PropertyKey, unknown>)[prop];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/**
 * Registers with the redactor every value the extension knows is secret, and keeps them
 * current: the given SecretStorage keys (re-read when they change), and the values of the
 * `.env`-style files among the environments' `configFiles`, read from the workspace when
 * rollback.yml or one of those files changes. Only the sources are logged, never a value.
 */
export class KnownSecrets implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private envSources = new Set<string>();

  constructor(
    private readonly redactor: Redactor,
    private readonly secrets: vscode.SecretStorage,
    private readonly secretKeys: readonly string[],
    private readonly log: vscode.LogOutputChannel,
    private readonly workspace?: { root: string; config(): Promise<RollbackConfig | undefined>; onDidChange: vscode.Event<unknown> },
  ) {
    this.disposables.push(secrets.onDidChange((e) => void (this.secretKeys.includes(e.key) ? this.readSecret(e.key) : undefined)));
    if (workspace) {
      this.disposables.push(workspace.onDidChange(() => void this.readEnvFiles()));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspace.root, '{**/.env,**/.env.*,**/*.env}'));
      const reread = (): void => void this.readEnvFiles();
      this.disposables.push(watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread), watcher.onDidDelete(reread));
    }
  }

  /** Reads everything once; resolves when the redactor knows it (activation awaits nothing: output before it is still pattern-redacted). */
  async refresh(): Promise<void> {
    await Promise.all([...this.secretKeys.map((k) => this.readSecret(k)), this.readEnvFiles()]);
  }

  private async readSecret(key: string): Promise<void> {
    const value = await Promise.resolve(this.secrets.get(key)).catch(() => undefined);
    this.redactor.setSource(`secret-storage:${key}`, value ? [value] : []);
  }

  private async readEnvFiles(): Promise<void> {
    if (!this.workspace) return;
    const { root } = this.workspace;
    const config = await this.workspace.config().catch(() => undefined);
    const files = [...new Set((config?.environments ?? []).flatMap((e) => e.configFiles).filter(isEnvStyleFile))];
    const seen = new Set<string>();
    for (const file of files) {
      const abs = path.resolve(root, file);
      // configFiles are validated to stay inside the repository; a path that does not is not read.
      if (path.relative(root, abs).startsWith('..')) continue;
      const text = await readFile(abs, 'utf8').catch(() => undefined);
      const source = `env-file:${file}`;
      seen.add(source);
      const values = text === undefined ? [] : secretValuesOfEnvFile(text);
      this.redactor.setSource(source, values);
      if (values.length) this.log.info(`Redacting the ${values.length} secret value(s) of ${file} from everything written or shown`);
    }
    for (const old of this.envSources) if (!seen.has(old)) this.redactor.clearSource(old);
    this.envSources = seen;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
