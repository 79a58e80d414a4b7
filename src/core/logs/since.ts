// {since} in a logs command: the start of the window it reads, written the way the command's
// program reads a time, and quoted for the shell like every other filled-in value. The
// template tokenizer decides first that {since} stands where a quoted value is one word.
import { templateQuotingProblem } from '../config/templateQuoting';
import { shQuote } from '../plan/shellQuote';
import type { SinceFormat } from './types';

/** The placeholders a logs command takes. */
export const LOGS_PLACEHOLDERS = ['since'] as const;

/**
 * journalctl (systemd 252) refuses "2026-12-02T00:08:03Z" but reads "2026-12-02 00:08:03 UTC";
 * docker, docker compose, kubectl --since-time and podman read RFC 3339. Seconds, rounded
 * down: a window that starts up to a second early counts a line twice at worst, never skips one.
 */
export function formatSince(ms: number, format: SinceFormat): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  if (format === 'epoch') return String(Math.floor(ms / 1000));
  if (format === 'journal') return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return `${iso.slice(0, 19)}Z`;
}

/** The format the command's program reads, when rollback.yml does not say. */
export function detectSinceFormat(command: string): SinceFormat {
  return /(^|[\s;&|(`])(\S*\/)?journalctl(\s|$)/.test(command) ? 'journal' : 'rfc3339';
}

export function takesSince(command: string): boolean {
  return command.includes('{since}');
}

/** The command with {since} filled in (quoted), or why it cannot be. */
export function fillSince(command: string, sinceMs: number, format: SinceFormat): { command: string } | { problem: string } {
  const quoting = templateQuotingProblem(command, LOGS_PLACEHOLDERS);
  if (quoting) return { problem: `"${command}" cannot be filled in safely: ${quoting}` };
  const value = shQuote(formatSince(sinceMs, format));
  return { command: command.replace(/\{since\}/g, () => value) };
}
