// The fleet's part of the preview (issue 15, item 3): the batches and their hosts (the first
// is the canary), what stops the rollout, where the database steps run, the exact playbook,
// and the output of `ansible-playbook --check --diff` on the first batch with the honest note
// that check mode skips shell tasks (most of a rollback), so it proves reach and syntax only.
import type { FleetRollout } from './fleetPlan';

export interface CheckRun {
  /** Ansible's output of the check run (redacted by the caller like every preview text). */
  output: string;
  code: number | null;
  internalError?: string;
}

export function fleetPreviewMarkdown(fleet: FleetRollout, dbWhere: string, check?: CheckRun): string {
  const r = fleet.rollout;
  const lines: string[] = [];
  lines.push(`## Fleet: ${fleet.hosts.length} hosts, ${fleet.batches.length} batches`, '');
  fleet.batches.forEach((b, i) => lines.push(`${i + 1}. ${i === 0 ? '(canary) ' : ''}${b.map((h) => `\`${h}\``).join(', ')}`));
  lines.push('');
  lines.push(
    `- **Stops the rollout:** ${r.maxFailPercent === 0 ? 'any host of a batch that fails or cannot be reached' : `more than ${r.maxFailPercent}% of a batch's hosts failed or unreachable`}; the batches after it do not start.`,
    `- **Between batches:** ${r.pauseMs > 0 ? `a pause of ${Math.ceil(r.pauseMs / 1000)} s` : 'no pause'}.`,
    `- **Database steps:** ${fleet.before.some((s) => s.kind === 'database') ? `once, on ${dbWhere}, before the first batch's code switch` : `none in this rollback (they would run once, on ${dbWhere})`}.`,
    `- **Before anything runs:** every host's key verified, the lock taken on every host (all or none), every host's preflight.`,
    `- **Inventory:** ${fleet.userInventory ? `the team's \`${fleet.userInventory}\`, group \`${fleet.group}\` (its host and group vars honoured), plus the product's per-host values` : "the product's own, from rollback.yml's hosts"}.`,
    '',
    '### The playbook Ansible runs',
    '',
    '```yaml',
    fleet.playbook.trimEnd(),
    '```',
    '',
  );
  if (check) {
    lines.push(`### \`ansible-playbook --check --diff\` on the first batch (${fleet.batches[0].join(', ')})`, '');
    lines.push('Check mode does not run shell tasks (every build, deploy and git step here), so this shows that Ansible reaches the hosts and reads the playbook, not what the commands would do.', '');
    if (check.internalError) lines.push(`**Ansible failed by itself:** ${check.internalError}`, '');
    lines.push('```text', check.output.trimEnd() || '(no output)', '```', '');
  }
  return lines.join('\n');
}
