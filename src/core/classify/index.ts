export { classifyMigration, classifyFromFiles, prismaDialect, gooseSections, type ClassifyInput } from './classify';
export { summarize, renderReportMarkdown, verdictTooltip, CLASS_LABEL } from './summary';
export { newestBackupAge, judgeBackupList, formatAge } from './backupAge';
export { planDatabaseSteps, planBackupRestore, backupCheckStep, affectedTables, undoChoice, migrationsToUndo, type UndoChoice, type UndoPath, type DatabasePlanInput } from './dbPlan';
export { readAppliedState, MIGRATION_TABLES, type AppliedState, type AppliedMark, type SqlQueryPort } from './appliedState';
export { RULES, worstClass, type Rule } from './rules';
export type { SqlParser, ParsedSql, SqlStatement, SqlParseError } from './sqlPort';
