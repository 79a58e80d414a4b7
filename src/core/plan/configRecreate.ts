// After a config rollback (files from the release or from the pre-deploy snapshot), the
// services must be recreated, not restarted: `docker compose up` keeps a running container
// whose configuration it thinks unchanged, and a container reads its env file only when it is
// created. So a compose-like deploy gets --force-recreate, and a service's optional
// `configCheck` then asks the container itself whether it sees the restored value.
import type { ServiceConfig } from '../config/types';
import type { PlanCommand, PlanStep } from './types';

/** `docker compose … up` / `docker-compose … up` at the start of a command (after `;`, `&&`, `||`, `|` or a newline too). */
const COMPOSE_UP = /(^|[;&|\n]\s*|^\s*)((?:sudo\s+)?(?:docker\s+compose|docker-compose)(?:\s+(?:-[^\s]+(?:\s+[^\s;&|-][^\s;&|]*)?))*\s+up)(?=\s|$)/g;

/**
 * The deploy command with `--force-recreate` after each compose `up` that lacks it. Only
 * plain words are inserted, right after the word `up`, so quoting around it is unchanged.
 */
export function withForceRecreate(command: string): string {
  if (/--force-recreate\b/.test(command)) return command;
  return command.replace(COMPOSE_UP, (_m, lead: string, up: string) => `${lead}${up} --force-recreate`);
}

/** Whether the command brings services up through Compose (the preview says what was added). */
export function isComposeUp(command: string): boolean {
  COMPOSE_UP.lastIndex = 0;
  const found = COMPOSE_UP.test(command);
  COMPOSE_UP.lastIndex = 0;
  return found;
}

/** The services' configCheck steps, after the deploys and before the health checks; none unless config was restored. */
export function configCheckSteps(services: ServiceConfig[], at: (command: string) => PlanCommand, configRestored: boolean, idPrefix = ''): PlanStep[] {
  if (!configRestored) return [];
  return services
    .filter((s) => s.configCheck)
    .map((s) => ({
      id: `${idPrefix}config-check-${s.name}`,
      kind: 'config' as const,
      service: s.name,
      title: `Check ${s.name} sees the restored configuration`,
      why: `services.${s.name}.configCheck asks the recreated service itself: a file put back on disk proves nothing until the process reads it.`,
      commands: [at(s.configCheck!)],
      destructive: false,
    }));
}
