// Batches exactly as Ansible's `serial` cuts them (PlaybookExecutor._get_serialized_batches):
// a percentage is of the play's whole host count, rounded down, at least 1; a list is used in
// order and its last size repeats until every host is in a batch. The preview shows these
// batches, so they must be the ones Ansible will run: a test compares them with Ansible's own.
import type { BatchSize } from './types';

export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutError';
  }
}

/** Hosts per batch for a fleet of `total` hosts. */
export function batchSizes(batch: BatchSize | BatchSize[], total: number): number[] {
  const sizes = Array.isArray(batch) ? batch : [batch];
  if (sizes.length === 0) throw new RolloutError('rollout.batch is an empty list: give at least one size, e.g. [1, "50%", "100%"]');
  const out: number[] = [];
  let left = total;
  let i = 0;
  while (left > 0) {
    const n = Math.min(left, sizeOf(sizes[Math.min(i, sizes.length - 1)], total));
    out.push(n);
    left -= n;
    i++;
  }
  return out;
}

/** The hosts of each batch, in fleet order. */
export function batchesOf<T>(hosts: readonly T[], batch: BatchSize | BatchSize[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const n of batchSizes(batch, hosts.length)) {
    out.push(hosts.slice(at, at + n));
    at += n;
  }
  return out;
}

/** Why a batch size cannot be used, or undefined. Shared by the config's diagnostics. */
export function batchSizeProblem(size: unknown): string | undefined {
  if (typeof size === 'number') {
    if (!Number.isInteger(size)) return `${size} is not a whole number of hosts`;
    if (size < 1) return `${size} hosts is no batch at all: a batch has at least 1 host`;
    return undefined;
  }
  if (typeof size === 'string') {
    // Ansible reads the percentage with int(): "12.5%" would stop the play with a Python error.
    const m = /^(\d+)%$/.exec(size);
    if (!m) return `"${size}" is neither a number of hosts nor a whole percentage such as "25%"`;
    const pct = Number(m[1]);
    if (pct <= 0) return `"${size}" is no batch at all: give more than 0%`;
    if (pct > 100) return `"${size}" is over 100% of the fleet`;
    return undefined;
  }
  return 'a batch size is a number of hosts or a percentage such as "25%"';
}

function sizeOf(size: BatchSize, total: number): number {
  const problem = batchSizeProblem(size);
  if (problem) throw new RolloutError(`rollout.batch: ${problem}`);
  if (typeof size === 'number') return size;
  // Ansible: int(pct / 100 * len(hosts)), then at least 1.
  return Math.max(1, Math.floor((Number(size.slice(0, -1)) / 100) * total));
}

/** The percentage as Ansible's serial takes it: a string "50%", a count as an int. */
export function serialValue(batch: BatchSize | BatchSize[]): BatchSize[] {
  return Array.isArray(batch) ? [...batch] : [batch];
}
