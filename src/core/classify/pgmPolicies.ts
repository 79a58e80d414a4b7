// node-pg-migrate's row-security policy calls (createPolicy, alterPolicy, dropPolicy,
// renamePolicy) as the statements they send, so the access-control rules judge them as they
// judge the same SQL in a raw pgm.sql(). An option the reader cannot read (a role or an
// expression built at run time) leaves the call unjudged, never guessed.

/* eslint-disable @typescript-eslint/no-explicit-any -- Babel AST nodes are walked generically */

import { objectProps, str, strs } from './jsValues';
import { quoteIdent } from './sqlNames';

const ROLE_KEYWORDS = /^(PUBLIC|CURRENT_USER|CURRENT_ROLE|SESSION_USER)$/i;

function roles(n: any): string | undefined {
  if (!n) return undefined;
  const list = strs(n);
  if (!list.length) return undefined;
  return list.map((r) => (ROLE_KEYWORDS.test(r) ? r.toUpperCase() : quoteIdent(r))).join(', ');
}

/** The SQL of a pgm policy call; `undefined` when the call is not one, `{ unknown }` when its options cannot be read. */
export function pgmPolicySql(name: string, a: any[], table: string): { sql: string } | { unknown: string } | undefined {
  if (!/^(create|alter|drop|rename)Policy$/.test(name)) return undefined;
  const policy = str(a[1]);
  if (!policy) return { unknown: `pgm.${name}: the policy's name is built at run time: review by hand.` };
  const p = objectProps(a[2]);
  const unreadable = ['role', 'using', 'check', 'command'].find((k) => p.has(k) && (k === 'role' ? roles(p.get(k)) === undefined : str(p.get(k)) === undefined));
  if (unreadable) return { unknown: `pgm.${name} ${policy}: its ${unreadable} is built at run time: review by hand.` };
  const using = p.has('using') ? ` USING (${str(p.get('using'))})` : '';
  const check = p.has('check') ? ` WITH CHECK (${str(p.get('check'))})` : '';
  const to = p.has('role') ? ` TO ${roles(p.get('role'))}` : '';
  switch (name) {
    case 'createPolicy': {
      const command = p.has('command') ? ` FOR ${str(p.get('command'))!.toUpperCase()}` : '';
      return { sql: `CREATE POLICY ${quoteIdent(policy)} ON ${table}${command}${to}${using}${check}` };
    }
    case 'alterPolicy':
      return to || using || check ? { sql: `ALTER POLICY ${quoteIdent(policy)} ON ${table}${to}${using}${check}` } : { unknown: `pgm.alterPolicy ${policy}: no change the reader knows: review by hand.` };
    case 'dropPolicy':
      return { sql: `DROP POLICY ${p.has('ifExists') ? 'IF EXISTS ' : ''}${quoteIdent(policy)} ON ${table}` };
    default: {
      const to2 = str(a[2]);
      return to2 ? { sql: `ALTER POLICY ${quoteIdent(policy)} ON ${table} RENAME TO ${quoteIdent(to2)}` } : { unknown: 'pgm.renamePolicy: the new name is built at run time: review by hand.' };
    }
  }
}
