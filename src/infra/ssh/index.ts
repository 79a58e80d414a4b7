export { SshCommandRunner, SshConnectError } from './sshCommandRunner';
export type { SshRunnerOptions } from './sshCommandRunner';
export type { HostKeyPrompt, UnknownHostKey, RefusedHostKey } from './hostKeyPrompt';
export { parseKnownHosts, checkHostKey, sha256Fingerprint, knownHostsName, knownHostsLine, hostFieldMatches, blobKeyType } from './knownHosts';
export type { KnownHostEntry, HostKeyVerdict, KnownHostsProblem } from './knownHosts';
export { resolveDestination, splitDestination, defaultIdentityFiles, SshDestinationError } from './sshConfig';
export type { SshDestination } from './sshConfig';
