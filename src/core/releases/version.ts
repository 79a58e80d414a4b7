// SemVer reading of tag names. Plain `v1.2.3` is parsed with one small regex (10,000 tags
// is a realistic count and `new SemVer` per tag was a visible share of the first paint);
// anything else goes through `semver` in loose mode, and the ordering of prerelease
// identifiers is semver's own.
// The class and the identifier order only: the package's index loads all of semver (ranges,
// subsets), a measurable part of every command's start-up for two functions.
import SemVer from 'semver/classes/semver';
import { compareIdentifiers } from 'semver/internal/identifiers';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Prerelease identifiers; empty for a release. */
  pre: string[];
  /** Normalised text without the "v" and without build metadata, e.g. "1.4.2-rc.1". */
  text: string;
}

// Plain releases (the bulk of any tag list) take this path; prereleases and anything odder
// go through semver itself.
const PLAIN = /^v?(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/;
const LOOKS_LIKE = /^[v=]?\s*\d+\.\d+\.\d+/;

/** "v*" → "v", "app-v*" → "app-v": the literal part of a tag glob before its first wildcard. */
export function literalPrefix(pattern: string): string {
  const m = /^[^*?[\\]*/.exec(pattern);
  return m ? m[0] : '';
}

/** Reads a tag name as SemVer, also after the pattern's literal prefix (`app-v1.2.3` under "app-v*"). */
export function parseTagVersion(name: string, prefix: string): Version | undefined {
  const v = parseVersion(name);
  if (v || !prefix || prefix === 'v' || !name.startsWith(prefix)) return v;
  return parseVersion(name.slice(prefix.length));
}

function parseVersion(text: string): Version | undefined {
  const m = PLAIN.exec(text);
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    const patch = Number(m[3]);
    return { major, minor, patch, pre: [], text: `${major}.${minor}.${patch}` };
  }
  if (!LOOKS_LIKE.test(text)) return undefined;
  try {
    const s = new SemVer(text, { loose: true });
    return { major: s.major, minor: s.minor, patch: s.patch, pre: s.prerelease.map(String), text: s.version };
  } catch {
    return undefined;
  }
}

/** SemVer precedence: negative when a < b. Build metadata is ignored, as SemVer says. */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  // A prerelease sorts below its release.
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.pre[i], b.pre[i]);
    if (c !== 0) return c;
  }
  return a.pre.length - b.pre.length;
}
