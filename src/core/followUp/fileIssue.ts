// Files the follow-up issue: through the configured command (followUp.issue, e.g.
// `gh issue create --title {title} --body-file -`, the body also on standard input), or,
// without one, by the forge's new-issue page, prefilled, for the operator to submit.
import type { CommandRunner } from '../ports';
import { issueUrlFromOutput, newIssueUrl, type FollowUpIssue } from './issue';
import type { RemoteRepo } from './remote';
import { fillTemplate, ISSUE_PLACEHOLDERS } from './template';

export type FiledIssue =
  /** The command ran: the issue's address when it printed one. */
  | { filed: true; url?: string; command: string; output: string }
  /** Nothing was filed: this page opens prefilled. */
  | { open: string }
  | { problem: string };

export async function fileFollowUpIssue(input: { runner: CommandRunner; cwd: string; template?: string; issue: FollowUpIssue; remote?: RemoteRepo; timeoutMs?: number }): Promise<FiledIssue> {
  const { issue, remote } = input;
  if (!input.template) {
    const url = remote && newIssueUrl(remote, issue);
    if (url) return { open: url };
    return { problem: `there is no way to file it: set followUp.issue in rollback.yml (for example gh issue create --title {title} --body-file -), or give the repository a GitHub or GitLab remote "origin"` };
  }
  const filled = fillTemplate(input.template, ISSUE_PLACEHOLDERS, { title: issue.title, body: issue.body, owner: remote?.owner, repo: remote?.repo }, 'followUp.issue');
  if ('problem' in filled) return filled;
  const r = await input.runner.run(filled.command, { cwd: input.cwd, input: issue.body, timeoutMs: input.timeoutMs ?? 120_000 }).catch((e: Error) => ({ code: null, signal: null, stdout: '', stderr: e.message, durationMs: 0, timedOut: undefined }));
  if (r.code !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).slice(-500);
    return { problem: `followUp.issue ${r.timedOut ? 'timed out' : `failed (exit ${r.code ?? 'by signal'})`}${said ? `: ${said}` : ''}` };
  }
  return { filed: true, url: issueUrlFromOutput(r.stdout), command: filled.command, output: r.stdout.trim() };
}

/** The repository's remote "origin", read with git. */
export async function readOriginUrl(runner: CommandRunner, cwd: string): Promise<string | undefined> {
  const r = await runner.run('git remote get-url origin', { cwd, timeoutMs: 10_000 }).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.trim() || undefined : undefined;
}
