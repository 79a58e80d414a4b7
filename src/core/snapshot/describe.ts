// The parts of a pre-deploy snapshot's message that issue 11.3 added: what each image-strategy
// service runs, and the backup taken, as the operator reads them after Record Pre-deploy Snapshot.
import { describeDeployedImage } from './deployedImages';
import type { PredeploySnapshot } from './snapshot';

/** " Images: api runs registry/app:v1.3.0 (sha256:…). Backup: /srv/…dump, 4.1 MiB, sha256 1a2b…, in ops/backups.log." or "". */
export function snapshotExtras(snap: Pick<PredeploySnapshot, 'images' | 'backup' | 'where'>): string {
  const out: string[] = [];
  if (snap.images?.length) out.push(` Images: ${snap.images.map(describeDeployedImage).join('; ')}.`);
  if (snap.backup) out.push(` Backup: ${snap.backup.path} (${sizeOf(snap.backup.size)}, sha256 ${snap.backup.sha256.slice(0, 12)}…), recorded in ${snap.backup.log} on ${snap.where}.`);
  return out.join('');
}

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
