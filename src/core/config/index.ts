export * from './types';
export { parseConfig, MAX_CONFIG_BYTES, type ParsedConfig } from './parse';
export { defaultConfig, starterConfig, CONFIG_DEFAULTS, type StarterInput } from './defaults';
export { parseDuration, formatDuration, DURATION_PATTERN } from './duration';
export { configSchema, configValidator } from './schemaErrors';
export { sshDestinationProblem, globProblem, repoPathProblem, tagPatternProblem } from './values';
