// What the verification steps need from the product beyond the run's own ports: the secrets
// a check's headers name, and the product's one redactor, which must learn every secret value
// a check reads or captures before any of it can be written or shown.

/** The editor's secret storage key of a check's `secret:NAME`. */
export const VERIFICATION_SECRET_PREFIX = 'rollbackPilot.secret.';

export function secretStorageKey(name: string): string {
  return `${VERIFICATION_SECRET_PREFIX}${name}`;
}

export interface VerificationPort {
  /** The value stored for `secret:NAME`, or undefined when none is set. Read each time a check runs, so a secret set after a failure is used by the retry. */
  secret?(name: string): Promise<string | undefined>;
  /** Values secret from now on (a header's secret, values captured from a response): the product's redactor learns them under `source`. */
  remember?(source: string, values: string[]): void;
  /** The product's redactor: what a check records is redacted before it is cut to size, so no secret is ever cut in half. */
  redact?(text: string): string;
}

/** RunnerDeps carries this (runner.ts stays as small as it is: the step context passes it on). */
export interface VerificationRunnerDeps {
  verification?: VerificationPort;
}
