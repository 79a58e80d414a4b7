// Which ansible-core the fleet needs, and what to tell an operator who lacks it (issue 15,
// item 8). Said before planning, so nobody learns it halfway through an incident.

/** The oldest ansible-core whose features the playbook and the callback rely on (CALLBACK_NEEDS_ENABLED, task `timeout`). */
export const MIN_ANSIBLE = [2, 12] as const;

export const INSTALL_HINT =
  'Install ansible-core 2.12 or newer on this machine: "sudo apt-get install ansible-core" (Debian, Ubuntu), "sudo dnf install ansible-core" (Fedora, RHEL), "brew install ansible" (macOS) or "pipx install ansible-core". Environments with a single host do not need it.';

/** "ansible-playbook [core 2.14.18]" → [2, 14, 18]; undefined when the text says no version. */
export function parseAnsibleVersion(text: string): number[] | undefined {
  const m = /ansible-playbook\s+(?:\[core\s+)?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Why this ansible-playbook will not do, or undefined. `found` is `--version`'s output, undefined when the program is missing. */
export function ansibleProblem(found: string | undefined, detail?: string): string | undefined {
  if (found === undefined) return `ansible-playbook was not found${detail ? ` (${detail})` : ''}; a fleet rollout runs through Ansible. ${INSTALL_HINT}`;
  const v = parseAnsibleVersion(found);
  if (!v) return `ansible-playbook --version did not say which version it is ("${found.split('\n')[0].slice(0, 120)}"). ${INSTALL_HINT}`;
  const [major, minor] = v;
  if (major < MIN_ANSIBLE[0] || (major === MIN_ANSIBLE[0] && minor < MIN_ANSIBLE[1])) {
    return `ansible-playbook is ${v.join('.')}, older than the ${MIN_ANSIBLE.join('.')} a fleet rollout needs. ${INSTALL_HINT}`;
  }
  return undefined;
}
