// The database side of a rollback: the plan section, its step checks, the applied state.
export { newestBackupAge, judgeBackupList, formatAge } from './backupAge';
export { planDatabaseSteps, planBackupRestore, backupCheckStep, affectedTables, undoChoice, migrationsToUndo, type UndoChoice, type UndoPath, type DatabasePlanInput } from './dbPlan';
export { readAppliedState, MIGRATION_TABLES, type AppliedState, type AppliedMark, type SqlQueryPort } from './appliedState';
