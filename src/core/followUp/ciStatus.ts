// "Confirm the rolled-back release passed CI" (runbook 001): a command the team configures
// (followUp.ciStatus) asks the CI about the commit rolled back to; its output says one of
// success / failure / pending, or a JSON object with a state, status or conclusion. A command
// that fails, times out or says something else is "unknown" — never counted as passed.
import type { CommandRunner, ExecResult } from '../ports';
import { shQuote } from '../plan/shellQuote';
import { CI_PLACEHOLDERS, fillTemplate } from './template';
import type { RemoteRepo } from './remote';

export type CiState = 'success' | 'failure' | 'pending' | 'none' | 'unknown';

export interface CiResult {
  state: CiState;
  /** What the CI said, or why it could not be asked. */
  detail: string;
  /** The command that ran (undefined when none could). */
  command?: string;
  release: { name: string; sha: string };
}

/**
 * The default with GitHub's CLI: the commit's check runs (GitHub Actions) summed up as one
 * word, then its combined commit status (other CIs); the first line that is not "none" counts.
 */
export const GH_CI_STATUS =
  `gh api repos/{owner}/{repo}/commits/{sha}/check-runs --jq '[.check_runs[] | .conclusion // .status] | if length == 0 then "none" elif all(.[]; . == "success" or . == "skipped" or . == "neutral") then "success" elif any(.[]; . == "queued" or . == "in_progress" or . == "pending" or . == "waiting" or . == "requested") then "pending" else "failure" end'` +
  ` && gh api repos/{owner}/{repo}/commits/{sha}/status --jq 'if .total_count == 0 then "none" else .state end'`;

const WORDS: Record<Exclude<CiState, 'unknown'>, readonly string[]> = {
  success: ['success', 'succeeded', 'passed', 'pass', 'ok', 'green', 'successful'],
  failure: ['failure', 'failed', 'fail', 'error', 'errored', 'cancelled', 'canceled', 'timed_out', 'action_required', 'startup_failure', 'red', 'broken'],
  pending: ['pending', 'queued', 'in_progress', 'running', 'waiting', 'requested', 'created', 'preparing', 'scheduled', 'waiting_for_resource', 'manual'],
  none: ['none', 'no_status', 'not_found'],
};

function stateOfWord(word: string): CiState | undefined {
  const w = word.trim().toLowerCase().replace(/^["']|["']$/g, '');
  for (const [state, words] of Object.entries(WORDS) as Array<[Exclude<CiState, 'unknown'>, readonly string[]]>) if (words.includes(w)) return state;
  return undefined;
}

function stateOfJson(text: string): CiState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value === 'string') return stateOfWord(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  for (const key of ['state', 'conclusion', 'status']) if (typeof o[key] === 'string') return stateOfWord(o[key]);
  return undefined;
}

const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The CI's answer read from the command's result. */
export function parseCiOutput(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr' | 'timedOut' | 'lost'>, command: string, release: CiResult['release']): CiResult {
  const out = r.stdout.trim();
  const err = r.stderr.trim();
  if (r.timedOut) return { state: 'unknown', detail: `the CI status command timed out${err ? `: ${clip(err)}` : ''}`, command, release };
  if (r.lost) return { state: 'unknown', detail: 'the CI status command lost its connection', command, release };
  if (r.code !== 0) return { state: 'unknown', detail: `the CI status command failed (exit ${r.code ?? 'by signal'})${err || out ? `: ${clip(err || out)}` : ''}`, command, release };
  if (out === '') return { state: 'none', detail: 'the CI status command printed nothing: no CI result for this commit', command, release };
  // Several lines (the default asks two APIs): the first that says more than "none" counts.
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const states = lines.map((l) => stateOfJson(l) ?? stateOfWord(l));
  const whole = lines.length > 1 ? stateOfJson(out) : undefined;
  const k = whole ? -1 : states.findIndex((st) => st !== 'none');
  const firstLine = k >= 0 ? lines[k] : lines[0];
  const state = whole ?? (k >= 0 ? states[k] : states[0]);
  if (!state) return { state: 'unknown', detail: `the CI status command printed ${JSON.stringify(clip(firstLine, 80))}, which is none of success, failure, pending`, command, release };
  return { state, detail: clip(whole ? out.replace(/\s+/g, ' ') : firstLine, 80), command, release };
}

const SAYS: Record<CiState, string> = {
  success: 'passed CI',
  failure: 'FAILED CI: you are running code CI did not pass, a separate incident (runbook 001)',
  pending: 'CI is still running',
  none: 'has no CI result: nothing confirms it was tested',
  unknown: 'CI status unknown',
};

/** The line the checklist and the journal show: "v1.3.0 (3f2a…) passed CI (gh api …: success)". */
export function describeCi(r: CiResult): string {
  return `${r.release.name} (${r.release.sha.slice(0, 12)}) ${SAYS[r.state]}${r.state === 'unknown' ? `: ${r.detail}` : ` (${r.detail})`}`;
}

/** Whether `gh` is on PATH and logged in to the remote's host: then GH_CI_STATUS is the default. */
export async function ghAvailable(runner: CommandRunner, cwd: string, remote: RemoteRepo | undefined): Promise<boolean> {
  if (remote?.kind !== 'github') return false;
  const r = await runner.run(`command -v gh >/dev/null 2>&1 && gh auth status --hostname ${shQuote(remote.host)} >/dev/null 2>&1`, { cwd, timeoutMs: 15_000 }).catch(() => undefined);
  return r?.code === 0 && !r.lost;
}

export interface CiCheckInput {
  runner: CommandRunner;
  cwd: string;
  /** followUp.ciStatus; without it, GH_CI_STATUS when gh is available. */
  template?: string;
  release: { name: string; sha: string };
  remote?: RemoteRepo;
  timeoutMs?: number;
}

/** Asks the CI about the release rolled back to. Never throws: what went wrong is in the result. */
export async function checkCiStatus(input: CiCheckInput): Promise<CiResult> {
  const { release, remote } = input;
  const template = input.template ?? ((await ghAvailable(input.runner, input.cwd, remote)) ? GH_CI_STATUS : undefined);
  if (!template) {
    return { state: 'unknown', detail: `no CI status command: set followUp.ciStatus in rollback.yml (for example gh api repos/{owner}/{repo}/commits/{sha}/status --jq .state), or install GitHub's gh and log in (gh auth login)${remote ? '' : '; the git remote "origin" is not a GitHub URL either'}`, release };
  }
  const filled = fillTemplate(template, CI_PLACEHOLDERS, { sha: release.sha, tag: release.name, owner: remote?.owner, repo: remote?.repo }, 'followUp.ciStatus');
  if ('problem' in filled) return { state: 'unknown', detail: filled.problem, release };
  const r = await input.runner.run(filled.command, { cwd: input.cwd, timeoutMs: input.timeoutMs ?? 60_000 }).catch((e: Error) => ({ code: null, signal: null, stdout: '', stderr: e.message, durationMs: 0 }));
  return parseCiOutput(r, filled.command, release);
}
