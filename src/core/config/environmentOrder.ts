// The order and the words of "Which environment?": each choice says where it goes (host and
// path) and what runs there when that is known; the environment running the bad release
// comes first, and `local` (the laptop's own checkout) is never the default while a real
// target exists, so Enter does not roll back the wrong machine.
import type { EnvironmentConfig } from './types';

/** What a target last said runs there. */
export interface KnownDeployed {
  sha: string;
  /** Tag or short SHA. */
  name: string;
  /** ISO time it was read. */
  readAt: string;
}

export interface EnvironmentChoice {
  env: EnvironmentConfig;
  /** Where a rollback of it runs: "deploy@prod-1:/opt/app", or "this machine: ./app". */
  where: string;
  /** What runs there, when known: "deployed: v1.3.0 (1a2b3c4d5e6f), the release being rolled back · read 40 s ago". */
  deployed?: string;
  /** Its deployed release is the bad one (the one being rolled back). */
  runsBad: boolean;
}

export interface OrderOptions {
  /** What each environment's target last said (undefined: not read yet). */
  deployed?: (env: EnvironmentConfig) => KnownDeployed | undefined;
  /** The release being rolled back, as a full SHA. */
  badSha?: string;
  now?: Date;
}

/** "40 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function ageText(fromIso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(s)) return 'at an unknown time';
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function environmentWhere(env: EnvironmentConfig): string {
  return env.host === 'local' ? `this machine: ${env.path}` : `${env.host}:${env.path}`;
}

/**
 * The choices in the order to show them: the environments whose target runs the bad release
 * first, the rest in rollback.yml's order, and every `local` one after all the others
 * (whatever it runs) when there is any other.
 */
export function orderEnvironments(envs: EnvironmentConfig[], opts: OrderOptions = {}): EnvironmentChoice[] {
  const now = opts.now ?? new Date();
  const anyRemote = envs.some((e) => e.host !== 'local');
  const choices = envs.map((env, index) => {
    const known = opts.deployed?.(env);
    const runsBad = !!known && !!opts.badSha && known.sha === opts.badSha;
    const deployed = known
      ? `deployed: ${known.name}${known.name.startsWith(known.sha.slice(0, 7)) ? '' : ` (${known.sha.slice(0, 12)})`}${runsBad ? ', the release being rolled back' : ''} · read ${ageText(known.readAt, now)}`
      : undefined;
    return { choice: { env, where: environmentWhere(env), deployed, runsBad }, index, last: anyRemote && env.host === 'local' };
  });
  choices.sort((a, b) => Number(a.last) - Number(b.last) || Number(b.choice.runsBad) - Number(a.choice.runsBad) || a.index - b.index);
  return choices.map((c) => c.choice);
}
