export { classifyMigration, classifyFromFiles, prismaDialect, gooseSections, type ClassifyInput } from './classify';
export { summarize, renderReportMarkdown, verdictTooltip, CLASS_LABEL } from './summary';
export { RULES, worstClass, type Rule } from './rules';
export type { SqlParser, ParsedSql, SqlStatement, SqlParseError } from './sqlPort';
