export { parseRemoteUrl, type RemoteRepo } from './remote';
export { checkCiStatus, describeCi, ghAvailable, GH_CI_STATUS, parseCiOutput, type CiResult, type CiState } from './ciStatus';
export { followUpIssue, issueUrlFromOutput, newIssueUrl, type FollowUpIssue } from './issue';
export { fileFollowUpIssue, readOriginUrl, type FiledIssue } from './fileIssue';
export { CI_PLACEHOLDERS, fillTemplate, ISSUE_PLACEHOLDERS } from './template';
