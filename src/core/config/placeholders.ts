// The placeholders each template of rollback.yml takes (moved out of templateQuoting.ts,
// which re-exports them): semantic.ts checks every template listed here for placeholders
// the shell would not read as a plain word, at their place in the file.

export const DOWN_PLACEHOLDERS = ['id', 'file', 'previous'] as const;
export const DEPLOY_PLACEHOLDERS = ['image'] as const;
export const BACKUP_PLACEHOLDERS = ['backup'] as const;
export const DEPLOYED_PLACEHOLDERS = ['service'] as const;
/** followUp.ciStatus and followUp.issue (src/core/followUp). */
export const CI_PLACEHOLDERS = ['owner', 'repo', 'sha', 'tag'] as const;
export const ISSUE_PLACEHOLDERS = ['title', 'body', 'owner', 'repo'] as const;

/** The templates of rollback.yml that take placeholders, with the placeholders each takes. */
export function placeholderTemplates(raw: Record<string, unknown>): Array<{ path: Array<string | number>; template: string; names: readonly string[] }> {
  const out: Array<{ path: Array<string | number>; template: string; names: readonly string[] }> = [];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(raw.migrations)) {
    for (const key of ['down', 'preview']) {
      const v = raw.migrations[key];
      if (typeof v === 'string') out.push({ path: ['migrations', key], template: v, names: DOWN_PLACEHOLDERS });
    }
    for (const key of ['create', 'restore'] as const) if (isMap(raw.migrations.backup) && typeof raw.migrations.backup[key] === 'string') out.push({ path: ['migrations', 'backup', key], template: raw.migrations.backup[key], names: BACKUP_PLACEHOLDERS });
  }
  for (const [name, env] of Object.entries(isMap(raw.environments) ? raw.environments : {})) {
    for (const [key, names] of [['deployed', DEPLOYED_PLACEHOLDERS], ['imageCheck', DEPLOY_PLACEHOLDERS]] as const) if (isMap(env) && typeof env[key] === 'string') out.push({ path: ['environments', name, key], template: env[key], names });
  }
  if (isMap(raw.followUp)) {
    for (const [key, names] of [['ciStatus', CI_PLACEHOLDERS], ['issue', ISSUE_PLACEHOLDERS]] as const) if (typeof raw.followUp[key] === 'string') out.push({ path: ['followUp', key], template: raw.followUp[key], names });
  }
  if (isMap(raw.services)) {
    for (const [name, svc] of Object.entries(raw.services)) {
      if (isMap(svc) && typeof svc.deploy === 'string') out.push({ path: ['services', name, 'deploy'], template: svc.deploy, names: DEPLOY_PLACEHOLDERS });
    }
  }
  return out;
}
