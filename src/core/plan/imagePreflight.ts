import type { ServiceConfig } from '../config/types';
import { PlanError } from './planError';
import { shQuote, validateImageRef } from './shellQuote';
import type { PlanCommand, PlanStep, ReleaseRef } from './types';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

export interface ImagePreflightInput {
  at: At;
  /** "local" or the SSH destination, for the messages. */
  where: string;
  /** The services the image strategy redeploys (those with an `image`). */
  services: ServiceConfig[];
  to: ReleaseRef;
}

/** The image of `to` for one service, exactly as the pull step names it (the same `{tag}`/`{sha}` placeholders). */
export function imageRefFor(svc: ServiceConfig, to: ReleaseRef): string {
  if (!svc.image) throw new PlanError(`service ${svc.name} has no image for the image strategy`);
  return validateImageRef(svc.image.replace(/\{tag\}/g, to.name).replace(/\{sha\}/g, to.sha));
}

/** `printf` of a fixed message to stderr, then exit 1: the message is data, never shell text. */
function refuse(message: string): string {
  return `{ printf '%s\\n' ${shQuote(message)} >&2; exit 1; }`;
}

/**
 * The image strategy's preflight, before anything changes: the target answers (the step runs
 * there at all, and says as whom), docker is callable and its daemon answers, and every image
 * the plan will pull exists, on the target already (`docker image inspect`) or in its registry
 * (`docker manifest inspect`). A missing image stops the run here, not half way through the
 * services with some of them already redeployed.
 */
export function imagePreflightStep(input: ImagePreflightInput): PlanStep {
  const { at, where, to } = input;
  const lines = [
    `printf 'on %s as %s\\n' "$(hostname)" "$(id -un)"`,
    `command -v docker >/dev/null 2>&1 || ${refuse(`docker is not callable on ${where} (not installed, or not on the PATH of this login)`)}`,
    `docker version >/dev/null 2>&1 || ${refuse(`docker on ${where} does not answer (docker version failed: is the daemon running, may this user use it?)`)}`,
  ];
  const refs: string[] = [];
  for (const svc of input.services) {
    const ref = imageRefFor(svc, to);
    refs.push(ref);
    const q = shQuote(ref);
    lines.push(`{ docker image inspect ${q} >/dev/null 2>&1 || docker manifest inspect ${q} >/dev/null 2>&1; } || ${refuse(`image ${ref} (${svc.name}, ${to.name}) is neither on ${where} nor in its registry; push it or pick another release`)}`);
  }
  return {
    id: 'preflight-image',
    kind: 'snapshot',
    title: refs.length ? `Check docker and ${refs.length === 1 ? 'the image' : `the ${refs.length} images`} of ${to.name} on the target` : 'Check docker on the target',
    why: `Before anything changes: ${where} answers, docker is callable there${refs.length ? `, and ${refs.join(', ')} exist${refs.length === 1 ? 's' : ''} (on the target or in the registry)` : ''}. If not, the run stops here with nothing changed.`,
    commands: [at(lines.join('\n'))],
    destructive: false,
  };
}
