// Shared phrasing for config diagnostics, so every message names paths and values the same way.
import { closest, distance } from 'fastest-levenshtein';
import type { PathSegment } from './locate';

/** "environments.production.host", "services.api.paths[1]"; "the top level" for the root. */
export function humanPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the top level';
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** The value as the user wrote it, for "got …". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The closest of `candidates` when it is near enough to be a likely typo. */
export function suggestion(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const lower = word.toLowerCase();
  const best = closest(lower, candidates.map((c) => c.toLowerCase()));
  const d = distance(lower, best);
  if (d > Math.max(2, Math.floor(word.length / 3))) return undefined;
  return candidates.find((c) => c.toLowerCase() === best);
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggestion(word, candidates);
  return s === undefined ? '' : ` Did you mean "${s}"?`;
}

export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg));
}
