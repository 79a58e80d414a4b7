// What image each service runs on an image-strategy target, read there with the environment's
// `deployed:` command ({service} filled in), or by default with docker inspect of the
// container Compose labels with the service's name (else a container named like the service).
// Its first line is the reference, optionally followed by the image id or digest.
import type { EnvironmentConfig, ServiceConfig } from '../config/types';
import { DEPLOYED_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import type { CommandRunner } from '../ports';
import { shQuote } from '../plan/shellQuote';

export interface DeployedImage {
  service: string;
  /** The reference the container was started from (registry/app:v1.3.0). */
  image?: string;
  /** The image id or digest beside it (sha256:…), when the command printed one. */
  id?: string;
  /** Why it could not be read, naming the host and the command. */
  problem?: string;
}

/** The default `deployed:` command: Compose's container of the service, else one named like it. */
export const DEFAULT_DEPLOYED = `c=$(docker ps -q --filter label=com.docker.compose.service={service} | head -n 1); [ -n "$c" ] || c={service}; docker inspect --format '{{.Config.Image}} {{.Image}}' "$c"`;

/** The command that prints the image of `service`, or a problem with the template. */
export function deployedCommand(env: Pick<EnvironmentConfig, 'deployed'>, service: string): { command: string } | { problem: string } {
  const template = env.deployed ?? DEFAULT_DEPLOYED;
  const quoting = env.deployed ? templateQuotingProblem(template, DEPLOYED_PLACEHOLDERS) : undefined;
  if (quoting) return { problem: `deployed: "${template}" cannot be filled in safely: ${quoting}` };
  return { command: template.replace(/\{service\}/g, shQuote(service)) };
}

const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 200);

/** Parses the first line the command printed: "<reference> [<id or digest>]". */
export function parseDeployedLine(stdout: string): { image?: string; id?: string } {
  const [image, id] = clean(stdout.trim().split('\n')[0] ?? '').split(/\s+/);
  return { ...(image ? { image } : {}), ...(id ? { id } : {}) };
}

/**
 * Reads, on the target, the image every service with an `image` runs. Never throws: a
 * service whose image cannot be read comes back with its problem (docker not there, no
 * such container), which the snapshot records and the messages show.
 */
export async function readDeployedImages(runner: CommandRunner, env: Pick<EnvironmentConfig, 'deployed'>, services: ServiceConfig[], cwd?: string): Promise<DeployedImage[]> {
  const out: DeployedImage[] = [];
  for (const svc of services.filter((s) => s.image)) {
    const cmd = deployedCommand(env, svc.name);
    if ('problem' in cmd) {
      out.push({ service: svc.name, problem: cmd.problem });
      continue;
    }
    try {
      const r = await runner.run(cmd.command, { cwd, timeoutMs: 30_000 });
      const read = parseDeployedLine(r.stdout);
      if (r.code === 0 && read.image) out.push({ service: svc.name, ...read });
      else out.push({ service: svc.name, problem: `${runner.where}: the image of ${svc.name} could not be read (${env.deployed ? 'deployed:' : 'docker inspect'} ${r.code === 0 ? 'printed nothing' : `failed: ${clean((r.stderr || r.stdout).trim().split('\n').slice(-1)[0] || (r.lost ? 'the connection was lost' : `exit ${r.code}`))}`})` });
    } catch (e) {
      out.push({ service: svc.name, problem: `${runner.where}: the image of ${svc.name} could not be read (${(e as Error).message})` });
    }
  }
  return out;
}

/** "api runs registry/app:v1.3.0 (sha256:1a2b…)": how the messages show one. */
export function describeDeployedImage(d: DeployedImage): string {
  if (!d.image) return `${d.service}: ${d.problem ?? 'unknown image'}`;
  return `${d.service} runs ${d.image}${d.id ? ` (${d.id.length > 19 ? `${d.id.slice(0, 19)}…` : d.id})` : ''}`;
}
