import { canonicalJson } from './digest';
import type { PlanCommand, PlanStep, RollbackPlan } from './types';

/**
 * The facts a plan was computed from. Each is read again at run start; any that differs
 * refuses the run, even when the rebuilt plan happens to be the same, because the plan the
 * user confirmed was reasoned about on the old facts.
 */
export interface PlanFacts {
  /** sha256 of rollback.yml as read, or "none" when the embedded default was used. */
  config: string;
  /** The workspace's HEAD commit. */
  head: string;
  /** Release name → full SHA it resolves to now (or "missing: …"). */
  refs: Record<string, string>;
  /** The release the listing marks deployed, "name sha", or "none". */
  deployedRelease: string;
  /** What the target runs, read on the target itself: its HEAD SHA, or why it was not read. */
  target: string;
  /** Migration file (repo-relative) → sha256 of its content. */
  migrations: Record<string, string>;
  /** Release names among from/to that are marked bad. */
  bad: string[];
}

/** A plan as the user saw it: the object, the exact preview text, its digest, and the facts under it. */
export interface PreviewedPlan {
  plan: RollbackPlan;
  preview: string;
  digest: string;
  facts: PlanFacts;
}

export class StalePlanError extends Error {
  constructor(readonly differences: string[]) {
    super(`The plan changed since you previewed it, so nothing ran:\n${differences.map((d) => `- ${d}`).join('\n')}\nStart the rollback again to preview the plan as it is now.`);
    this.name = 'StalePlanError';
  }
}

const short = (v: string): string => (/^[0-9a-f]{40,64}$/.test(v) ? v.slice(0, 12) : v);
const clip = (text: string, max = 160): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const oneLine = (text: string): string => clip(text.replace(/\s*\n\s*/g, ' ⏎ '));

function describeFacts(a: PlanFacts, b: PlanFacts, where: string): string[] {
  const out: string[] = [];
  if (a.config !== b.config) {
    out.push(a.config === 'none' || b.config === 'none'
      ? `rollback.yml ${b.config === 'none' ? 'was removed' : 'was created'} since the preview`
      : `rollback.yml changed since the preview (hash ${short(a.config)} → ${short(b.config)})`);
  }
  if (a.head !== b.head) out.push(`the workspace HEAD moved since the preview: ${short(a.head)} → ${short(b.head)}`);
  for (const name of new Set([...Object.keys(a.refs), ...Object.keys(b.refs)])) {
    const was = a.refs[name];
    const now = b.refs[name];
    if (was === now) continue;
    if (now === undefined || now.startsWith('missing')) out.push(`${name} no longer resolves (${now ?? 'gone'}); the preview was made with ${short(was ?? '?')}`);
    else out.push(`${name} now points at ${short(now)}, the preview was made with ${was === undefined ? 'no such release' : short(was)}`);
  }
  if (a.deployedRelease !== b.deployedRelease) out.push(`the release recorded as deployed is now ${b.deployedRelease}; the preview was made for ${a.deployedRelease}`);
  if (a.target !== b.target) out.push(`the target (${where}) is now at ${short(b.target)}, the preview was made for ${short(a.target)}`);
  for (const file of new Set([...Object.keys(a.migrations), ...Object.keys(b.migrations)])) {
    const was = a.migrations[file];
    const now = b.migrations[file];
    if (was === now) continue;
    if (was === undefined) out.push(`migration ${file} was added since the preview`);
    else if (now === undefined) out.push(`migration ${file} was removed since the preview`);
    else out.push(`migration ${file} changed since the preview (content hash ${short(was)} → ${short(now)})`);
  }
  for (const name of b.bad.filter((n) => !a.bad.includes(n))) out.push(`${name} was marked bad since the preview`);
  for (const name of a.bad.filter((n) => !b.bad.includes(n))) out.push(`${name} is no longer marked bad`);
  return out;
}

function commandText(c: PlanCommand | undefined): string {
  return c ? `${c.command}${c.where ? ` on ${c.where}` : ''}${c.cwd ? ` in ${c.cwd}` : ''}${c.input !== undefined ? ` with input ${JSON.stringify(clip(c.input, 60))}` : ''}` : '(none)';
}

