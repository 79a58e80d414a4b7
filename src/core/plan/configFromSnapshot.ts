// Ignored config files (a gitignored .env, the usual case) do not come back with git: Record
// Pre-deploy Snapshot copies each one listed in configFiles that git does not track into
// `.rollback/snapshots/<sha>/files/` on the target, with its sha256 in SHA256SUMS beside
// them. A rollback to that release puts them back from there, byte for byte, after the code
// step; a copy that is missing or no longer matches its checksum fails the step with the
// host and the file named (never a silent skip). A file git tracks at that point is git's.
import type { EnvironmentConfig } from '../config/types';
import type { PlanCommand, PlanStep, ReleaseRef } from './types';
import { shQuote, validateRelativePath, validateSha } from './shellQuote';

/** The snapshot folder of a release on the target, relative to its working tree. */
export function snapshotDir(sha: string): string {
  return `.rollback/snapshots/${validateSha(sha)}`;
}

/** The configFiles the snapshot step restores: every listed file the plan does not take from git (the step leaves a file git tracks there to git). */
export function snapshotConfigFiles(env: Pick<EnvironmentConfig, 'configFiles'>, fromGit: string[]): string[] {
  return env.configFiles.map(validateRelativePath).filter((f) => !fromGit.includes(f) && !/[*?[]/.test(f));
}

/** The step that restores the ignored configFiles from the snapshot of `to`; none when configFiles lists nothing git does not restore. */
export function configFromSnapshotSteps(input: { at: (command: string) => PlanCommand; env: EnvironmentConfig; to: ReleaseRef; fromGit: string[]; where: string; cwd: string }): PlanStep[] {
  const files = snapshotConfigFiles(input.env, input.fromGit);
  if (files.length === 0) return [];
  const dir = snapshotDir(input.to.sha);
  const lines = [`d=${shQuote(dir)}`, 'tracked() { git ls-files --error-unmatch -- "$1" >/dev/null 2>&1; }'];
  for (const f of files) {
    const q = shQuote(f);
    const missing = `${input.where}:${input.cwd}/${dir}/files/${f}`;
    lines.push(
      `if tracked ${q}; then echo ${shQuote(`${f} is tracked by git here: its version comes with the code`)};`,
      `elif [ ! -f "$d/files/"${q} ]; then echo ${shQuote(`${missing} is missing: no pre-deploy snapshot of ${input.to.name} copied ${f} (record one before each deploy); put the file back by hand, then skip this step`)} >&2; exit 1;`,
      `elif ! (cd "$d/files" && sum=$(P=${q} awk 'substr($0, 67) == ENVIRON["P"]' ../SHA256SUMS) && [ -n "$sum" ] && printf '%s\\n' "$sum" | sha256sum -c --status); then echo ${shQuote(`${missing} does not match its checksum in ${dir}/SHA256SUMS: not restored`)} >&2; exit 1;`,
      `else mkdir -p -- "$(dirname -- ${q})" && cp -p -- "$d/files/"${q} ${q}.rp-tmp && mv -f -- ${q}.rp-tmp ${q} && echo ${shQuote(`${f} restored from the snapshot of ${input.to.name}`)} || exit 1; fi`,
    );
  }
  const same = files.map((f) => `{ tracked ${shQuote(f)} || cmp -s "$d/files/"${shQuote(f)} ${shQuote(f)}; }`).join(' && ');
  return [
    {
      id: 'config-from-snapshot',
      kind: 'config',
      title: `Restore ${files.join(', ')} from the pre-deploy snapshot of ${input.to.name}`,
      why: `Listed in configFiles and not tracked by git, so the code step does not bring them back: the copies Record Pre-deploy Snapshot kept in ${dir} on the target are put back byte for byte.`,
      commands: [input.at(lines.join('\n'))],
      alreadyDone: input.at(`d=${shQuote(dir)}; tracked() { git ls-files --error-unmatch -- "$1" >/dev/null 2>&1; }; ${same}`),
      destructive: false,
    },
  ];
}
