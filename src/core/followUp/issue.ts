// "File a follow-up issue with the failure mode" (runbook 001), prefilled from the journal:
// what was rolled back and why, what the run did (failed and skipped steps first), the
// checks, the CI of the release rolled back to, and what is left to do (the forward fix,
// the action items, feature flags, the post-mortem). Redacted before anything leaves.
import { loadChecklistFromJournal } from '../checklist/state';
import { patternsOnly, type Redactor } from '../redact/redactor';
import { clause, sentence } from '../plan/sentence';
import type { RollbackJournal } from '../run/journalTypes';
import { describeCi, type CiResult } from './ciStatus';
import type { RemoteRepo } from './remote';

export interface FollowUpIssue {
  title: string;
  body: string;
}

export interface IssueInput {
  redactor?: Pick<Redactor, 'redact'>;
  ci?: CiResult;
  /** The post-mortem's path in the repository, when one was written. */
  postmortem?: string;
}

const short = (sha: string): string => sha.slice(0, 12);
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
const MARK: Record<string, string> = { ok: '✔', failed: '✖', skipped: '⏭', unknown: '?', running: '…', pending: '·' };

export function followUpIssue(journal: RollbackJournal, input: IssueInput = {}): FollowUpIssue {
  const redact = (s: string): string => (input.redactor ?? patternsOnly).redact(s);
  const { plan } = journal;
  const checklist = loadChecklistFromJournal(journal).state;
  const reason = clause(plan.reason);
  const title = oneLine(`Follow-up: ${plan.environment} rolled back ${plan.from.name} → ${plan.to.name}: ${reason}`).slice(0, 200);

  const out: string[] = ['## What happened', ''];
  out.push(sentence(`${plan.environment} (${plan.where}) was rolled back from **${plan.from.name}** (\`${short(plan.from.sha)}\`) to **${plan.to.name}** (\`${short(plan.to.sha)}\`) on ${journal.decidedAt.slice(0, 10)} by ${journal.operator}`));
  out.push('', `**Failure mode** (the reason given at the decision): ${sentence(reason)}`);
  const noted = checklist.items.find((i) => i.id === 'document-state')?.text?.trim();
  if (noted) out.push('', `**Noted during the incident:** ${oneLine(noted)}`);
  const change = checklist.items.find((i) => i.id === 'identify-change')?.text?.trim();
  if (change) out.push('', `**The change:** ${oneLine(change)}`);
  out.push('', `Run \`${journal.runId}\`: ${journal.status}${journal.finishedAt ? `, finished ${journal.finishedAt.replace('T', ' ').slice(0, 16)} UTC` : ''}.`);

  const outcome = new Map(journal.steps.map((s) => [s.stepId, s]));
  const steps = plan.steps.map((s) => ({ s, j: outcome.get(s.id) }));
  const notOk = steps.filter(({ j }) => j && j.outcome !== 'ok');
  out.push('', '## What the run did', '');
  for (const { s, j } of [...notOk, ...steps.filter((x) => !notOk.includes(x))]) {
    const o = j?.outcome ?? 'pending';
    const why = j?.skippedReason ?? j?.detail;
    out.push(`- ${MARK[o] ?? '·'} ${s.title} — ${o}${why ? `: ${oneLine(why).slice(0, 300)}` : ''}`);
  }

  // A smoke flow's checks carry a name (newer checklists); a health probe its URL.
  const checkName = (c: { url: string }): string => ('name' in c && typeof c.name === 'string' && c.name ? c.name : c.url);
  const checks = checklist.checks.filter((c) => checkName(c));
  if (checks.length) {
    out.push('', '## Checks (the last result of each)', '');
    const last = new Map<string, (typeof checks)[number]>();
    for (const c of checks) last.set(`${c.stepId} ${checkName(c)}`, c);
    for (const c of last.values()) out.push(`- ${c.ok ? '✔' : '✖'} ${c.service ? `${c.service}: ` : ''}${checkName(c)}${c.status !== null ? ` → ${c.status}` : ''}${c.error ? ` (${oneLine(c.error).slice(0, 200)})` : ''}`);
  }

  if (input.ci) out.push('', '## CI of the release rolled back to', '', sentence(describeCi(input.ci)));

  out.push('', '## To do', '', `- [ ] Forward-fix the original problem in a release after ${plan.from.name} (the rollback is temporary)`);
  for (const a of checklist.actionItems.filter((x) => !x.done)) out.push(`- [ ] ${oneLine(a.text)}${a.owner ? ` (${a.owner})` : ''}`);
  out.push(`- [ ] Disable the feature flags ${plan.from.name} turned on`);
  if (!input.ci || input.ci.state !== 'success') out.push(`- [ ] Confirm ${plan.to.name} passed CI`);
  out.push(input.postmortem ? `- [ ] Finish the post-mortem: ${input.postmortem}` : '- [ ] Write the post-mortem (Rollback: Start Post-mortem)');
  out.push('', `_Filed from the rollback journal \`.rollback/journals/${journal.runId}.json\` by Rollback Pilot._`);
  return { title: redact(title), body: redact(out.join('\n')) };
}

/** The longest body a new-issue URL carries (browsers and forges cut longer URLs). */
const URL_BODY_LIMIT = 6000;

/** The forge's new-issue page with the issue prefilled, or undefined for a forge it does not know. */
export function newIssueUrl(remote: RemoteRepo, issue: FollowUpIssue): string | undefined {
  const body = issue.body.length > URL_BODY_LIMIT ? `${issue.body.slice(0, URL_BODY_LIMIT)}\n\n… (cut to fit the link; the journal has the rest)` : issue.body;
  if (remote.kind === 'github') return `${remote.web}/issues/new?${new URLSearchParams({ title: issue.title, body }).toString()}`;
  if (remote.kind === 'gitlab') return `${remote.web}/-/issues/new?${new URLSearchParams({ 'issue[title]': issue.title, 'issue[description]': body }).toString()}`;
  return undefined;
}

/** The issue's address from what the configured command printed (gh issue create prints it). */
export function issueUrlFromOutput(stdout: string): string | undefined {
  const urls = [...stdout.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0].replace(/[).,]+$/, ''));
  return urls.find((u) => /\/(issues|-\/issues)\/\d+/.test(u)) ?? urls.at(-1);
}
