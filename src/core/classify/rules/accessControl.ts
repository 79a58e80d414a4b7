// Access-control statements. After a rollback the previous release connects as the same
// role it always did; a privilege the migration took away, row-level security it turned
// on, a restrictive policy or a new owner make that role's queries fail ("permission
// denied for table accounts", "new row violates row-level security policy"). Each is
// "needs mitigation" with the statement that gives the access back and what that costs.
// GRANT and permissive policies only widen access: safe.

/* eslint-disable @typescript-eslint/no-explicit-any -- parse-tree nodes are untyped JSON */

import { alterTable, tableKnown, isAlter, type Rule, type SqlNode } from './common';
import { quoteIdent, relationKey, relationName, stringList, typeNameText } from '../sqlNames';

const OBJECT_KEYWORD: Record<string, string> = {
  OBJECT_TABLE: 'TABLE', OBJECT_SEQUENCE: 'SEQUENCE', OBJECT_SCHEMA: 'SCHEMA', OBJECT_FUNCTION: 'FUNCTION', OBJECT_PROCEDURE: 'PROCEDURE',
  OBJECT_ROUTINE: 'ROUTINE', OBJECT_DATABASE: 'DATABASE', OBJECT_TYPE: 'TYPE', OBJECT_DOMAIN: 'DOMAIN', OBJECT_LANGUAGE: 'LANGUAGE',
  OBJECT_TABLESPACE: 'TABLESPACE', OBJECT_FDW: 'FOREIGN DATA WRAPPER', OBJECT_FOREIGN_SERVER: 'FOREIGN SERVER', OBJECT_LARGEOBJECT: 'LARGE OBJECT',
};

const PLURAL: Record<string, string> = { OBJECT_TABLE: 'TABLES', OBJECT_SEQUENCE: 'SEQUENCES', OBJECT_FUNCTION: 'FUNCTIONS', OBJECT_PROCEDURE: 'PROCEDURES', OBJECT_ROUTINE: 'ROUTINES', OBJECT_TYPE: 'TYPES', OBJECT_SCHEMA: 'SCHEMAS' };

function role(r: any): string {
  const spec = r?.RoleSpec ?? r;
  switch (spec?.roletype) {
    case 'ROLESPEC_PUBLIC':
      return 'PUBLIC';
    case 'ROLESPEC_CURRENT_USER':
      return 'CURRENT_USER';
    case 'ROLESPEC_SESSION_USER':
      return 'SESSION_USER';
    case 'ROLESPEC_CURRENT_ROLE':
      return 'CURRENT_ROLE';
    default:
      return quoteIdent(spec?.rolename ?? '?');
  }
}

function privileges(stmt: any): string {
  const list = (stmt.privileges ?? []).map((p: any) => {
    const cols = stringList(p.AccessPriv?.cols);
    return `${String(p.AccessPriv?.priv_name ?? '?').toUpperCase()}${cols.length ? ` (${cols.map(quoteIdent).join(', ')})` : ''}`;
  });
  return list.length ? list.join(', ') : 'ALL';
}

function objectText(o: any): string {
  if (o?.RangeVar) return relationName(o.RangeVar);
  if (o?.ObjectWithArgs) {
    const args = (o.ObjectWithArgs.objargs ?? []).map((a: any) => typeNameText(a.TypeName));
    return `${stringList(o.ObjectWithArgs.objname).map(quoteIdent).join('.')}(${args.join(', ')})`;
  }
  if (o?.String) return quoteIdent(o.String.sval);
  return '?';
}

