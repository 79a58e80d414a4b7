// Another operator's rollback in progress on a target: the lock there (who, since, which run)
// and the copy of that run's journal beside it (which step of how many), in one command over
// the target's connection. "rollback of production by alice@laptop, step 6/12, since 03:12".
import type { CommandRunner } from '../ports';
import { shQuote, validatePath } from '../plan/shellQuote';
import { journalCopyFile } from './journalCopy';
import { readLock, type LockView } from './lock';

export interface RollbackInProgress {
  lock: LockView;
  /** From the journal copy, when it could be read. */
  step?: { number: number; total: number; title: string; outcome: string };
  status?: string;
  /** Where the copy is on the target (`<where>:<cwd>/.rollback/journals/<runId>.json`). */
  journalFile?: string;
  /** Why the journal copy could not be used, naming the host and the file. */
  journalProblem?: string;
  /** The copy's text as read (for Open Running Rollback's Journal). */
  journalText?: string;
  /** The one line the views show. */
  summary: string;
}

/** Reads the lock and its run's journal copy on the target; undefined when nobody holds the lock. Throws (LockError) when the lock cannot be read. */
export async function readRollbackInProgress(runner: CommandRunner, target: { cwd: string; environment: string; records?: string }): Promise<RollbackInProgress | undefined> {
  const cwd = validatePath(target.cwd);
  const lock = await readLock({ runner, cwd, environment: target.environment });
  if (!lock) return undefined;
  const out: RollbackInProgress = { lock, summary: '' };
  let file: string | undefined;
  try {
    file = journalCopyFile(lock.runId, target.records);
  } catch {
    out.journalProblem = `the lock on ${runner.where}:${cwd} names run ${JSON.stringify(lock.runId)}, which has no journal copy`;
  }
  if (file) {
    out.journalFile = `${runner.where}:${cwd}/${file}`;
    const r = await runner.run(`cd ${shQuote(cwd)} && { [ -e ${shQuote(file)} ] || exit 3; } && cat -- ${shQuote(file)}`, { timeoutMs: 30_000 });
    if (r.code === 3) out.journalProblem = `${out.journalFile} does not exist (that run's machine did not copy its journal there)`;
    else if (r.code !== 0) out.journalProblem = `${out.journalFile}: cannot read it (${r.stderr.trim() || (r.lost ? 'the connection was lost' : `exit ${r.code}`)})`;
    else Object.assign(out, { journalText: r.stdout }, progressOf(r.stdout, out.journalFile));
  }
  out.summary = summarize(out);
  return out;
}

function progressOf(text: string, file: string): Pick<RollbackInProgress, 'step' | 'status' | 'journalProblem'> {
  let j: { status?: unknown; plan?: { steps?: Array<{ id?: unknown; title?: unknown }> }; steps?: Array<{ stepId?: unknown; outcome?: unknown }> };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    return { journalProblem: `${file} is not valid JSON` };
  }
  const planSteps = Array.isArray(j.plan?.steps) ? j.plan.steps : [];
  const steps = Array.isArray(j.steps) ? j.steps : [];
  if (planSteps.length === 0) return { journalProblem: `${file} holds no plan steps`, status: typeof j.status === 'string' ? j.status : undefined };
  const outcome = (id: unknown) => String(steps.find((s) => s.stepId === id)?.outcome ?? 'pending');
  // The step running (or cut off) is the one it is at; else the first not yet done.
  let index = planSteps.findIndex((s) => ['running', 'unknown'].includes(outcome(s.id)));
  if (index < 0) index = planSteps.findIndex((s) => ['pending', 'failed'].includes(outcome(s.id)));
  if (index < 0) index = planSteps.length - 1;
  const s = planSteps[index];
  return { status: typeof j.status === 'string' ? j.status : undefined, step: { number: index + 1, total: planSteps.length, title: String(s.title ?? s.id), outcome: outcome(s.id) } };
}

/** "03:12" for a time today, else the date and time, in UTC (the operators may be in different zones). */
function clock(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t).toISOString();
  return d.slice(0, 10) === new Date().toISOString().slice(0, 10) ? `${d.slice(11, 16)} UTC` : `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

function summarize(p: RollbackInProgress): string {
  const { lock } = p;
  const step = p.step ? `, step ${p.step.number}/${p.step.total} (${p.step.title}${p.step.outcome === 'running' ? '' : `: ${p.step.outcome}`})` : '';
  const ended = p.status && p.status !== 'running' ? `, its journal says ${p.status}` : '';
  return `rollback of ${lock.environment} by ${lock.who}${step}${ended}, since ${clock(lock.since)}`;
}
