// Rollback: Set Health Check Secret… — the values of the `secret:NAME` headers (and smoke
// bodies) in rollback.yml, kept in the editor's secret storage only: never in rollback.yml,
// settings, the plan, the journal or the log. The names offered are the ones rollback.yml
// uses; a name passed in (the link in a failed check's message) is set directly.
import * as vscode from 'vscode';
import type { RollbackConfig } from '../../core/config/types';
import { secretStorageKey, verificationSecretNames } from '../../core/verification';
import type { CommandRegistry } from '../commandRegistry';
import { CommandArgumentError } from '../commandRegistry';
import { CommandId } from '../contributions';

export interface HealthSecretDeps {
  secrets: vscode.SecretStorage;
  /** The parsed rollback.yml (undefined when it has errors or is missing). */
  config(): Promise<RollbackConfig | undefined>;
  log(line: string): void;
}

const NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

function nameArg(raw: readonly unknown[]): string | undefined {
  const a = raw[0];
  if (a === undefined || a === null) return undefined;
  if (typeof a === 'string' && NAME.test(a)) return a;
  throw new CommandArgumentError(`expected the name of a secret (a letter, then letters, digits, ".", "_" or "-"), got ${typeof a === 'string' ? JSON.stringify(a.slice(0, 80)) : typeof a}`);
}

export function registerHealthSecretCommand(registry: CommandRegistry, deps: HealthSecretDeps): void {
  registry.register(CommandId.setHealthSecret, { needs: 'folder', what: 'set a health check secret', args: nameArg }, async (given) => {
    const name = given ?? (await pickName(deps));
    if (!name) return;
    const key = secretStorageKey(name);
    const had = !!(await deps.secrets.get(key));
    const value = await vscode.window.showInputBox({
      title: `Rollback: Set Health Check Secret "${name}"`,
      prompt: had
        ? `A value is stored for secret:${name}. Type a new one to replace it, or leave empty and press Enter to remove it.`
        : `The value sent where rollback.yml says secret:${name}, e.g. "Bearer eyJ…" for an Authorization header. Stored in the editor's secret storage only.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (/[\r\n]/.test(v) ? 'One line: a header value cannot hold a line break.' : undefined),
    });
    if (value === undefined) return;
    if (!value.trim()) {
      if (had) {
        await deps.secrets.delete(key);
        deps.log(`health check secret "${name}" removed from secret storage`);
        void vscode.window.showInformationMessage(`Rollback Pilot: secret "${name}" was removed.`);
      }
      return;
    }
    await deps.secrets.store(key, value.trim());
    deps.log(`health check secret "${name}" updated (stored in secret storage)`);
    void vscode.window.showInformationMessage(`Rollback Pilot: secret "${name}" saved in secret storage.`);
  });
}

async function pickName(deps: HealthSecretDeps): Promise<string | undefined> {
  const names = verificationSecretNames(await deps.config().catch(() => undefined));
  const items: Array<vscode.QuickPickItem & { name?: string }> = [];
  for (const n of names) items.push({ label: n, description: (await deps.secrets.get(secretStorageKey(n))) ? 'set' : 'not set', detail: `rollback.yml reads it as secret:${n}`, name: n });
  items.push({ label: '$(add) Another name…', description: 'a secret rollback.yml does not name yet' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Rollback: Set Health Check Secret', placeHolder: names.length ? 'Which secret?' : 'rollback.yml names no secret:NAME yet; type the name you will use', ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.name) return pick.name;
  const typed = await vscode.window.showInputBox({ title: 'Name of the secret', prompt: 'As written after secret: in rollback.yml, e.g. health-token', ignoreFocusOut: true, validateInput: (v) => (NAME.test(v.trim()) ? undefined : 'A letter, then letters, digits, ".", "_" or "-" (at most 64)') });
  return typed?.trim() || undefined;
}
