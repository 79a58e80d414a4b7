import { readTargetFacts } from '../../app/targetFacts';
import { environmentCwd } from '../../app/environments';
import { resumableRuns, runProgress, type RollbackJournal } from '../../core/run';
import { readRollbackInProgress, type RollbackInProgress } from '../../core/run/rollbackInProgress';
import type { CliCommand, CliContext } from '../command';
import { EXIT } from '../exitCodes';
import { releaseLines } from './releases';
import { readFleetStatus } from './fleetStatusLines';
import { isFleet } from '../../app/fleetPlanning';
import type { CliServices } from '../services';
import type { EnvironmentConfig } from '../../core/config/types';
import type { ReleaseListing } from '../../core/releases';
import type { Terminal } from '../terminal';
import { ENV_OPTION, environmentPrologue, JSON_OPTION } from './shared';

export const statusCommand: CliCommand = {
  name: 'status',
  usage: '[--env E] [--json]',
  summary: "what runs on the environment's target, the releases with their marks, the lock, a running rollback",
  description: `Reads the environment's target (over SSH for a remote host): the commit it runs and its
pre-deploy snapshot, the team's records there (deploys, bad marks), and the lock with the
journal copy of a rollback in progress; then prints the releases with the deployed,
last-known-good and bad marks as they follow from it, and the runs in .rollback/journals that
can be resumed. For a fleet (hosts: or inventory:): what each host runs, read on every host
as the Releases view reads it ("4 hosts — 3 on v1.3.0, web-04 on v1.2.0"), and each host's
lock. Nothing is changed.`,
  options: [ENV_OPTION, JSON_OPTION],
  readsOperatorAlongside: true,
  async run(ctx, options) {
    const started = await environmentPrologue(ctx, options);
    if ('exit' in started) return started.exit;
    const { s, config, name, env } = started;
    if (isFleet(env)) return fleetStatus(ctx, options.json === true, s, env);
    const read = await readTargetFacts(s.workspace, s.sessions, config, name, { tags: true }).catch((e: Error) => e);
    // A target this repository cannot follow (a revert commit a rollback made there, a host gone): the deploy records decide, as in the extension.
    if (read instanceof Error) {
      s.workspace.useTargetFacts(undefined);
      s.ui.presenter.warn(`Could not read what ${name} (${env.host}) runs: ${read.message}. The marks below come from the deploy records.`);
    }
    const onTarget = read instanceof Error ? undefined : read;
    const listing = await s.workspace.releases();
    const runner = s.sessions.runnerFor(env.host);
    let inProgress: Awaited<ReturnType<typeof readRollbackInProgress>> | Error;
    try {
      inProgress = await readRollbackInProgress(runner, { cwd: environmentCwd(env, s.root), environment: name, records: env.records }).catch((e: Error) => e);
    } finally {
      await runner.dispose().catch(() => undefined);
    }
    const local = (await resumableRuns(s.sessions.journals).catch(() => [])).filter((j) => j.plan.environment === name);
    if (options.json) {
      ctx.term.out(s.redactor.redact(JSON.stringify({
        environment: name,
        where: env.host,
        target: read instanceof Error ? { problem: read.message } : onTarget && { sha: onTarget.sha, tags: onTarget.tags, snapshot: onTarget.snapshot, readAt: onTarget.readAt },
        releases: listing.releases,
        notes: listing.notes,
        lock: inProgress instanceof Error ? { problem: inProgress.message } : inProgress ?? null,
        resumable: resumableJson(local),
      }, null, 2)));
      return EXIT.ok;
    }
    const t = ctx.term;
    const out: string[] = [];
    out.push(t.style(`${name} (${env.host}${env.host === 'local' ? '' : `:${env.path}`})`, 'bold', 'out'));
    if (read instanceof Error) out.push(t.style(`what it runs could not be read (see above)`, 'yellow', 'out'));
    else if (onTarget) out.push(`runs ${onTarget.sha.slice(0, 12)}${onTarget.tags?.length ? ` (${onTarget.tags.join(', ')})` : ''}, read at ${onTarget.readAt}${onTarget.snapshot?.sha ? `; pre-deploy snapshot ${onTarget.snapshot.sha.slice(0, 12)}` : ''}${onTarget.snapshot?.problem ? `; snapshot: ${onTarget.snapshot.problem}` : ''}`);
    else out.push('image strategy: the target answers (its preflight checks docker and the images)');
    if (inProgress instanceof Error) out.push(t.style(`lock: could not be read (${inProgress.message})`, 'yellow', 'out'));
    else if (inProgress) out.push(t.style(lockedLine(inProgress), 'yellow', 'out'));
    else out.push('lock: free (no rollback in progress there)');
    printWithRuns(t, s, out, local, listing);
    // Nothing could be read there at all: the host did not answer.
    return read instanceof Error && inProgress instanceof Error ? EXIT.refused : EXIT.ok;
  },
};

