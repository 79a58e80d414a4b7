export { buildPlan, newRunId, planDigest, PlanError } from './planner';
export type { PlanInput } from './planner';
export { renderPlanMarkdown } from './renderMarkdown';
export { gitQueriesVia, GitQueryError } from './git';
export type { PlanGit } from './git';
export { globToRegExp, matchesAny } from './glob';
export { shQuote, shJoin, validateRef, validateSha, validateBranch, validatePath, validateRelativePath, validateHost, validateImageRef, UnsafeValueError } from './shellQuote';
export type * from './types';
