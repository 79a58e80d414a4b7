import type { EnvironmentConfig, ServiceConfig } from '../config/types';
import type { CommandRunner, HttpPort } from '../ports';
import { shQuote, validatePath } from '../plan/shellQuote';

/** What ran on a target just before a deploy: the next rollback's target and baseline. */
export interface PredeploySnapshot {
  environment: string;
  where: string;
  at: string;
  sha: string;
  tag?: string;
  branch?: string;
  /** Uncommitted changes on the target's working tree (a deploy should not start on these). */
  dirty: boolean;
  services: Array<{ name: string; url?: string; status: number | null; ok: boolean; error?: string }>;
  /** Where the SHA was written on the target, when the environment names a snapshot file. */
  snapshotFile?: string;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/**
 * The runbooks' preflight: record the current SHA, tag, branch, working-tree state and
 * baseline health of every service on the target, and write the SHA to the environment's
 * snapshot file there (the format `git rev-parse HEAD > /tmp/pre-deploy-sha.txt` leaves).
 */
export async function takeSnapshot(input: {
  env: EnvironmentConfig;
  services: ServiceConfig[];
  runner: CommandRunner;
  http: HttpPort;
  /** The environment's working tree as the runner sees it (absolute for local targets). */
  cwd: string;
  now?: Date;
}): Promise<PredeploySnapshot> {
  const { env, runner, cwd } = input;
  validatePath(cwd);
  const run = async (cmd: string) => runner.run(cmd, { cwd, timeoutMs: 30_000 });
  const head = await run('git rev-parse --verify HEAD^{commit}');
  if (head.lost) throw new SnapshotError(`Lost the connection to ${runner.where} while reading HEAD; nothing was recorded.`);
  const sha = head.stdout.trim();
  if (head.code !== 0 || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new SnapshotError(`${runner.where}:${cwd} is not a git working tree with a commit (${(head.stderr || head.stdout).trim() || `exit ${head.code}`})`);
  }
  const tag = (await run('git describe --tags --exact-match HEAD 2>/dev/null || true')).stdout.trim() || undefined;
  const branch = (await run('git symbolic-ref --short -q HEAD || true')).stdout.trim() || undefined;
  const dirty = (await run('git status --porcelain --untracked-files=no')).stdout.trim().length > 0;

  const services: PredeploySnapshot['services'] = [];
  for (const svc of input.services) {
    if (!svc.health) continue;
    const url = svc.health.url;
    if (runner.where === 'local') {
      const r = await input.http.get(url, Math.min(svc.health.timeoutMs, 10_000));
      services.push({ name: svc.name, url, status: r.status, ok: r.status === svc.health.expect, error: r.error });
    } else {
      // The health URL is often only reachable on the host itself (localhost:3101).
      const r = await run(`curl -s -o /dev/null -m 10 -w '%{http_code}' ${shQuote(url)}`);
      const status = Number(r.stdout.trim()) || null;
      services.push({ name: svc.name, url, status, ok: status === svc.health.expect, error: r.code === 0 ? undefined : r.stderr.trim() || `curl exit ${r.code}` });
    }
  }

  let snapshotFile: string | undefined;
  if (env.snapshot) {
    snapshotFile = validatePath(env.snapshot);
    const w = await run(`printf '%s\\n' ${shQuote(sha)} > ${shQuote(snapshotFile)}`);
    if (w.code !== 0) throw new SnapshotError(`Could not write ${snapshotFile} on ${runner.where}: ${w.stderr.trim() || `exit ${w.code}`}`);
  }
  return { environment: env.name, where: runner.where, at: (input.now ?? new Date()).toISOString(), sha, tag, branch, dirty, services, snapshotFile };
}