/** A fleet: what each host runs and each host's lock, then the releases and the runs here that can be resumed. */
async function fleetStatus(ctx: CliContext, json: boolean, s: CliServices, env: EnvironmentConfig): Promise<number> {
  const read = await readFleetStatus(s, env);
  const listing = await s.workspace.releases();
  const local = (await resumableRuns(s.sessions.journals).catch(() => [])).filter((j) => j.plan.environment === env.name);
  if (json) {
    ctx.term.out(s.redactor.redact(JSON.stringify({
      environment: env.name,
      fleet: { summary: read.text, mixed: read.mixed, groups: read.groups, readAt: read.readAt, ...(read.problem ? { problem: read.problem } : {}) },
      locks: read.locks.map((l) => ({ host: l.host, lock: l.lock ?? null, ...(l.problem ? { problem: l.problem } : {}) })),
      releases: listing.releases,
      notes: listing.notes,
      resumable: resumableJson(local),
    }, null, 2)));
    return read.problem ? EXIT.refused : EXIT.ok;
  }
  const t = ctx.term;
  const out: string[] = [t.style(`${env.name} (fleet)`, 'bold', 'out')];
  out.push(read.mixed ? t.style(`${read.text} (mixed)`, 'yellow', 'out') : read.text);
  for (const l of read.locks) {
    if (l.problem) out.push(t.style(`${l.host}: lock could not be read (${l.problem})`, 'yellow', 'out'));
    else if (l.lock) out.push(t.style(`${l.host}: ${lockedLine(l.lock)}`, 'yellow', 'out'));
  }
  if (read.locks.length && read.locks.every((l) => !l.lock && !l.problem)) out.push(`locks: free on all ${read.locks.length} hosts`);
  printWithRuns(t, s, out, local, listing);
  return read.problem ? EXIT.refused : EXIT.ok;
}

function lockedLine(inProgress: RollbackInProgress): string {
  return `LOCKED: ${inProgress.summary || `rollback by ${inProgress.lock.who} since ${inProgress.lock.since}`} (run ${inProgress.lock.runId})`;
}

function resumableJson(local: RollbackJournal[]): object[] {
  return local.map((j) => ({ runId: j.runId, status: j.status, progress: runProgress(j), operator: j.operator, machine: j.machine, from: j.plan.from.name, to: j.plan.to.name }));
}

/** `out` (what was read on the target), then the runs here that can be resumed and the newest releases, on stdout; the listing's notes on stderr. */
function printWithRuns(t: Terminal, s: CliServices, out: string[], local: RollbackJournal[], listing: ReleaseListing): void {
  for (const j of local) out.push(`resumable here: ${j.runId} ${j.plan.from.name} → ${j.plan.to.name} (${j.status} · ${runProgress(j)} · ${j.operator}) — rollback-pilot resume ${j.runId}`);
  out.push('', ...releaseLines(listing.releases.slice(0, 15), t));
  if (listing.releases.length > 15) out.push(`… ${listing.releases.length - 15} older (rollback-pilot releases --limit 0)`);
  for (const note of listing.notes) t.err(s.redactor.redact(note));
  t.out(s.redactor.redact(out.join('\n')));
}
