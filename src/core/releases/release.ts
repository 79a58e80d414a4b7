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
  markers: ReleaseMarker[];
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
