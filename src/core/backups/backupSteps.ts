// The database plan's two uses of the recorded backup: the check right before the
// destructive steps (the same check the preflight made, run again: minutes may have passed),
// and the restore command, which gets exactly that file through {backup}.
import { BACKUP_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import { formatAge } from '../database/backupAge';
import { shQuote } from '../plan/shellQuote';
import type { PlanCommand, PlanStep } from '../plan/types';
import type { ChosenBackup } from './backupsLog';
import { backupCheckLines } from './verifyBackup';

/** The backup check step when `backup.create` keeps a backups log: that backup, not the newest listed. */
export function recordedBackupCheckStep(input: { chosen: ChosenBackup; maxAgeMs: number; at: (command: string) => PlanCommand; where: string; purpose: 'undo' | 'restore' }): PlanStep {
  const { chosen, maxAgeMs } = input;
  const what = 'record' in chosen ? `${chosen.record.path} (taken at ${chosen.record.release.tag ?? chosen.record.release.sha.slice(0, 12)})` : 'the recorded backup';
  return {
    id: 'db-backup-check',
    kind: 'database',
    title: `Check the backup ${what}`,
    why:
      ('record' in chosen
        ? `Destructive database steps follow; ${input.purpose === 'restore' ? 'this is the backup the restore uses' : 'only this backup brings lost data back'}. Checked again here (the preflight checked it too): its record is still in ${chosen.shown}, the file is there with the size and sha256 recorded, and it is at most ${formatAge(maxAgeMs)} old (migrations.backup.maxAge).`
        : `Destructive database steps follow, and no usable backup is recorded: ${chosen.problem}.`) + ' If not, the run stops here and asks.',
    commands: [input.at(backupCheckLines(chosen, maxAgeMs, input.where).join('\n'))],
    destructive: false,
    checksBackup: { chosen, maxAgeMs },
  };
}

/**
 * `backup.restore` for the checked backup: {backup} filled in quoted, or, when the command
 * has no {backup}, the file in $ROLLBACK_BACKUP. A problem when the file cannot be named.
 */
export function fillRestoreCommand(template: string, chosen: ChosenBackup | undefined): { command: string } | { problem: string } {
  const quoting = templateQuotingProblem(template, BACKUP_PLACEHOLDERS);
  if (quoting) return { problem: `migrations.backup.restore cannot be filled in safely: ${quoting}` };
  if (!chosen) return template.includes('{backup}') ? { problem: 'migrations.backup.restore takes {backup}, but no backup is recorded: set migrations.backup.create, so Record Pre-deploy Snapshot takes and records one' } : { command: template };
  if (!('record' in chosen)) return template.includes('{backup}') ? { problem: chosen.problem } : { command: template };
  const file = shQuote(chosen.record.path);
  return { command: template.includes('{backup}') ? template.replace(/\{backup\}/g, file) : `export ROLLBACK_BACKUP=${file}; ${template}` };
}