/** `TABLE a, b` / `ALL TABLES IN SCHEMA s`, as GRANT and REVOKE write it (keywords in lower case for a sentence). */
function target(stmt: any, sentence = false): string {
  const objects = (stmt.objects ?? []).map(objectText).join(', ');
  const kw = (k: string) => (sentence ? k.toLowerCase() : k);
  if (stmt.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') return `${kw(`ALL ${PLURAL[stmt.objtype] ?? 'TABLES'} IN SCHEMA`)} ${objects}`;
  return `${kw(OBJECT_KEYWORD[stmt.objtype] ?? 'TABLE')} ${objects}`;
}

function createdHere(n: SqlNode, stmt: any): boolean {
  if (n.ctx.direction !== 'up' || stmt.targtype !== 'ACL_TARGET_OBJECT') return false;
  const objects: any[] = stmt.objects ?? [];
  return (
    objects.length > 0 &&
    objects.every((o) =>
      o?.RangeVar
        ? n.ctx.createdTables.has(relationKey(o.RangeVar)) || n.ctx.createdObjects.has(`sequence:${relationKey(o.RangeVar)}`)
        : o?.ObjectWithArgs
          ? n.ctx.createdObjects.has(`function:${stringList(o.ObjectWithArgs.objname).join('.')}`)
          : false,
    )
  );
}

/** This migration creates a permissive policy on the table that lets every role do everything (USING (true)). */
function hasOpenPolicy(n: SqlNode): boolean {
  return n.ctx.createdObjects.has(`open-policy:${relationKey(n.stmt.relation)}`);
}

const REGRANT_RISK =
  'Gives back exactly what this statement took away. If the new release removed it on purpose (a security fix), that access is open again until you revoke it once more.';

const RLS_OFF_RISK =
  'Every role with privileges on the table sees and changes every row again: the isolation the new release relies on is off until you enable it again.';

export const ACCESS_CONTROL_RULES: Rule[] = [
  {
    // CREATE on a schema is needed only to create objects in it; the statements an application runs against its tables do not.
    id: 'revoking-schema-create',
    class: 'safe',
    on: ['GrantStmt'],
    match: (n) => {
      const s = n.stmt;
      if (n.type !== 'GrantStmt' || s.is_grant || s.objtype !== 'OBJECT_SCHEMA') return undefined;
      const privs: any[] = s.privileges ?? [];
      if (!privs.length || !privs.every((p) => String(p.AccessPriv?.priv_name).toLowerCase() === 'create')) return undefined;
      return {
        reason: `Revokes CREATE on ${target(s, true)} from ${(s.grantees ?? []).map(role).join(', ')}: only creating tables, views or functions there needs it; the previous release's reads and writes do not. A previous release that creates objects at start-up (CREATE TABLE IF NOT EXISTS, an ORM's schema sync) would fail: GRANT CREATE ON ${target(s)} back if it does.`,
      };
    },
  },
  {
    id: 'revoking-privileges',
    class: 'mitigate',
    on: ['GrantStmt'],
    match: (n) => {
      if (n.type !== 'GrantStmt' || n.stmt.is_grant || n.stmt.grant_option || createdHere(n, n.stmt)) return undefined;
      const s = n.stmt;
      const grantees = (s.grantees ?? []).map(role).join(', ');
      const what = privileges(s);
      return {
        reason: `Revokes ${what} on ${target(s, true)} from ${grantees}: if the previous release connects as ${grantees} (or a role in it), its queries there fail with "permission denied".`,
        fix: `GRANT ${privileges(s)} ON ${target(s)} TO ${grantees};`,
        fixRisk: REGRANT_RISK + (s.behavior === 'DROP_CASCADE' ? ' CASCADE also revoked what these roles had granted to others; those grants are not restored.' : ''),
      };
    },
  },
  {
    // REVOKE GRANT OPTION FOR keeps the privilege itself: the previous release's queries run as before.
    id: 'revoking-grant-option',
    class: 'safe',
    on: ['GrantStmt'],
    match: (n) =>
      n.type === 'GrantStmt' && !n.stmt.is_grant && n.stmt.grant_option
        ? { reason: `Takes from ${(n.stmt.grantees ?? []).map(role).join(', ')} only the right to grant ${privileges(n.stmt)} on ${target(n.stmt, true)} to others: its own queries there still run. Only a previous release that itself GRANTs these privileges would fail.` }
        : undefined,
  },
  {
    id: 'revoking-role',
    class: 'mitigate',
    on: ['GrantRoleStmt'],
    match: (n) => {
      if (n.type !== 'GrantRoleStmt' || n.stmt.is_grant) return undefined;
      const roles = (n.stmt.granted_roles ?? []).map((r: any) => quoteIdent(r.AccessPriv?.priv_name ?? '?')).join(', ');
      const grantees = (n.stmt.grantee_roles ?? []).map(role).join(', ');
      return {
        reason: `Takes ${grantees} out of role ${roles}: whatever the previous release reached through ${roles}'s privileges now fails with "permission denied".`,
        fix: `GRANT ${roles} TO ${grantees};`,
        fixRisk: REGRANT_RISK,
      };
    },
  },
  {
    id: 'revoking-default-privileges',
    class: 'mitigate',
    on: ['AlterDefaultPrivilegesStmt'],
    match: (n) => {
      if (n.type !== 'AlterDefaultPrivilegesStmt' || n.stmt.action?.is_grant) return undefined;
      const a = n.stmt.action ?? {};
      const opts: string[] = [];
      for (const o of n.stmt.options ?? []) {
        const items = o.DefElem?.arg?.List?.items ?? [];
        if (o.DefElem?.defname === 'roles') opts.push(`FOR ROLE ${items.map(role).join(', ')}`);
        if (o.DefElem?.defname === 'schemas') opts.push(`IN SCHEMA ${items.map((i: any) => quoteIdent(i.String?.sval ?? '?')).join(', ')}`);
      }
      const grantees = (a.grantees ?? []).map(role).join(', ');
      const kind = PLURAL[a.objtype] ?? 'TABLES';
      return {
        reason: `${kind.charAt(0)}${kind.slice(1).toLowerCase()} created from now on no longer give ${grantees} ${privileges(a)}: the previous release fails on any such object created after this migration (new partitions, tables of later migrations). Existing objects keep their privileges.`,
        fix: `ALTER DEFAULT PRIVILEGES ${opts.length ? `${opts.join(' ')} ` : ''}GRANT ${privileges(a)} ON ${kind} TO ${grantees};`,
        fixRisk: `${REGRANT_RISK} Objects created while it was revoked need their own GRANT.`,
      };
    },
  },
  {
    id: 'enabling-row-level-security',
    class: 'mitigate',
    on: ['AT_EnableRowSecurity'],
    match: (n) => {
      if (!isAlter(n, 'AT_EnableRowSecurity') || hasOpenPolicy(n)) return undefined;
      const t = alterTable(n);
      return {
        reason: `Turns on row-level security for ${t}: roles that do not own it (the previous release's, usually) see only rows a policy allows and cannot insert others ("new row violates row-level security policy"); without a policy for them, none at all.`,
        fix: `ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY;`,
        fixRisk: RLS_OFF_RISK,
      };
    },
  },
  {
    // FORCE only matters while row-level security is on; the earlier migrations made this table and never turned it on.
    id: 'forcing-row-level-security-while-off',
    class: 'safe',
    on: ['AT_ForceRowSecurity'],
    match: (n) => {
      if (!isAlter(n, 'AT_ForceRowSecurity')) return undefined;
      const t = relationKey(n.stmt.relation);
      if (!tableKnown(n.ctx.before, t) || n.ctx.before.rowSecurity?.has(t) || n.ctx.createdObjects.has(`row-security:${t}`)) return undefined;
      return { reason: `Forces row-level security on ${alterTable(n)}, whose row-level security is off (the earlier migrations that made it never turned it on, nor does this one): FORCE has no effect until someone ENABLEs it.` };
    },
  },
  {
    id: 'forcing-row-level-security',
    class: 'mitigate',
    on: ['AT_ForceRowSecurity'],
    match: (n) =>
      isAlter(n, 'AT_ForceRowSecurity')
        ? {
            reason: `Forces row-level security on ${alterTable(n)} for its owner too: a previous release connecting as the owner now sees only rows a policy allows, and its other writes fail.`,
            fix: `ALTER TABLE ${alterTable(n)} NO FORCE ROW LEVEL SECURITY;`,
            fixRisk: 'The owner bypasses the policies again; other roles are still restricted.',
          }
        : undefined,
  },
  {
    id: 'enabling-row-level-security-with-open-policy',
    class: 'safe',
    on: ['AT_EnableRowSecurity'],
    match: (n) =>
      isAlter(n, 'AT_EnableRowSecurity') && hasOpenPolicy(n)
        ? { reason: `Turns on row-level security for ${alterTable(n)} together with a policy this migration creates that lets every role see and write every row (USING (true)): the previous release sees and writes what it did before.` }
        : undefined,
  },
  {
    // Row-level security the previous release ran under kept its tenants apart: switched off, the same queries see and change every tenant's rows.
    id: 'relaxing-row-level-security',
    class: 'mitigate',
    on: ['AT_DisableRowSecurity', 'AT_NoForceRowSecurity'],
    match: (n) => {
      const disable = isAlter(n, 'AT_DisableRowSecurity');
      if (!disable && !isAlter(n, 'AT_NoForceRowSecurity')) return undefined;
      const t = alterTable(n);
      return {
        reason: disable
          ? `Turns off row-level security on ${t}: the previous release, written while its policies applied, now sees and changes every row — other tenants' rows included — and inserts it was refused now succeed.`
          : `Stops forcing row-level security on ${t} for its owner: a previous release connecting as the owner now sees and changes every row, beyond what the policies allowed it.`,
        fix: `ALTER TABLE ${t} ${disable ? 'ENABLE' : 'FORCE'} ROW LEVEL SECURITY;`,
        fixRisk: 'The new release, which expected it off, is restricted by the policies again (rows missing, writes refused) if it is rolled forward before this is undone.',
      };
    },
  },
  {
    id: 'adding-restrictive-policy',
    class: 'mitigate',
    on: ['CreatePolicyStmt'],
    match: (n) => {
      if (n.type !== 'CreatePolicyStmt' || n.stmt.permissive) return undefined;
      if (n.ctx.direction === 'up' && n.ctx.createdTables.has(relationKey(n.stmt.table))) return undefined;
      const t = relationName(n.stmt.table);
      const name = quoteIdent(n.stmt.policy_name);
      return {
        reason: `Restrictive policy ${name} on ${t} (for ${(n.stmt.roles ?? []).map(role).join(', ') || 'PUBLIC'}): where row-level security is on, every row must now pass it too; the previous release's queries lose rows and its writes outside it fail.`,
        fix: `DROP POLICY IF EXISTS ${name} ON ${t};`,
        fixRisk: 'Rows the policy hid (other tenants\' rows, say) are visible again to the roles it restricted, until it is re-created.',
      };
    },
  },
  {
    // Under row-level security a permissive policy adds rows to what a role sees and may write: the previous release's queries, written for the old policies, see other tenants' rows.
    id: 'widening-row-level-security',
    class: 'mitigate',
    on: ['CreatePolicyStmt'],
    match: (n) => {
      if (n.type !== 'CreatePolicyStmt' || n.stmt.permissive === false) return undefined;
      // For every role, so for the previous release's too; a policy for named roles is judged by adding-permissive-policy (which role the previous release uses is not in the files).
      const roles: any[] = n.stmt.roles ?? [];
      if (!roles.every((r) => r?.RoleSpec?.roletype === 'ROLESPEC_PUBLIC')) return undefined;
      const key = relationKey(n.stmt.table);
      if (!n.ctx.before.rowSecurity?.has(key)) return undefined;
      const t = relationName(n.stmt.table);
      const name = quoteIdent(n.stmt.policy_name);
      return {
        reason: `Permissive policy ${name} on ${t} (for every role), where earlier migrations turned row-level security on: every row it allows is added to what the previous release sees and may change, beyond the policies it was written for (another tenant's rows, say).`,
        fix: `DROP POLICY IF EXISTS ${name} ON ${t};`,
        fixRisk: 'The new release loses the rows this policy let it see or write until it is re-created.',
      };
    },
  },
  {
    id: 'adding-permissive-policy',
    class: 'safe',
    on: ['CreatePolicyStmt'],
    match: (n) =>
      n.type === 'CreatePolicyStmt'
        ? { reason: `Permissive policy ${n.stmt.policy_name} on ${relationName(n.stmt.table)}: permissive policies only add rows a role may see or write; where row-level security is off it has no effect.` }
        : undefined,
  },
  {
    id: 'changing-owner',
    class: 'mitigate',
    on: ['AT_ChangeOwner', 'AlterOwnerStmt'],
    match: (n) => {
      let what: string | undefined;
      let newOwner: string | undefined;
      if (isAlter(n, 'AT_ChangeOwner')) {
        what = `${(OBJECT_KEYWORD[n.stmt.objtype] ?? 'table').toLowerCase()} ${alterTable(n)}`;
        newOwner = role(n.cmd.newowner);
      } else if (n.type === 'AlterOwnerStmt') {
        const key = n.stmt.object?.ObjectWithArgs ? `function:${stringList(n.stmt.object.ObjectWithArgs.objname).join('.')}` : undefined;
        if (key && n.ctx.direction === 'up' && n.ctx.createdObjects.has(key)) return undefined;
        what = `${(OBJECT_KEYWORD[n.stmt.objectType] ?? n.stmt.objectType?.replace('OBJECT_', '') ?? 'object').toLowerCase()} ${n.stmt.object?.List ? stringList(n.stmt.object.List.items).map(quoteIdent).join('.') : objectText(n.stmt.object)}`;
        newOwner = role(n.stmt.newowner);
      }
      if (!what) return undefined;
      return {
        reason: `Makes ${newOwner} the owner of ${what}: the previous owner loses the rights it had as owner. If the previous release connects as that role and has no explicit GRANT, its queries fail with "permission denied" (or "must be owner" for its DDL).`,
        fixRisk: `No fix is generated: the previous owner is not in this file. Find it on a copy of the database (\\dp, \\dn+, \\df+) and run ALTER … OWNER TO <previous owner>, or GRANT the previous release's role what it uses. Either gives the new owner's privileges back to that role.`,
      };
    },
  },
  {
    id: 'granting-default-privileges',
    class: 'safe',
    on: ['AlterDefaultPrivilegesStmt'],
    match: (n) =>
      n.type === 'AlterDefaultPrivilegesStmt' ? { reason: 'Grants default privileges on objects created from now on: the previous release can only gain access.' } : undefined,
  },
];
