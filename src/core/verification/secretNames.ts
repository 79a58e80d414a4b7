// What the front ends need from the verification rules without knowing them: the secret
// names rollback.yml's checks read (so the redactor learns their values at start, and the
// "Set Health Check Secret…" command can offer them), and whether a finished run's deploy
// may be recorded as good.
import type { RollbackConfig } from '../config/types';
import { journalVerdict } from './checks';
import { secretName, stringLeaves } from './templates';

/** Every NAME of a `secret:NAME` in the services' health headers and smoke steps (headers and bodies), sorted. */
export function verificationSecretNames(config: Pick<RollbackConfig, 'services'> | undefined): string[] {
  const names = new Set<string>();
  const add = (v: unknown): void => {
    const n = secretName(v);
    if (n) names.add(n);
  };
  for (const svc of config?.services ?? []) {
    for (const v of Object.values(svc.health?.headers ?? {})) add(v);
    for (const e of svc.smoke ?? []) {
      if (typeof e === 'string') continue;
      for (const v of Object.values(e.headers ?? {})) add(v);
      for (const leaf of stringLeaves(e.body)) add(leaf.text);
    }
  }
  return [...names].sort();
}

/**
 * The outcome a finished rollback's deploy of the target release is recorded with: "ok" only
 * when every verification check passed; "unverified" when one failed, was skipped or could not
 * run (the release runs, but nobody saw it healthy: it is not a last-known-good).
 */
export function deployOutcomeOf(journal: Parameters<typeof journalVerdict>[0]): 'ok' | 'unverified' {
  return journalVerdict(journal).blockers.length ? 'unverified' : 'ok';
}
