// Who is at the keyboard, as journals, locks, bad marks and the checklist record it: the
// operator's git identity, "Dana Ops <dana@example.com>" — the name a team knows them by and
// the one their revert commits carry — and only when git has none (no user.name or
// user.email), the OS user at the machine ("root@vm" says little about a person).

export interface OsUser {
  user: string;
  host: string;
}

/** `name <email>` from git, else `user@host`; `os` as a function is asked only then (reading the OS user reads the passwd database). */
export function operatorLabel(git: { name: string; email: string } | undefined, os: OsUser | (() => OsUser)): string {
  const name = git?.name.trim();
  const email = git?.email.trim();
  if (name && email) return `${name} <${email}>`;
  const { user, host } = typeof os === 'function' ? os() : os;
  return `${user}@${host}`;
}

/** The git identity back from a label operatorLabel made from one; undefined for a `user@host` label. */
export function identityOfLabel(label: string): { name: string; email: string } | undefined {
  const m = /^(.+?) <([^<>\s]+)>$/.exec(label);
  return m ? { name: m[1], email: m[2] } : undefined;
}
