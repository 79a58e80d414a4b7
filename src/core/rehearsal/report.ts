// What the operator reads after a rehearsal, and the rule that follows from it: a step that
// failed on the real schema never starts in production from this plan.

import type { HeldLock, RehearsalReport, StatementReport } from './types';

function lockText(l: HeldLock): string {
  return `${l.mode}${l.on ? ` on ${l.on}` : ` (${l.locktype})`}${l.granted ? '' : ' — waiting'}`;
}

function statementLine(s: StatementReport, n: number): string[] {
  const head = s.outcome === 'ok' ? '✓ ok' : s.outcome === 'failed' ? '✗ FAILED' : '– not run';
  const time = s.ms !== undefined ? `, ${s.ms} ms` : '';
  const out = [`${n}. ${head}${time} — line ${s.line}: \`${s.text.replace(/\s+/g, ' ').replace(/`/g, "'")}\``];
  if (s.error) out.push(`   - error: ${s.error}`);
  if (s.locks) out.push(`   - locks: ${s.locks.length ? s.locks.map(lockText).join('; ') : 'none beyond those already held'}`);
  if (s.note) out.push(`   - ${s.note}`);
  return out;
}

export function renderRehearsal(r: RehearsalReport): string {
  const out: string[] = [];
  out.push(`# Rehearsal of the database steps: ${r.environment} (plan ${r.planId})`, '');
  out.push(r.ok ? '**Every rehearsed step ran without an error on a copy of the schema.**' : `**${rehearsalRefusal(r)}**`, '');
  out.push(`- Scratch server: \`${r.scratch}\`, database \`${r.database}\` (created for this rehearsal and dropped after it)`);
  out.push(`- Schema: ${r.dumpBytes} bytes, no data${r.loadErrors.length ? `; ${r.loadErrors.length} error(s) loading it (below): the copy differs from production there` : ''}`);
  if (r.rolesCreated.length) out.push(`- Roles the schema names, created NOLOGIN on the scratch server for the rehearsal and dropped after it: ${r.rolesCreated.join(', ')}`);
  out.push(`- Started ${r.startedAt}, took ${r.ms} ms`, '');
  for (const u of r.units) {
    const mark = u.outcome === 'ok' ? '✓' : u.outcome === 'failed' ? '✗' : '–';
    out.push(`## ${mark} ${u.title}`, '', `*${u.outcome}* — ${u.note}`, '');
    u.statements.forEach((s, i) => out.push(...statementLine(s, i + 1)));
    out.push('');
  }
  if (r.compatibility) {
    out.push(`## ${r.compatibility.ok ? '✓' : '✗'} Compatibility check: \`${r.compatibility.command}\``, '', r.compatibility.detail, '');
    if (r.compatibility.output.trim()) out.push('```', r.compatibility.output.trimEnd().replace(/```/g, "'''"), '```', '');
  }
  if (r.loadErrors.length) out.push('## Errors loading the schema', '', ...r.loadErrors.map((e) => `- ${e}`), '');
  if (r.cleanup.length) out.push('## Left behind', '', ...r.cleanup.map((e) => `- ${e}`), '');
  out.push('## How this was measured', '', r.method, '');
  return out.join('\n');
}

/** Why the production run must not start from this plan, or undefined when the rehearsal passed. */
export function rehearsalRefusal(r: RehearsalReport): string | undefined {
  const failed = r.units.filter((u) => u.outcome === 'failed');
  if (failed.length) {
    const first = failed[0];
    const st = first.statements.find((s) => s.outcome === 'failed');
    return `Nothing ran on ${r.environment}: the rehearsal of "${first.title}" failed on a copy of its schema${st ? ` at line ${st.line} (\`${st.text.replace(/\s+/g, ' ').slice(0, 120)}\`): ${st.error}` : ''}${failed.length > 1 ? `; ${failed.length - 1} more step(s) failed too` : ''}. Fix the plan (or the migration's generated fix) and plan again.`;
  }
  if (r.compatibility && !r.compatibility.ok) return `Nothing ran on ${r.environment}: the compatibility check \`${r.compatibility.command}\` failed against the rehearsed schema: ${r.compatibility.detail}`;
  return undefined;
}
