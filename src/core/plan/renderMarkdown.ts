import { renderHealthCheck, renderSmokeFlow, smokeFlowWheres } from './renderChecks';
import { renderHostFilesSection } from './renderHostFiles';
import { redactPatterns } from '../redact/patterns';
import type { PlanStep, RollbackPlan } from './types';

function fence(text: string): string {
  const ticks = text.includes('```') ? '````' : '```';
  return `${ticks}sh\n${text}\n${ticks}`;
}

const sourceLabel: Record<RollbackPlan['targetSource'], string> = {
  snapshot: 'the pre-deploy snapshot on the target',
  'deploy-record': "the extension's deploy records",
  'previous-tag': 'the previous release tag',
  user: 'chosen by you',
};

const place = (where: string): string => (where === 'local' ? 'this machine' : `\`${where}\``);

/** Where a step runs, said for every step: a host (and folder), this machine, the team's channel, or the operator's hands. */
function whereItRuns(step: PlanStep): string {
  const wheres = [...new Set([...step.commands.map((c) => c.where), ...(step.smoke ? smokeFlowWheres(step.smoke) : [])])];
  if (wheres.length > 1) return `runs on ${wheres.map(place).join(' and ')}`;
  const where = wheres[0] ?? step.health?.where;
  if (where !== undefined) {
    const cwd = step.commands[0]?.cwd;
    return `runs on ${place(where)}${cwd ? ` in \`${cwd}\`` : ''}`;
  }
  if (step.kind === 'notify') return 'a message to the team';
  if (step.waitMs) return 'waits on this machine';
  return 'by hand: the run asks you whether it was done';
}

function renderStep(step: PlanStep, n: number): string {
  const out: string[] = [];
  out.push(`### ${n}. ${step.destructive ? '⚠️ DESTRUCTIVE — ' : ''}${step.title}`);
  out.push(`*${step.kind}* · ${whereItRuns(step)}${step.confirmEach ? ' · asks before it runs' : ''}`);
  out.push('', step.why, '');
  for (const c of step.commands) {
    out.push(fence(c.command));
    if (c.input !== undefined) out.push('with this on standard input:', fence(c.input));
  }
  if (step.health && step.commands.length === 0) out.push(...renderHealthCheck(step.health));
  if (step.smoke?.length) out.push(...renderSmokeFlow(step.smoke));
  if (step.waitMs) out.push(`Waits ${step.waitMs} ms.`);
  if (step.kind === 'notify' && step.commands.length === 0) out.push('(A message to the team; sent by the notifier when one is configured, otherwise a checklist item.)');
  if (step.alreadyDone) {
    out.push('', 'On resume, skipped when this succeeds:', fence(step.alreadyDone.command));
    if (step.alreadyDone.input !== undefined) out.push('with this on standard input:', fence(step.alreadyDone.input));
  }
  if (step.onFailure) out.push('', 'If it fails, this puts the repository back exactly as before:', fence(step.onFailure.command));
  return out.join('\n');
}

/** What of the release the plan undoes, when it is not the whole code change (the decision tree). */
function scopeLine(plan: RollbackPlan): string | undefined {
  const s = plan.scope;
  if (!s) return undefined;
  if (s.kind === 'commit') return `only commit \`${s.sha.slice(0, 12)}\` (${s.subject}) is reverted; the rest of ${plan.from.name} stays deployed`;
  if (s.kind === 'full') return 'the full rollback (the cause is unknown): code, database steps, config files, and every service rebuilt and redeployed';
  return s.remedy === 'restore'
    ? `the configuration only: the config files of ${plan.to.name} come back and every service is recreated to read them; the code stays at ${plan.from.name}`
    : `a plain restart of every service; nothing is restored, the code stays at ${plan.from.name}`;
}

/** The preview document: what the run will do, exactly. */
export function renderPlanMarkdown(plan: RollbackPlan): string {
  const out: string[] = [];
  const restart = plan.scope?.kind === 'config' && plan.scope.remedy === 'restart';
  out.push(restart ? `# Restart of ${plan.environment}: the services of ${plan.from.name}` : `# Rollback of ${plan.environment}: ${plan.from.name} → ${plan.to.name}`, '');
  out.push(`- **From** (deployed): \`${plan.from.name}\` \`${plan.from.sha}\``);
  out.push(`- **To** (last known good): \`${plan.to.name}\` \`${plan.to.sha}\` — from ${sourceLabel[plan.targetSource]}`);
  out.push(`- **Reason**: ${plan.reason}`);
  out.push(`- **Target**: \`${plan.where}\`${plan.cwd ? ` in \`${plan.cwd}\`` : ''}, ${plan.scope?.kind === 'config' ? '**no code step**' : `strategy **${plan.strategy}**`}`);
  const scope = scopeLine(plan);
  if (scope) out.push(`- **Scope**: ${scope}`);
  out.push(`- **Services redeployed**: ${plan.affectedServices.length ? plan.affectedServices.join(', ') : 'none (no service paths changed)'}`);
  out.push(`- **Run id**: \`${plan.id}\`, planned by ${plan.createdBy} at ${plan.createdAt}`);
  const destructive = plan.steps.filter((s) => s.destructive);
  if (destructive.length) out.push('', `> ⚠️ ${destructive.length} destructive step(s): you will type the environment name (\`${plan.environment}\`) right before each one runs.`);
  for (const n of plan.notChecked ?? []) out.push('', `> Not checked: ${n}`);
  if (plan.returnHint) out.push('', `> HEAD will be detached. To get back to the branch afterwards: \`${plan.returnHint}\``);
  out.push('', ...renderHostFilesSection(plan));
  out.push('## Steps', '');
  plan.steps.forEach((s, i) => out.push(renderStep(s, i + 1), ''));
  if (plan.fallback) {
    out.push('## If the revert conflicts', '', plan.fallback.why, '');
    plan.fallback.steps.forEach((s, i) => out.push(renderStep(s, i + 1), ''));
  }
  if (plan.fullRedeploy) {
    out.push('## If a service keeps failing: full redeploy', '', plan.fullRedeploy.why, 'Offered after a failure, never run without asking.', '');
    plan.fullRedeploy.steps.forEach((s, i) => out.push(renderStep(s, i + 1), ''));
  }
  // Commands from rollback.yml may carry PGPASSWORD=… or a user:pass@ URL: the preview shows them redacted (the digest also covers the raw commands).
  return redactPatterns(out.join('\n'));
}
