// The embedded configuration used when a repository has no rollback.yml, and the defaults
// that fill in what a rollback.yml leaves out.
import type { EnvironmentConfig, RollbackConfig, Strategy } from './types';

export const CONFIG_DEFAULTS = {
  tags: 'v*',
  path: '.',
  branch: 'main',
  strategy: 'revert' as Strategy,
  expect: 200,
  warmupMs: 0,
  timeoutMs: 30_000,
  intervalMs: 1000,
  probeTimeoutMs: 5000,
  smokeTimeoutMs: 10_000,
  commandTimeoutMs: 10 * 60_000,
  backupMaxAgeMs: 24 * 3_600_000,
  statusTimeoutMs: 30_000,
  scratchReadyMs: 60_000,
  escalateAtMinutes: [5, 15] as readonly number[],
} as const;

export function defaultLocalEnvironment(): EnvironmentConfig {
  return {
    name: 'local',
    host: 'local',
    path: CONFIG_DEFAULTS.path,
    branch: CONFIG_DEFAULTS.branch,
    strategy: CONFIG_DEFAULTS.strategy,
    push: false,
    configFiles: [],
    commandTimeoutMs: CONFIG_DEFAULTS.commandTimeoutMs,
  };
}

/** Used when there is no rollback.yml: tags v*, the local checkout as the only target, no services. Migrations are detected from the usual folders by the migrations module. */
export function defaultConfig(): RollbackConfig {
  return {
    releases: { tags: CONFIG_DEFAULTS.tags },
    environments: [defaultLocalEnvironment()],
    services: [],
    migrations: {},
    notify: { webhook: false, escalateAtMinutes: [...CONFIG_DEFAULTS.escalateAtMinutes] },
    isDefault: true,
  };
}

export { starterConfig, type StarterInput } from './starter';
