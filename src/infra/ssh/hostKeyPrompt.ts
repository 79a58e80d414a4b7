/** What the user is shown about a host key the known_hosts files do not have. */
export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:…` exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Key types already known for this host (a different type is being offered). */
  otherTypesKnown: string[];
}

export interface RefusedHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  reason: 'changed' | 'revoked';
  /** Where the conflicting or revoking entry is. */
  detail: string;
}

/**
 * The VS Code layer implements this with a modal: unknown keys are asked about; changed
 * and revoked keys are only reported (there is deliberately no way to accept them).
 * The connect timeout is held while confirmUnknownHost is pending (connectTimers.ts), so the
 * user may take their time; the server's own LoginGraceTime (sshd: 2 minutes) still applies.
 */
export interface HostKeyPrompt {
  confirmUnknownHost(key: UnknownHostKey): Promise<'accept-once' | 'accept-and-save' | 'reject'>;
  hostKeyRefused?(key: RefusedHostKey): void;
}
