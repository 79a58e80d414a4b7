// Reads rollback.yml: YAML syntax, the shipped JSON Schema, then the checks a schema cannot
// express. Every diagnostic carries the line and column of the offending node. With any
// error the config is withheld, so callers fall back to the defaults and show the errors
// rather than run a rollback on a half-understood file.
import { basename } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { ConfigDiagnostic, RollbackConfig, Severity } from './types';
import { YamlLocator } from './locate';
import { configValidator, schemaDiagnostics } from './schemaErrors';
import { semanticDiagnostics } from './semantic';
import { toRollbackConfig } from './convert';
import { defaultConfig } from './defaults';
import { isRecord, type RawConfig } from './raw';
import { applyChecklistOverrides } from '../checklist/overrides';
import { defaultItems } from '../checklist/defaults';

export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ParsedConfig {
  config: RollbackConfig | undefined;
  diagnostics: ConfigDiagnostic[];
}

export function parseConfig(source: string, fileName: string): ParsedConfig {
  const file = basename(fileName);
  // Editors do not count a byte-order mark as a column; neither may we.
  const text = source.startsWith('\ufeff') ? source.slice(1) : source;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    const mib = (bytes / MAX_CONFIG_BYTES).toFixed(1);
    return fail([at1x1('error', `${file} is ${mib} MiB, over the 1 MiB limit for a config file, so it was not read. Is this the right file?`)]);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new YamlLocator(doc, lineCounter, text.length);
  const fromYaml = (severity: Severity, e: YAMLError): ConfigDiagnostic => ({
    severity,
    message: `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${e.message}`,
    path: '',
    ...locator.rangeOf(e.pos[0], e.pos[1]),
  });
  const warnings = doc.warnings.map((w) => fromYaml('warning', w));
  // A broken structure makes every later check misleading, so syntax errors stand alone.
  if (doc.errors.length > 0) return fail([...doc.errors.map((e) => fromYaml('error', e)), ...warnings]);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([at1x1('error', `${file} could not be read: ${err instanceof Error ? err.message : String(err)}`)]);
  }

  if (raw === null || raw === undefined) {
    const empty = at1x1('warning', `${file} is empty, so the embedded defaults are used (tags v*, target "local", migrations detected from the usual folders).`);
    return { config: defaultConfig(), diagnostics: [empty, ...warnings] };
  }
  if (!isRecord(raw)) {
    const msg = `${file} must be a mapping of sections (releases, environments, services, migrations, notify, checklist), not ${Array.isArray(raw) ? 'a list' : 'a single value'}`;
    return fail([{ severity: 'error', message: msg, path: '', ...locator.locate([], 'value') }, ...warnings]);
  }

  const validate = configValidator();
  const valid = validate(raw);
  const diagnostics = [
    ...warnings,
    ...(valid ? [] : schemaDiagnostics(validate.errors ?? [], locator)),
    ...semanticDiagnostics(raw, locator, text),
    ...checklistDiagnostics(raw.checklist, locator),
  ].sort((a, b) => a.line - b.line || a.column - b.column);

  const ok = valid && !diagnostics.some((d) => d.severity === 'error');
  return { config: ok ? toRollbackConfig(raw as RawConfig) : undefined, diagnostics };
}

/**
 * The checklist section is the checklist model's to judge (which item ids exist, which kinds
 * a team may add); its mistakes still belong in Problems at their place. Warnings: a bad
 * override is ignored, and the rollback itself is unaffected.
 */
function checklistDiagnostics(checklist: unknown, locator: YamlLocator): ConfigDiagnostic[] {
  if (checklist === undefined || checklist === null) return [];
  return applyChecklistOverrides(defaultItems(), checklist).problems.map((p) => {
    const path = p.path.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    return { severity: 'warning' as const, message: `${p.path}: ${p.message}`, path: p.path, ...locator.locate(path, 'value') };
  });
}

function fail(diagnostics: ConfigDiagnostic[]): ParsedConfig {
  return { config: undefined, diagnostics };
}

function at1x1(severity: Severity, message: string): ConfigDiagnostic {
  return { severity, message, path: '', line: 1, column: 1, endLine: 1, endColumn: 2 };
}
