// Roles a schema dump (or a step's SQL) names: owners, grantees, policy roles. A scratch
// server lacks production's roles, and without them the owners and grants fail to load and
// every access-control mitigation (GRANT … TO app) fails for a reason production does not
// have. The rehearsal creates the missing ones NOLOGIN and drops them afterwards.

const NAME = String.raw`("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const LIST = String.raw`${NAME}(?:\s*,\s*${NAME})*`;

const PATTERNS = [
  new RegExp(String.raw`\bOWNER\s+TO\s+${NAME}`, 'gi'),
  new RegExp(String.raw`\bGRANT\b[^;]*?\bTO\s+(${LIST})`, 'gi'),
  new RegExp(String.raw`\bREVOKE\b[^;]*?\bFROM\s+(${LIST})`, 'gi'),
  new RegExp(String.raw`\bFOR\s+(?:ROLE|USER)\s+(${LIST})`, 'gi'),
  new RegExp(String.raw`\bCREATE\s+POLICY\b[^;]*?\bTO\s+(${LIST})`, 'gi'),
  new RegExp(String.raw`\bAUTHORIZATION\s+${NAME}`, 'gi'),
];

const NOT_ROLES = new Set(['public', 'current_user', 'session_user', 'current_role', 'group', 'role', 'user']);

function unquote(n: string): string {
  return n.startsWith('"') ? n.slice(1, -1).replace(/""/g, '"') : n.toLowerCase();
}

/** Role names the SQL refers to, without PUBLIC, CURRENT_USER and the predefined pg_* roles; sorted, each once. */
export function rolesNamedIn(...texts: string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    for (const re of PATTERNS) {
      for (const m of text.matchAll(re)) {
        const list = m[1];
        for (const one of list.matchAll(new RegExp(NAME, 'g'))) {
          const name = unquote(one[1]);
          if (!NOT_ROLES.has(name.toLowerCase()) && !name.startsWith('pg_')) out.add(name);
        }
      }
    }
  }
  return [...out].sort();
}

/** A role name as an identifier for CREATE/DROP ROLE. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
