export { describeBlockers, exceptionClause, explainBlockers, isAllClearStep, isVerificationKind, journalChecks, journalVerdict, verdictOf, VERIFICATION_KINDS, type AllClearBlocker, type CheckStatus, type VerificationVerdict } from './checks';
export { lookupJson, parseJsonPath, type ParsedJsonPath } from './jsonPath';
export { secretStorageKey, VERIFICATION_SECRET_PREFIX, type VerificationPort, type VerificationRunnerDeps } from './ports';
export { verificationSecretNames, deployOutcomeOf } from './secretNames';
export type { CheckEntryResult, JsonExpectation, PlannedHeader, PlannedHealth, PlannedHttpStep, PlannedSmokeEntry } from './types';
