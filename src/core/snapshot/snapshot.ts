import type { BackupConfig, EnvironmentConfig, ServiceConfig } from '../config/types';
import type { BackupRecord } from '../backups/backupsLog';
import { takeBackup } from '../backups/takeBackup';
import { readDeployedImages, type DeployedImage } from './deployedImages';
import type { CommandRunner, HttpPort } from '../ports';
import { snapshotDir } from '../plan/configFromSnapshot';
import { shQuote, validatePath, validateRelativePath } from '../plan/shellQuote';

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
  /** Image strategy: what each service with an image runs there (environments.<name>.deployed). */
  images?: DeployedImage[];
  /** With migrations.backup.create: the backup taken now, as recorded in the backups log on the target. */
  backup?: BackupRecord & { log: string };
  /** The record kept on the target (`.rollback/snapshots/<sha>.json`) and the ignored config files copied beside it. */
  onTarget?: { file: string; freeDiskKb?: number; files: Array<{ path: string; sha256: string }>; tracked: string[]; absent: string[] };
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
  /** migrations.backup: with `create`, the backup is taken and recorded in the backups log. */
  backup?: BackupConfig;
  /** Who records it ("user@machine"), kept in the backups log. */
  by?: string;
}): Promise<PredeploySnapshot> {
  const { env, runner, cwd } = input;
  validatePath(cwd);
  const run = async (cmd: string, stdin?: string) => runner.run(cmd, { cwd, timeoutMs: 30_000, input: stdin });
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
  const snapshot: PredeploySnapshot = { environment: env.name, where: runner.where, at: (input.now ?? new Date()).toISOString(), sha, tag, branch, dirty, services, snapshotFile };
  if (input.services.some((s) => s.image)) snapshot.images = await readDeployedImages(runner, env, input.services, cwd);
  const create = input.backup?.create;
  if (create) {
    // The runbook's step 2: the backup a rollback to this release restores, checksummed on the target.
    snapshot.backup = await takeBackup({ runner, cwd, environment: env.name, backup: { ...input.backup, create }, release: { sha, ...(tag ? { tag } : {}) }, by: input.by, timeoutMs: env.commandTimeoutMs }).catch((e: Error) => {
      throw new SnapshotError(`${e.message}; the SHA was ${snapshotFile ? `written to ${snapshotFile}` : 'read'}, but the snapshot is not complete`);
    });
  }
  snapshot.onTarget = await keepOnTarget(run, runner.where, cwd, env, snapshot);
  return snapshot;
}

/**
 * Writes `.rollback/snapshots/<sha>.json` on the target and copies there every file of
 * configFiles that git does not track (with its sha256 in SHA256SUMS), so that a rollback to
 * this release can put them back byte for byte (configFromSnapshot.ts).
 */
async function keepOnTarget(run: (cmd: string, input?: string) => Promise<{ code: number | null; stdout: string; stderr: string }>, where: string, cwd: string, env: EnvironmentConfig, snap: PredeploySnapshot): Promise<NonNullable<PredeploySnapshot['onTarget']>> {
  const dir = snapshotDir(snap.sha);
  const files = env.configFiles.map(validateRelativePath).filter((f) => !/[*?[]/.test(f));
  const copy = [
    `d=${shQuote(dir)}`,
    `mkdir -p "$d/files" || exit 3`,
    `{ [ -e .rollback/.gitignore ] || printf '*\\n' > .rollback/.gitignore; }`,
    `: > "$d/SHA256SUMS.tmp" || exit 3`,
    ...files.map((f, i) => {
      const q = shQuote(f);
      return `if git ls-files --error-unmatch -- ${q} >/dev/null 2>&1; then echo 'RP_FILE ${i} tracked'; elif [ -f ${q} ]; then mkdir -p -- "$d/files/$(dirname -- ${q})" && cp -p -- ${q} "$d/files/"${q} && h=$(sha256sum < ${q}) && printf '%s  %s\\n' "\${h%% *}" ${q} >> "$d/SHA256SUMS.tmp" && echo "RP_FILE ${i} copied \${h%% *}" || exit 4; else echo 'RP_FILE ${i} absent'; fi`;
    }),
    `mv -f -- "$d/SHA256SUMS.tmp" "$d/SHA256SUMS" || exit 4`,
    `printf 'RP_DF %s\\n' "$(df -Pk . | awk 'NR == 2 { print $4 }')"`,
  ].join('\n');
  const r = await run(copy);
  if (r.code !== 0) throw new SnapshotError(`Could not keep the snapshot in ${where}:${cwd}/${dir}: ${r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`}`);
  const out: NonNullable<PredeploySnapshot['onTarget']> = { file: `${dir}.json`, files: [], tracked: [], absent: [] };
  for (const line of r.stdout.split('\n')) {
    const m = /^RP_FILE (\d+) (tracked|absent|copied)(?: ([0-9a-f]{64}))?$/.exec(line.trim());
    if (m) {
      const path = files[Number(m[1])];
      if (m[2] === 'copied' && m[3]) out.files.push({ path, sha256: m[3] });
      else if (m[2] === 'tracked') out.tracked.push(path);
      else out.absent.push(path);
    }
    const df = /^RP_DF (\d+)$/.exec(line.trim());
    if (df) out.freeDiskKb = Number(df[1]);
  }
  const record = { version: 1, ...snap, onTarget: undefined, freeDiskKb: out.freeDiskKb, configFiles: { copied: out.files, tracked: out.tracked, absent: out.absent } };
  const w = await run(`t=${shQuote(out.file)}.tmp.$$; cat > "$t" && mv -f -- "$t" ${shQuote(out.file)} || { rm -f -- "$t"; exit 4; }`, JSON.stringify(record, null, 2) + '\n');
  if (w.code !== 0) throw new SnapshotError(`Could not write ${where}:${cwd}/${out.file}: ${w.stderr.trim() || `exit ${w.code}`}`);
  return out;
}
