import type { ServiceConfig } from '../config/types';
import { PlanError } from './planError';
import { shQuote, validateImageRef } from './shellQuote';
import { say } from './shellSay';
import { PREFLIGHT_REPORT } from './preflight';
import { DEPLOY_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import { deployedCommand } from '../snapshot/deployedImages';
import type { PlanCommand, PlanStep, ReleaseRef } from './types';

type At = (command: string, extra?: Partial<PlanCommand>) => PlanCommand;

export interface ImagePreflightInput {
  at: At;
  /** "local" or the SSH destination, for the messages. */
  where: string;
  /** The services the image strategy redeploys (those with an `image`). */
  services: ServiceConfig[];
  to: ReleaseRef;
  /** environments.<name>.imageCheck: exits 0 when {image} exists; replaces the docker checks. */
  imageCheck?: string;
  /** environments.<name>.deployed: prints what a service runs ({service}); reported, never fatal. */
  deployed?: string;
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
 * (`docker manifest inspect`), or, with the environment's `imageCheck`, as that command says
 * (then docker itself is not asked). A missing image stops the run here, not half way through
 * the services with some of them already redeployed. What each service runs now (the
 * `deployed` command) is reported beside it.
 */
export function imagePreflightStep(input: ImagePreflightInput): PlanStep {
  const { at, where, to, imageCheck } = input;
  const lines = [`printf 'on %s as %s\\n' "$(hostname)" "$(id -un)"`];
  if (imageCheck) {
    const quoting = templateQuotingProblem(imageCheck, DEPLOY_PLACEHOLDERS);
    if (quoting) throw new PlanError(`rollback.yml environments: imageCheck "${imageCheck}" cannot be filled in safely: ${quoting}`);
  } else {
    lines.push(
      `command -v docker >/dev/null 2>&1 || ${refuse(`docker is not callable on ${where} (not installed, or not on the PATH of this login)`)}`,
      `docker version >/dev/null 2>&1 || ${refuse(`docker on ${where} does not answer (docker version failed: is the daemon running, may this user use it?)`)}`,
    );
  }
  const refs: string[] = [];
  const reports: string[] = [];
  for (const svc of input.services) {
    const ref = imageRefFor(svc, to);
    refs.push(ref);
    const q = shQuote(ref);
    if (imageCheck) {
      lines.push(`err=$( { ${imageCheck.replace(/\{image\}/g, q)} ; } 2>&1 >/dev/null) || { err=$(printf '%s\\n' "$err" | grep . | tail -n 1); ${refuseWith([`image ${ref} (${svc.name}, ${to.name}) is not there: imageCheck failed on ${where}`], 'err')}; }`);
    } else {
      lines.push(`{ docker image inspect ${q} >/dev/null 2>&1 || docker manifest inspect ${q} >/dev/null 2>&1; } || ${refuse(`image ${ref} (${svc.name}, ${to.name}) is neither on ${where} nor in its registry; push it or pick another release`)}`);
    }
    // What runs now, for the journal and the preview's results: reported once every image passed, never fatal (a container may be down already).
    const running = deployedCommand({ deployed: input.deployed }, svc.name);
    if ('problem' in running) throw new PlanError(`rollback.yml environments: ${running.problem}`);
    reports.push(
      `r=$( { ${running.command} ; } 2>/dev/null | head -n 1 | tr -d '\\000-\\037'); if [ -n "$r" ]; then ${say([`${PREFLIGHT_REPORT}${svc.name} runs `, { variable: 'r' }, ` now; ${ref} is there`], 'out')}; else ${say([`${PREFLIGHT_REPORT}${ref} is there; what ${svc.name} runs now could not be read on ${where}`], 'out')}; fi`,
    );
  }
  lines.push(...reports);
  return {
    id: 'preflight-image',
    kind: 'snapshot',
    title: refs.length ? `Check ${imageCheck ? '' : 'docker and '}${refs.length === 1 ? 'the image' : `the ${refs.length} images`} of ${to.name} on the target` : 'Check docker on the target',
    why: `Before anything changes: ${where} answers, ${imageCheck ? 'the environment\'s imageCheck command passes for each image' : 'docker is callable there'}${refs.length ? `, and ${refs.join(', ')} exist${refs.length === 1 ? 's' : ''}${imageCheck ? '' : ' (on the target or in the registry)'}` : ''}. If not, the run stops here with nothing changed. What each service runs now is reported.`,
    commands: [at(lines.join('\n'))],
    destructive: false,
  };
}

/** The message, then what the failed check said (in $var) when it said anything; exit 1. */
function refuseWith(parts: string[], variable: string): string {
  return `{ if [ -n "$${variable}" ]; then ${say([...parts, ': ', { variable }])}; else ${say(parts)}; fi; exit 1; }`;
}
