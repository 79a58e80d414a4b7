export type { CommitInfo, CommitRange, GitPort, HeadInfo, RepoState, TagRef } from './gitPort';
export { GitPortError, isFullSha, refProblem, type GitErrorKind } from './gitErrors';
export {
  findDeployed,
  findLastKnownGood,
  listReleases,
  previousRelease,
  type DeployedSource,
  type LastKnownGoodSource,
  type ListReleasesOptions,
  type Release,
  type ReleaseListing,
  type ReleaseMarker,
} from './releases';
export { COMMITS_CAP, moreLabel, releaseChangedFiles, releaseCommits, type ReleaseCommits } from './children';
export {
  emptyRecords,
  markBad,
  parseRecords,
  recordDeploy,
  RecordsError,
  serializeRecords,
  setDeployOutcome,
  setSnapshot,
  unmarkBad,
  type BadMark,
  type DeployRecord,
  type ReleaseRecords,
} from './records';
export { RecordsStore, type RecordsStorage } from './recordsStore';
