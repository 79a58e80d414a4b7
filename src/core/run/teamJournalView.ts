// Another operator's journal, as read from its copy on the target, for a read-only document:
// who, where, from which release to which, each step with its outcome, the latest events, and
// the stored JSON itself. Tolerant of a copy that is partial or from another version: what
// cannot be read is said, never guessed.

import { oneLine } from '../redact/displayText';

const MARK: Record<string, string> = { ok: '✅', failed: '❌', skipped: '⏭️', unknown: '❔', running: '▶️', pending: '·' };

type Loose = {
  runId?: unknown; operator?: unknown; machine?: unknown; status?: unknown; startedAt?: unknown; finishedAt?: unknown;
  plan?: { environment?: unknown; where?: unknown; from?: { name?: unknown }; to?: { name?: unknown }; reason?: unknown; steps?: Array<{ id?: unknown; title?: unknown }> };
  steps?: Array<{ stepId?: unknown; outcome?: unknown; detail?: unknown; startedAt?: unknown; finishedAt?: unknown }>;
  events?: Array<{ at?: unknown; kind?: unknown; message?: unknown }>;
};

// Every field is one bounded line: a copy on the target is the other operator's host's to write, and a reason with
// line breaks ("x\n\n## Steps\n1. ✅ …") would otherwise fake lines in this document.
const str = (v: unknown, fallback = '?'): string => (typeof v === 'string' && v !== '' ? oneLine(v, 300) : fallback);

/** The document's text. `source` is `<where>:<file>`; `readAt` when it was read. */
export function renderTeamJournal(text: string, source: string, readAt: Date, summary?: string): string {
  const out: string[] = [];
  let j: Loose | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) j = parsed as Loose;
  } catch {
    j = undefined;
  }
  const plan = j?.plan;
  out.push(`# ${j ? `Rollback of ${str(plan?.environment)} by ${str(j.operator)}` : 'A journal copy that cannot be read'} (read-only)`, '');
  out.push(`> The copy ${source}, read at ${readAt.toISOString().slice(11, 19)} UTC. The run's own journal is on its operator's machine; this copy follows it as steps start and end. Run the command again to read it again.`);
  if (summary) out.push('>', `> Now: ${summary}`);
  if (!j) return [...out, '', `It is not a JSON object, so nothing here is interpreted. As stored:`, '', fence(text)].join('\n');
  out.push('', `- **Run**: \`${str(j.runId)}\`, status **${str(j.status)}**`);
  out.push(`- **From → to**: ${str(plan?.from?.name)} → ${str(plan?.to?.name)} on \`${str(plan?.where)}\``);
  out.push(`- **Reason**: ${str(plan?.reason, '(none recorded)')}`);
  out.push(`- **Operator**: ${str(j.operator)}${typeof j.machine === 'string' ? ` on ${oneLine(j.machine, 100)}` : ''}, started ${str(j.startedAt, 'not yet')}${typeof j.finishedAt === 'string' ? `, ended ${oneLine(j.finishedAt, 40)}` : ''}`);
  const planSteps = Array.isArray(plan?.steps) ? plan.steps : [];
  const steps = Array.isArray(j.steps) ? j.steps : [];
  out.push('', '## Steps', '');
  if (planSteps.length === 0) out.push('(the copy holds no plan steps)');
  planSteps.forEach((s, i) => {
    const js = steps.find((x) => x.stepId === s.id);
    const outcome = str(js?.outcome, 'pending');
    const when = typeof js?.startedAt === 'string' ? ` (${js.startedAt.slice(11, 19)}${typeof js.finishedAt === 'string' ? `–${js.finishedAt.slice(11, 19)}` : ''} UTC)` : '';
    out.push(`${i + 1}. ${MARK[outcome] ?? '?'} ${str(s.title, str(s.id))} — ${outcome}${when}${typeof js?.detail === 'string' && js.detail ? `: ${oneLine(js.detail, 300)}` : ''}`);
  });
  const events = Array.isArray(j.events) ? j.events.slice(-20) : [];
  if (events.length) {
    out.push('', `## Events (the last ${events.length})`, '');
    for (const e of events) out.push(`- ${str(e.at).slice(11, 19)} ${str(e.kind)}: ${str(e.message, '')}`);
  }
  out.push('', '## The copy as stored', '', fence(text));
  return out.join('\n');
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((t) => t.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}json\n${text.trim()}\n${ticks}`;
}
