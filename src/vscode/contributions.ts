// Every command the extension contributes, by one typed id. package.json's
// contributes.commands must list exactly these (scripts/check-contributions.mjs and
// the integration suite check both directions).
export const CommandId = {
  refresh: 'rollbackPilot.refresh',
  openConfiguration: 'rollbackPilot.openConfiguration',
  createConfiguration: 'rollbackPilot.createConfiguration',
  openMigration: 'rollbackPilot.openMigration',
  revealReleaseCommit: 'rollbackPilot.revealReleaseCommit',
  revertLastDeploy: 'rollbackPilot.revertLastDeploy',
  rollBackToRelease: 'rollbackPilot.rollBackToRelease',
  resumeRollback: 'rollbackPilot.resumeRollback',
  releaseLock: 'rollbackPilot.releaseLock',
  openRunningJournal: 'rollbackPilot.openRunningJournal',
  recordSnapshot: 'rollbackPilot.recordSnapshot',
  markReleaseBad: 'rollbackPilot.markReleaseBad',
  unmarkReleaseBad: 'rollbackPilot.unmarkReleaseBad',
  chooseDatabaseEnvironment: 'rollbackPilot.chooseDatabaseEnvironment',
  rehearseDatabaseSteps: 'rollbackPilot.rehearseDatabaseSteps',
  cancelRollback: 'rollbackPilot.cancelRollback',
  analyzeMigration: 'rollbackPilot.analyzeMigration',
  openChecklist: 'rollbackPilot.openChecklist',
  startPostmortem: 'rollbackPilot.startPostmortem',
  setWebhookUrl: 'rollbackPilot.setWebhookUrl',
  setHealthSecret: 'rollbackPilot.setHealthSecret',
  proposeChangelogNote: 'rollbackPilot.proposeChangelogNote',
  checkCiStatus: 'rollbackPilot.checkCiStatus',
  fileFollowUpIssue: 'rollbackPilot.fileFollowUpIssue',
  revertCommit: 'rollbackPilot.revertCommit',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  releases: 'rollbackPilot.releases',
  migrations: 'rollbackPilot.migrations',
} as const;

/** Context keys used in `when` clauses (viewsWelcome, menus). */
export const ContextKey = {
  /** 'loading' | 'ready' | 'noRepo' | 'noReleases' */
  releasesState: 'rollbackPilot.releasesState',
  hasConfig: 'rollbackPilot.hasConfig',
  hasMigrations: 'rollbackPilot.hasMigrations',
} as const;
