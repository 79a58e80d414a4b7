// The repository's home on a forge, from its git remote URL: where the new-issue page is and
// which {owner}/{repo} the CI and issue commands are about. Credentials in the URL
// (https://user:token@…) are never kept.

export interface RemoteRepo {
  host: string;
  /** The owner, or for GitLab the group path (group/subgroup). */
  owner: string;
  repo: string;
  /** https://host/owner/repo */
  web: string;
  kind: 'github' | 'gitlab' | 'other';
}

const clean = (s: string): string => s.replace(/\.git$/, '').replace(/\/+$/, '');

/** git@host:owner/repo.git, ssh://git@host[:port]/owner/repo.git, https://[user@]host/owner/repo(.git); undefined for a local path or anything else. */
export function parseRemoteUrl(url: string): RemoteRepo | undefined {
  const u = url.trim();
  let host: string | undefined;
  let path: string | undefined;
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/.exec(u);
  if (scp && !/^[A-Za-z]:[\\/]/.test(u)) {
    [, host, path] = scp;
  } else {
    try {
      const parsed = new URL(u);
      if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) return undefined;
      host = parsed.hostname;
      path = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
    } catch {
      return undefined;
    }
  }
  if (!host || !path) return undefined;
  const parts = clean(path).split('/').filter(Boolean);
  if (parts.length < 2 || parts.some((p) => !/^[A-Za-z0-9._~-]+$/.test(p) || p === '.' || p === '..')) return undefined;
  const repo = parts[parts.length - 1];
  const owner = parts.slice(0, -1).join('/');
  const kind = /(^|\.)github\.com$/i.test(host) || /^github\./i.test(host) ? 'github' : /gitlab/i.test(host) ? 'gitlab' : 'other';
  if (kind === 'github' && parts.length !== 2) return undefined;
  return { host: host.toLowerCase(), owner, repo, web: `https://${host.toLowerCase()}/${owner}/${repo}`, kind };
}
