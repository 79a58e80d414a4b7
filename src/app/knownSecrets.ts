import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RollbackConfig } from '../core/config/types';
import { isEnvStyleFile, secretValuesOfEnvFile, type Redactor } from '../core/redact';
import type { AppLog } from './log';

/** Where secrets the product was given live (VS Code's SecretStorage); the command line has none. */
export interface SecretSource {
  get(key: string): PromiseLike<string | undefined>;
}

/**
 * Registers with the redactor every value the product knows is secret: the given secret
 * keys, and the values of the `.env`-style files among the environments' `configFiles`,
 * read from the workspace. The front end calls readSecret / readEnvFiles again when those
 * change (VS Code watches them; the command line reads once at start). Only the sources are
 * logged, never a value.
 */
export class KnownSecrets {
  private envSources = new Set<string>();

  constructor(
    private readonly redactor: Redactor,
    private readonly secrets: SecretSource | undefined,
    readonly secretKeys: readonly string[],
    private readonly log: AppLog,
    private readonly workspace?: { root: string; config(): Promise<RollbackConfig | undefined> },
  ) {}

  /** Reads everything once; resolves when the redactor knows it (output before it is still pattern-redacted). */
  async refresh(): Promise<void> {
    await Promise.all([...this.secretKeys.map((k) => this.readSecret(k)), this.readEnvFiles()]);
  }

  async readSecret(key: string): Promise<void> {
    if (!this.secrets) return;
    const value = await Promise.resolve(this.secrets.get(key)).catch(() => undefined);
    this.redactor.setSource(`secret-storage:${key}`, value ? [value] : []);
  }

  async readEnvFiles(): Promise<void> {
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
}
