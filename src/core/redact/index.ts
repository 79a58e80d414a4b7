export { REDACTED, RULES, redactPatterns, type RedactionRule } from './patterns';
export { MIN_SECRET_LENGTH, patternsOnly, Redactor, secretVariants } from './redactor';
export { MAX_HELD_CHARS, StreamRedactor } from './stream';
export { isEnvStyleFile, isPlainConfigValue, secretValuesOfEnvFile } from './envFile';
export {
  RedactingRollbackEvents,
  redactingCommandRunner,
  redactingJournalStore,
  redactingLogSink,
  redactingPrompter,
  redactingProbeHttp,
  redactingWebhookHttp,
  redactJournal,
  redactLogLine,
  redactRunnerDeps,
} from './decorators';
export { notificationSafe, oneLine, terminalSafe } from './displayText';
