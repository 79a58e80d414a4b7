// What the extension itself remembers about releases: deploys it recorded, releases
// marked bad, and the pre-deploy snapshot. Kept as JSON in `.rollback/records.json`.
// The store never throws a corrupt file into the UI: it reports the problem (naming the
// file, line and column), works on empty records, and moves the corrupt file aside
// before its first write so nothing the user had is overwritten.
import { isFullSha } from './gitErrors';
import { jsonErrorOffset } from './jsonErrorOffset';

export interface DeployRecord {
  /** Full commit SHA that was deployed. */
  sha: string;
  /** ISO 8601 time of the deploy. */
  at: string;
  environment: string;
  tag?: string;
  /** ok: deployed and every check passed; unverified: deployed, but a health, smoke or log check failed or was skipped (never a last-known-good); rolled-back. */
  outcome?: 'ok' | 'unverified' | 'rolled-back';
}

export interface BadMark {
  sha: string;
  reason: string;
  /** ISO 8601 time of the mark. */
  at: string;
  by: string;
}

export interface ReleaseRecords {
  /** The SHA that was running before the latest deploy (from Record Pre-deploy Snapshot). */
  snapshotSha?: string;
  deploys: DeployRecord[];
  bad: BadMark[];
}

export class RecordsError extends Error {
  override readonly name = 'RecordsError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The file was written by a newer version of the extension: it is never moved aside or overwritten, only reported. */
export class NewerRecordsError extends RecordsError {
  constructor(message: string, file: string, readonly version: number) {
    super(message, file);
  }
}

/** A compare-and-swap write found the stored records changed since they were read (another operator wrote them). */
export class RecordsConflictError extends RecordsError {}

export function emptyRecords(): ReleaseRecords {
  return { deploys: [], bad: [] };
}

const FORMAT_VERSION = 1;

export function serializeRecords(records: ReleaseRecords): string {
  const body: Record<string, unknown> = { version: FORMAT_VERSION };
  if (records.snapshotSha) body.snapshotSha = records.snapshotSha;
  body.deploys = records.deploys;
  body.bad = records.bad;
  return JSON.stringify(body, null, 2) + '\n';
}

/** Parses and validates records.json; throws RecordsError naming `file` (and the line/column for JSON syntax errors). */
export function parseRecords(text: string, file: string): ReleaseRecords {
  if (text.trim() === '') return emptyRecords();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8 quotes the whole input in some messages; a large file would flood the UI.
    const msg = (e instanceof Error ? e.message : String(e))
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    const offset = jsonErrorOffset(text);
    if (offset >= 0) {
      const { line, column } = lineColumn(text, offset);
      throw new RecordsError(`${file}:${line}:${column}: not valid JSON (${msg})`, file, line, column);
    }
    throw new RecordsError(`${file}: not valid JSON (${msg})`, file);
  }
  const where = (path: string) => `${file}: ${path}`;
  if (!isObject(raw)) throw new RecordsError(`${where('top level')} must be an object with "deploys" and "bad"`, file);
  if (typeof raw.version === 'number' && Number.isInteger(raw.version) && raw.version > FORMAT_VERSION) {
    throw new NewerRecordsError(
      `${where('version')} is ${raw.version}: written by a newer version of Rollback Pilot (this one reads version ${FORMAT_VERSION}); update the extension — the file is left as it is`,
      file,
      raw.version,
    );
  }
  if (raw.version !== undefined && raw.version !== FORMAT_VERSION) {
    throw new RecordsError(`${where('version')} is ${JSON.stringify(raw.version)}; this extension reads version ${FORMAT_VERSION}`, file);
  }
  const records = emptyRecords();
  if (raw.snapshotSha !== undefined) {
    const p = shaProblem(raw.snapshotSha);
    if (p) throw new RecordsError(`${where('snapshotSha')} ${p}`, file);
    records.snapshotSha = raw.snapshotSha as string;
  }
  const deploys = raw.deploys ?? [];
  if (!Array.isArray(deploys)) throw new RecordsError(`${where('deploys')} must be a list`, file);
  deploys.forEach((d: unknown, i) => {
    const p = deployProblem(d);
    if (p) throw new RecordsError(`${where(`deploys[${i}]`)}: ${p}`, file);
    records.deploys.push(pickDeploy(d as DeployRecord));
  });
  const bad = raw.bad ?? [];
  if (!Array.isArray(bad)) throw new RecordsError(`${where('bad')} must be a list`, file);
  bad.forEach((b: unknown, i) => {
    const p = badProblem(b);
    if (p) throw new RecordsError(`${where(`bad[${i}]`)}: ${p}`, file);
    const m = b as BadMark;
    records.bad.push({ sha: m.sha, reason: m.reason, at: m.at, by: m.by });
  });
  return records;
}

/** Returns new records with the deploy added; throws a plain Error saying which field is wrong. */
export function recordDeploy(records: ReleaseRecords, deploy: DeployRecord): ReleaseRecords {
  const p = deployProblem(deploy);
  if (p) throw new Error(`Cannot record the deploy: ${p}`);
  return { ...records, deploys: [...records.deploys, pickDeploy(deploy)] };
}

