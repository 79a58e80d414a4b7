// The check of the one backup a plan restores, as shell lines that run on the target in the
// environment's working tree: the log still holds its record, the file exists, has the size
// and sha256 recorded, and is not older than migrations.backup.maxAge (by the target's own
// clock, which also stamped it). The preflight runs these before anything changes, and the
// backup check runs them again right before the destructive step.
import { formatAge } from '../database/backupAge';
import { shQuote } from '../plan/shellQuote';
import { refuse, say } from '../plan/shellSay';
import type { ChosenBackup } from './backupsLog';

/** Lines of a check's output that carry its report (the same prefix the preflight's detail reads). */
export const BACKUP_REPORT = 'preflight: ';

export function backupName(chosen: ChosenBackup): string {
  return 'record' in chosen ? chosen.record.path : chosen.log;
}

/** Shell lines that refuse (exit 1, the reason on stderr) unless the chosen backup is still good; they print one report line. */
export function backupCheckLines(chosen: ChosenBackup, maxAgeMs: number, where: string): string[] {
  if (!('record' in chosen)) return [refuse([chosen.problem])];
  const { record, line, lineNumber, log, shown } = chosen;
  const file = `${where}:${record.path}`;
  const recorded = `${shown} line ${lineNumber}`;
  const epoch = Math.floor(Date.parse(record.at) / 1000);
  const maxSec = Math.floor(maxAgeMs / 1000);
  const taken = `taken ${record.at} at ${record.release.tag ?? record.release.sha.slice(0, 12)}`;
  return [
    `b=${shQuote(record.path)}; l=${shQuote(log)}`,
    `grep -Fxq -e ${shQuote(line)} -- "$l" 2>/dev/null || ${refuse([`${shown} no longer holds the record of ${record.path} (it was line ${lineNumber} when the plan was made): plan again`])}`,
    `[ -f "$b" ] || ${refuse([`${file} does not exist: the backup recorded in ${recorded} is gone`])}`,
    `bs=$(wc -c < "$b" | tr -d ' ') && [ "$bs" = ${shQuote(String(record.size))} ] || ${refuse([`${file} is `, { variable: 'bs' }, ` bytes, not the ${record.size} recorded in ${recorded}: the backup changed since it was taken`])}`,
    `bh=$(sha256sum < "$b") && bh="\${bh%% *}" && [ "$bh" = ${shQuote(record.sha256)} ] || ${refuse([`${file} does not match its checksum in ${recorded} (sha256 `, { variable: 'bh' }, `, recorded ${record.sha256}): the backup changed since it was taken`])}`,
    `age=$(( $(date -u +%s) - ${epoch} )); if [ "$age" -lt 7200 ]; then an="$((age / 60)) minutes"; else an="$((age / 3600)) hours"; fi`,
    `[ "$age" -le ${maxSec} ] || ${refuse([`the backup ${record.path} (${taken}) is `, { variable: 'an' }, ` old, older than migrations.backup.maxAge (${formatAge(maxAgeMs)}): take a fresh one with Record Pre-deploy Snapshot, or skip this check with a reason`])}`,
    say([`${BACKUP_REPORT}backup ${record.path} checked: ${record.size} bytes, sha256 as recorded in ${recorded}, ${taken}, `, { variable: 'an' }, ' old'], 'out'),
  ];
}
