import type { ExecResult } from '../ports';

/**
 * The line the journal and the terminal get when a runner kept only the tail of a command's
 * output (ExecResult.droppedBytes), so a reader knows the start is missing and how much:
 * "[… 12,345,678 bytes of output not kept (stdout 12,345,678, stderr 0): only the end of each stream was kept]".
 * Undefined when nothing was dropped.
 */
export function droppedOutputNote(result: Pick<ExecResult, 'droppedBytes'>): string | undefined {
  const d = result.droppedBytes;
  if (!d || d.stdout + d.stderr <= 0) return undefined;
  const n = (x: number): string => x.toLocaleString('en-US');
  return `[… ${n(d.stdout + d.stderr)} bytes of output not kept (stdout ${n(d.stdout)}, stderr ${n(d.stderr)}): only the end of each stream was kept]`;
}
