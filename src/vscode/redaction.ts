import * as vscode from 'vscode';
import { KnownSecrets as AppKnownSecrets } from '../app/knownSecrets';
import type { RollbackConfig } from '../core/config/types';
import { secretStorageKey, VERIFICATION_SECRET_PREFIX, verificationSecretNames } from '../core/verification';
import { redactLogLine, type Redactor } from '../core/redact';

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
 * The known secrets (src/app/knownSecrets.ts) kept current in a VS Code window: the given
 * SecretStorage keys are re-read when they change, the `.env`-style files among the
 * environments' `configFiles` when rollback.yml or one of those files changes, and the
 * `secret:NAME` values rollback.yml's health and smoke checks send (issue 13), read when
 * rollback.yml names them and again when one is set.
 */
export class KnownSecrets implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly known: AppKnownSecrets;
  private readonly checkSecrets: () => Promise<void>;

  constructor(
    redactor: Redactor,
    secrets: vscode.SecretStorage,
    secretKeys: readonly string[],
    log: vscode.LogOutputChannel,
    workspace?: { root: string; config(): Promise<RollbackConfig | undefined>; onDidChange: (listener: () => void) => { dispose(): void } },
  ) {
    this.known = new AppKnownSecrets(redactor, secrets, secretKeys, log, workspace);
    this.checkSecrets = async () => {
      const keys = verificationSecretNames(await workspace?.config().catch(() => undefined)).map(secretStorageKey);
      await Promise.all(keys.map((k) => this.known.readSecret(k)));
    };
    this.disposables.push(secrets.onDidChange((e) => void (secretKeys.includes(e.key) || e.key.startsWith(VERIFICATION_SECRET_PREFIX) ? this.known.readSecret(e.key) : undefined)));
    if (workspace) {
      this.disposables.push(workspace.onDidChange(() => void Promise.all([this.known.readEnvFiles(), this.checkSecrets()])));
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(workspace.root, '{**/.env,**/.env.*,**/*.env}'));
      const reread = (): void => void this.known.readEnvFiles();
      this.disposables.push(watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread), watcher.onDidDelete(reread));
    }
  }

  /** Reads everything once; resolves when the redactor knows it (activation awaits nothing: output before it is still pattern-redacted). */
  async refresh(): Promise<void> {
    await Promise.all([this.known.refresh(), this.checkSecrets()]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
