// What each host of a fleet runs, in one line for the Releases view (issue 15, item 2):
// "production: 4 hosts — 3 on v1.3.0, web-04 on v1.2.0". Read from the hosts themselves; a
// fleet whose hosts disagree (a stopped rollout, a host deployed by hand) is a warning.

export interface HostHead {
  host: string;
  /** The host's HEAD, or undefined when it could not be read. */
  sha?: string;
  /** HEAD's tree: a host whose revert commit is its own still runs the release with this tree. */
  tree?: string;
  error?: string;
}

export interface FleetSummary {
  text: string;
  /** The hosts are not all on one release (or some could not be read). */
  mixed: boolean;
  /** Hosts per release name, largest group first, the hosts that could not be read ("unreadable") last. */
  groups: Array<{ release: string; hosts: string[] }>;
}

export function fleetSummary(environment: string, heads: readonly HostHead[], releaseOf: (sha: string) => string | undefined): FleetSummary {
  const by = new Map<string, string[]>();
  for (const h of heads) {
    const name = h.sha === undefined ? 'unreadable' : releaseOf(h.sha) ?? h.sha.slice(0, 12);
    by.set(name, [...(by.get(name) ?? []), h.host]);
  }
  const groups = [...by.entries()].map(([release, hosts]) => ({ release, hosts })).sort((a, b) => Number(a.release === 'unreadable') - Number(b.release === 'unreadable') || b.hosts.length - a.hosts.length || a.release.localeCompare(b.release));
  const parts = groups.map((g, i) => {
    const who = i === 0 && groups.length > 1 && g.hosts.length > 1 ? String(g.hosts.length) : g.hosts.join(', ');
    return g.release === 'unreadable' ? `${who} could not be read` : `${who} on ${g.release}`;
  });
  const text = groups.length === 1 && groups[0].release !== 'unreadable'
    ? `${environment}: ${heads.length} hosts, all on ${groups[0].release}`
    : `${environment}: ${heads.length} hosts — ${parts.join(', ')}`;
  return { text, mixed: groups.length !== 1 || groups[0].release === 'unreadable', groups };
}