function describeStep(label: string, a: PlanStep, b: PlanStep): string[] {
  const out: string[] = [];
  if (a.title !== b.title) out.push(`${label} is now "${b.title}" (was "${a.title}")`);
  const n = Math.max(a.commands.length, b.commands.length);
  for (let k = 0; k < n; k++) {
    const was = a.commands[k];
    const now = b.commands[k];
    if (canonicalJson(was) === canonicalJson(now)) continue;
    const which = n > 1 ? `command ${k + 1}` : 'command';
    if (!was) out.push(`${label} has a new ${which}: ${oneLine(commandText(now))}`);
    else if (!now) out.push(`${label} no longer has its ${which}: ${oneLine(commandText(was))}`);
    else if (was.command !== now.command) out.push(`${label}'s ${which} changed: ${oneLine(was.command)} → ${oneLine(now.command)}`);
    else out.push(`${label}'s ${which} now runs as ${oneLine(commandText(now))} (was ${oneLine(commandText(was))})`);
  }
  if (canonicalJson(a.alreadyDone) !== canonicalJson(b.alreadyDone)) out.push(`${label}'s resume check changed: ${oneLine(commandText(a.alreadyDone))} → ${oneLine(commandText(b.alreadyDone))}`);
  if (canonicalJson(a.onFailure) !== canonicalJson(b.onFailure)) out.push(`${label}'s clean-up on failure changed: ${oneLine(commandText(a.onFailure))} → ${oneLine(commandText(b.onFailure))}`);
  if (a.destructive !== b.destructive) out.push(`${label} is ${b.destructive ? 'now' : 'no longer'} destructive`);
  if (out.length === 0) {
    // Anything else the preview shows or the run uses (why, health, waits, confirmations).
    const rest = (s: PlanStep) => canonicalJson({ ...s, title: undefined, commands: undefined, alreadyDone: undefined, onFailure: undefined, destructive: undefined });
    if (rest(a) !== rest(b)) {
      const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson((a as unknown as Record<string, unknown>)[k]) !== canonicalJson((b as unknown as Record<string, unknown>)[k]));
      out.push(`${label} changed (${fields.join(', ')})`);
    }
  }
  return out;
}

function describeSteps(section: string, a: PlanStep[], b: PlanStep[]): string[] {
  const out: string[] = [];
  const before = new Map(a.map((s, i) => [s.id, { s, i }]));
  const after = new Map(b.map((s, i) => [s.id, { s, i }]));
  for (const [id, { s, i }] of after) if (!before.has(id)) out.push(`${section}step ${i + 1} "${s.title}" is new`);
  for (const [id, { s, i }] of before) if (!after.has(id)) out.push(`${section}step ${i + 1} "${s.title}" is gone`);
  const common = b.filter((s) => before.has(s.id)).map((s) => s.id);
  const oldOrder = a.filter((s) => after.has(s.id)).map((s) => s.id);
  if (common.join('\n') !== oldOrder.join('\n')) out.push(`${section}the steps run in another order: ${common.join(', ')} (was ${oldOrder.join(', ')})`);
  for (const [id, { s, i }] of after) {
    const old = before.get(id);
    if (old) out.push(...describeStep(`${section}step ${i + 1} "${old.s.title}"`, old.s, s));
  }
  return out;
}

/**
 * What differs between the plan the user previewed and the one rebuilt from the current
 * facts, one sentence per difference, in the words an operator checks: the facts first
 * (config, HEAD, refs, the target), then the plan itself field by field. Empty when the two
 * are the same plan on the same facts.
 */
export function describePlanDifferences(previewed: PreviewedPlan, rebuilt: PreviewedPlan): string[] {
  const a = previewed.plan;
  const b = rebuilt.plan;
  const out = describeFacts(previewed.facts, rebuilt.facts, `${a.where}${a.cwd ? ` in ${a.cwd}` : ''}`);
  if (a.from.sha !== b.from.sha || a.from.name !== b.from.name) out.push(`the release rolled back from is now ${b.from.name} ${short(b.from.sha)} (the preview: ${a.from.name} ${short(a.from.sha)})`);
  if (a.to.sha !== b.to.sha || a.to.name !== b.to.name) out.push(`the release rolled back to is now ${b.to.name} ${short(b.to.sha)} (the preview: ${a.to.name} ${short(a.to.sha)})`);
  if (a.where !== b.where || a.cwd !== b.cwd) out.push(`the target is now ${b.where} in ${b.cwd ?? '?'} (the preview: ${a.where} in ${a.cwd ?? '?'})`);
  if (a.strategy !== b.strategy) out.push(`the strategy is now ${b.strategy} (the preview: ${a.strategy})`);
  if (a.commandTimeoutMs !== b.commandTimeoutMs) out.push(`the command timeout is now ${b.commandTimeoutMs ?? 'the default'} ms (the preview: ${a.commandTimeoutMs ?? 'the default'} ms)`);
  if (canonicalJson(a.affectedServices) !== canonicalJson(b.affectedServices)) out.push(`the services redeployed are now ${b.affectedServices.join(', ') || 'none'} (the preview: ${a.affectedServices.join(', ') || 'none'})`);
  out.push(...describeSteps('', a.steps, b.steps));
  out.push(...describeSteps('fallback ', a.fallback?.steps ?? [], b.fallback?.steps ?? []));
  out.push(...describeSteps('full redeploy ', a.fullRedeploy?.steps ?? [], b.fullRedeploy?.steps ?? []));
  if (out.length === 0 && previewed.digest !== rebuilt.digest) {
    out.push(previewed.preview !== rebuilt.preview
      ? `the plan preview's text changed (digest ${short(previewed.digest)} → ${short(rebuilt.digest)})`
      : `what the plan runs changed (digest ${short(previewed.digest)} → ${short(rebuilt.digest)})`);
  }
  return out;
}
