// A release as the listing shows it: a tag, or a recorded deploy no tag names.

export type ReleaseMarker = 'deployed' | 'last-known-good' | 'bad' | 'recorded';

export interface Release {
  /** Tag name, or the short SHA of a recorded deploy that no tag names. */
  name: string;
  /** Full commit SHA. */
  sha: string;
  /** ISO 8601: the tag's date (tagger date, or committer date for a lightweight tag), or the deploy time for a deploy record. */
  date: string;
  isSemver: boolean;
  /** The parsed version ("1.4.2-rc.1") when isSemver. */
  version?: string;
  /** Never changed in place: marking assigns a new array (releases share NO_MARKERS until marked). */
  markers: readonly ReleaseMarker[];
  source: 'tag' | 'deploy-record';
  badReason?: string;
  /** Tag message subject (annotated) or commit subject (lightweight). */
  subject?: string;
  annotated?: boolean;
  /** Time of the newest recorded deploy of this SHA. */
  deployedAt?: string;
}

/** A release of the listing with the time that orders it (ms; the tag's date, or the deploy's time). */
export interface Entry {
  release: Release;
  time: number;
}

/**
 * The markers of a release nothing has marked, one frozen array for all: a listing of 10,000
 * tags made 10,000 empty arrays, a measurable part of reading it at every command's start.
 */
export const NO_MARKERS: readonly ReleaseMarker[] = Object.freeze([]);