/** Marks a SHA bad (replacing an earlier mark of the same SHA, so the newest reason shows). */
export function markBad(records: ReleaseRecords, mark: BadMark): ReleaseRecords {
  const p = badProblem(mark);
  if (p) throw new Error(`Cannot mark the release as bad: ${p}`);
  const entry = { sha: mark.sha, reason: mark.reason.trim(), at: mark.at, by: mark.by };
  return { ...records, bad: [...records.bad.filter((b) => b.sha !== mark.sha), entry] };
}

export function unmarkBad(records: ReleaseRecords, sha: string): ReleaseRecords {
  return { ...records, bad: records.bad.filter((b) => b.sha !== sha) };
}

/** Sets (or with undefined clears) the pre-deploy snapshot SHA. */
export function setSnapshot(records: ReleaseRecords, sha: string | undefined): ReleaseRecords {
  if (sha !== undefined) {
    const p = shaProblem(sha);
    if (p) throw new Error(`Cannot record the snapshot: snapshotSha ${p}`);
  }
  const next: ReleaseRecords = { deploys: records.deploys, bad: records.bad };
  if (sha !== undefined) next.snapshotSha = sha;
  return next;
}

/** Sets the outcome of the newest deploy of `sha` in `environment` (e.g. after it was rolled back). */
export function setDeployOutcome(
  records: ReleaseRecords,
  environment: string,
  sha: string,
  outcome: 'ok' | 'unverified' | 'rolled-back',
): ReleaseRecords {
  let index = -1;
  records.deploys.forEach((d, i) => {
    if (d.environment === environment && d.sha === sha && (index < 0 || Date.parse(d.at) >= Date.parse(records.deploys[index].at))) index = i;
  });
  if (index < 0) throw new Error(`No recorded deploy of ${sha.slice(0, 7)} to ${environment}`);
  const deploys = records.deploys.map((d, i) => (i === index ? { ...d, outcome } : d));
  return { ...records, deploys };
}

/**
 * What the views and the target selection use: the local records and the chosen
 * environment's target records together. A bad mark from either counts (the newer one's
 * reason shows when both marked the same release); a mark that came from the target says
 * where it is recorded. Deploys are the union (the same sha, time and environment once).
 * The team's snapshot SHA on the target wins over this machine's.
 */
export function mergeRecords(local: ReleaseRecords, target: ReleaseRecords | undefined, targetLocation: string): ReleaseRecords {
  if (!target) return local;
  const key = (d: DeployRecord) => `${d.sha} ${d.at} ${d.environment}`;
  const seen = new Set(local.deploys.map(key));
  const deploys = [...local.deploys, ...target.deploys.filter((d) => !seen.has(key(d)))];
  const bad = new Map<string, BadMark>(local.bad.map((b) => [b.sha, b]));
  for (const b of target.bad) {
    const mine = bad.get(b.sha);
    if (mine && Date.parse(mine.at) >= Date.parse(b.at)) continue;
    bad.set(b.sha, { ...b, reason: `${b.reason} (marked by ${b.by}, recorded on ${targetLocation})` });
  }
  const merged: ReleaseRecords = { deploys, bad: [...bad.values()] };
  const snapshotSha = target.snapshotSha ?? local.snapshotSha;
  if (snapshotSha) merged.snapshotSha = snapshotSha;
  return merged;
}

function pickDeploy(d: DeployRecord): DeployRecord {
  const out: DeployRecord = { sha: d.sha, at: d.at, environment: d.environment };
  if (d.tag !== undefined) out.tag = d.tag;
  if (d.outcome !== undefined) out.outcome = d.outcome;
  return out;
}

function deployProblem(d: unknown): string | undefined {
  if (!isObject(d)) return 'must be an object with sha, at and environment';
  const sha = shaProblem(d.sha);
  if (sha) return `sha ${sha}`;
  const at = timeProblem(d.at);
  if (at) return `at ${at}`;
  if (typeof d.environment !== 'string' || d.environment.trim() === '') return 'environment must be a non-empty string';
  if (d.tag !== undefined && (typeof d.tag !== 'string' || d.tag === '')) return 'tag must be a non-empty string when present';
  if (d.outcome !== undefined && d.outcome !== 'ok' && d.outcome !== 'unverified' && d.outcome !== 'rolled-back') {
    return `outcome must be "ok", "unverified" or "rolled-back", not ${JSON.stringify(d.outcome)}`;
  }
  return undefined;
}

function badProblem(b: unknown): string | undefined {
  if (!isObject(b)) return 'must be an object with sha, reason, at and by';
  const sha = shaProblem(b.sha);
  if (sha) return `sha ${sha}`;
  if (typeof b.reason !== 'string' || b.reason.trim() === '') return 'reason must say why the release is bad';
  const at = timeProblem(b.at);
  if (at) return `at ${at}`;
  if (typeof b.by !== 'string' || b.by.trim() === '') return 'by must name who marked it';
  return undefined;
}

function shaProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a full commit SHA (a string of 40 or 64 hex digits)';
  if (!isFullSha(v)) return `must be a full lowercase commit SHA (40 or 64 hex digits), not ${JSON.stringify(v)}`;
  return undefined;
}

function timeProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) {
    return `must be an ISO 8601 time such as 2024-05-01T12:00:00Z, not ${JSON.stringify(v)}`;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
