// The Problems entries of a service's `logs:`/`errors:` (the checks are in core/logs/config.ts):
// on the value, or on the {since} placeholder itself when that is what is wrong.
import { logsProblems } from '../logs/config';
import type { YamlLocator } from './locate';
import { placeholderOffsetInSource } from './placeholderSource';
import type { ConfigDiagnostic } from './types';
import { humanPath } from './wording';
import { offsetOf } from './locate';

export function logsDiagnostics(name: string, svc: Record<string, unknown>, locator: YamlLocator, text: string | undefined): ConfigDiagnostic[] {
  return logsProblems(name, svc).map((p) => {
    const value = locator.locate(p.path, 'value');
    let range = value;
    const command = p.placeholderAt !== undefined && p.placeholderAt >= 0 ? valueAt(svc, p.path) : undefined;
    if (command !== undefined && text !== undefined) {
      const start = offsetOf(text, value.line, value.column);
      const end = offsetOf(text, value.endLine, value.endColumn);
      const placeholder = /^\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(command.slice(p.placeholderAt))?.[0];
      const at = start !== undefined && end !== undefined && placeholder ? placeholderOffsetInSource(command, p.placeholderAt!, placeholder, text.slice(start, end), start) : undefined;
      if (at !== undefined && placeholder) range = locator.rangeOf(at, at + placeholder.length);
    }
    return { severity: 'error' as const, message: p.message, path: humanPath(p.path), ...range };
  });
}

function valueAt(svc: Record<string, unknown>, path: Array<string | number>): string | undefined {
  const logs = svc.logs;
  const v = path[path.length - 1] === 'command' && typeof logs === 'object' && logs !== null ? (logs as Record<string, unknown>).command : logs;
  return typeof v === 'string' ? v : undefined;
}
