import type { EnvironmentConfig, RollbackConfig } from '../../core/config/types';
import { stringOption, type ParsedOptions } from '../args';
import type { CliContext } from '../command';
import { environmentChoices } from '../../app/targetFacts';
import { EXIT } from '../exitCodes';
import type { CliServices } from '../services';
import type { Terminal } from '../terminal';

/** rollback.yml has errors: each one printed at its line (as the Problems panel lists them); returns the exit code, or undefined when the file is fine. */
export async function configErrors(s: CliServices, term: Terminal): Promise<number | undefined> {
  const loaded = await s.workspace.config();
  if (!loaded.fellBackToDefault) return undefined;
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors.length ? errors : loaded.diagnostics) term.err(term.style(`${s.workspace.configPath}:${d.line}:${d.column}: ${d.severity}: ${d.message}`, 'red'));
  term.err('rollback.yml has errors; fix them before rolling back. Nothing was read from the targets.');
  return EXIT.refused;
}

/** The environment named by --env, else the only one, else the operator's pick (refused without a terminal). */
export async function chooseEnvironmentName(s: CliServices, config: RollbackConfig, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return given;
  return s.ui.prompter.pickEnvironment(await environmentChoices(s.workspace, config));
}

export function environmentNamed(config: RollbackConfig, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) throw new Error(`rollback.yml has no environment "${name}" (known: ${config.environments.map((e) => e.name).join(', ') || 'none'})`);
  return env;
}

export const ENV_OPTION = { name: 'env', value: 'E', help: 'the environment (rollback.yml environments); default: the only one, else asked' } as const;
export const JSON_OPTION = { name: 'json', help: 'print JSON instead of text' } as const;

/** What a command that works on one environment starts with: the services, rollback.yml without errors, the environment chosen. */
export type EnvironmentPrologue = { s: CliServices; config: RollbackConfig; name: string; env: EnvironmentConfig } | { exit: number };

/** The services, then rollback.yml refused with its errors (exit 3), then --env, the only one, or the operator's pick (exit 3 when none is picked). */
export async function environmentPrologue(ctx: CliContext, options: ParsedOptions): Promise<EnvironmentPrologue> {
  const s = await ctx.services();
  const refused = await configErrors(s, ctx.term);
  if (refused !== undefined) return { exit: refused };
  const { config } = await s.workspace.config();
  const name = await chooseEnvironmentName(s, config, stringOption(options, 'env'));
  if (!name) return { exit: EXIT.refused };
  return { s, config, name, env: environmentNamed(config, name) };
}
