// After the rollback (runbook 001): the CI status of the release rolled back to, asked with a
// configured command, and the follow-up issue filed with one. `gh` is not available offline,
// so a stand-in `gh` script on PATH answers: it records its arguments (NUL-separated) and its
// standard input, and prints what the case says. Everything runs in a real shell, in a real
// git repository whose remote "origin" names the GitHub repository.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { checkCiStatus, describeCi, fileFollowUpIssue, followUpIssue, GH_CI_STATUS, newIssueUrl, parseCiOutput, parseRemoteUrl, readOriginUrl, type RemoteRepo } from '../../../src/core/followUp';
import { Redactor } from '../../../src/core/redact';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { git, tempDir } from '../engine/helpers';

const FAKE_GH = `#!/bin/sh
printf '%s\\0' "$@" >> "$GH_LOG/args"
printf '\\n--\\n' >> "$GH_LOG/args"
cat > "$GH_LOG/stdin"
if [ "$1 $2" = "auth status" ]; then exit "\${GH_AUTH:-0}"; fi
case "$*" in
  *check-runs*) printf '%s\\n' "$GH_CHECK_RUNS";;
  *) [ -n "$GH_SAY" ] && printf '%s\\n' "$GH_SAY"; [ -n "$GH_ERR" ] && printf '%s\\n' "$GH_ERR" >&2;;
esac
[ -n "$GH_SLEEP" ] && sleep "$GH_SLEEP"
exit "\${GH_EXIT:-0}"
`;

describe('follow-up after the rollback (stand-in gh, real shell, real git)', () => {
  const tmp = tempDir('follow-up');
  const repo = join(tmp.dir, 'repo');
  const bin = join(tmp.dir, 'bin');
  const log = join(tmp.dir, 'log');
  let sha: string;
  let remote: RemoteRepo;
  const runner = (env: Record<string, string> = {}) => new LocalCommandRunner({ env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GH_LOG: log, ...env } });
  /** The stand-in's calls: each one's arguments. */
  const calls = (): string[][] => (existsSync(join(log, 'args')) ? readFileSync(join(log, 'args'), 'utf8').split('\n--\n').filter(Boolean).map((c) => c.split('\0').slice(0, -1)) : []);

  before(() => {
    mkdirSync(bin);
    writeFileSync(join(bin, 'gh'), FAKE_GH);
    chmodSync(join(bin, 'gh'), 0o755);
    git(tmp.dir, 'init', '-q', '-b', 'main', repo);
    writeFileSync(join(repo, 'README.md'), 'shop\n');
    git(repo, 'add', '.');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'v1.3.0');
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git');
    sha = git(repo, 'rev-parse', 'HEAD');
  });
  beforeEach(() => {
    rmSync(log, { recursive: true, force: true });
    mkdirSync(log);
  });
  after(() => tmp.cleanup());

  test('the remote origin is read with git and names owner and repo', async () => {
    const url = await readOriginUrl(runner(), repo);
    assert.equal(url, 'git@github.com:acme/shop.git');
    remote = parseRemoteUrl(url!)!;
    assert.deepEqual(remote, { host: 'github.com', owner: 'acme', repo: 'shop', web: 'https://github.com/acme/shop', kind: 'github' });
  });

  test('a configured command: its placeholders filled as single words, its answer read', async () => {
    const release = { name: 'v1.3.0', sha };
    const template = 'gh api repos/{owner}/{repo}/commits/{sha}/status --jq .state';
    const ok = await checkCiStatus({ runner: runner({ GH_SAY: 'success' }), cwd: repo, template, release, remote });
    assert.equal(ok.state, 'success');
    assert.deepEqual(calls(), [['api', `repos/acme/shop/commits/${sha}/status`, '--jq', '.state']]);
    assert.equal(describeCi(ok), `v1.3.0 (${sha.slice(0, 12)}) passed CI (success)`);
    const failed = await checkCiStatus({ runner: runner({ GH_SAY: 'failure' }), cwd: repo, template, release, remote });
    assert.equal(failed.state, 'failure');
    assert.match(describeCi(failed), /FAILED CI: you are running code CI did not pass/);
    assert.equal((await checkCiStatus({ runner: runner({ GH_SAY: '{"state":"pending","total_count":3}' }), cwd: repo, template: 'gh api x', release, remote })).state, 'pending');
  });

  test('a command that fails, times out or says something else is unknown, never passed', async () => {
    const release = { name: 'v1.3.0', sha };
    const failing = await checkCiStatus({ runner: runner({ GH_EXIT: '1', GH_ERR: 'HTTP 404: Not Found (https://api.github.com/repos/acme/shop/commits/x/status)' }), cwd: repo, template: 'gh api repos/{owner}/{repo}/commits/{sha}/status', release, remote });
    assert.equal(failing.state, 'unknown');
    assert.match(failing.detail, /^the CI status command failed \(exit 1\): HTTP 404: Not Found/);
    const odd = await checkCiStatus({ runner: runner({ GH_SAY: 'maybe' }), cwd: repo, template: 'gh api x', release, remote });
    assert.equal(odd.state, 'unknown');
    assert.match(odd.detail, /printed "maybe", which is none of success, failure, pending/);
    const slow = await checkCiStatus({ runner: runner({ GH_SAY: 'success', GH_SLEEP: '5' }), cwd: repo, template: 'gh api x', release, remote, timeoutMs: 500 });
    assert.equal(slow.state, 'unknown');
    assert.match(slow.detail, /timed out/);
    const quoted = await checkCiStatus({ runner: runner(), cwd: repo, template: 'gh api "repos/{owner}/{repo}/commits/{sha}/status"', release, remote });
    assert.equal(quoted.state, 'unknown');
    assert.match(quoted.detail, /^followUp\.ciStatus `gh api "repos\/\{owner\}\/\{repo\}\/commits\/\{sha\}\/status"` cannot be filled in safely: \{owner\} is inside double quotes/);
    const noRemote = await checkCiStatus({ runner: runner(), cwd: repo, template: 'gh api repos/{owner}/{repo}/commits/{sha}/status', release });
    assert.match(noRemote.detail, /needs \{owner\}, \{repo\}, which are not known here \(the git remote "origin" is not a forge URL/);
    assert.deepEqual(calls(), [['api', `repos/acme/shop/commits/${sha}/status`], ['api', 'x'], ['api', 'x']], 'the refused templates ran nothing');
  });

  test('no command configured: with gh on PATH and logged in, its check runs then its commit status', async () => {
    const release = { name: 'v1.3.0', sha };
    const r = await checkCiStatus({ runner: runner({ GH_CHECK_RUNS: 'none', GH_SAY: 'success' }), cwd: repo, release, remote });
    assert.equal(r.state, 'success', r.detail);
    const [auth, checkRuns, status] = calls();
    assert.deepEqual(auth, ['auth', 'status', '--hostname', 'github.com']);
    assert.equal(checkRuns[1], `repos/acme/shop/commits/${sha}/check-runs`);
    assert.match(checkRuns[3], /^\[\.check_runs\[\] \| \.conclusion \/\/ \.status\] \| if length == 0 then "none"/, 'the jq program reaches gh as one argument');
    assert.deepEqual(status, ['api', `repos/acme/shop/commits/${sha}/status`, '--jq', 'if .total_count == 0 then "none" else .state end']);
    assert.ok(r.command?.startsWith('gh api repos/acme/shop/commits/'));
    assert.equal(GH_CI_STATUS.split('{sha}').length, 3);
    const failing = await checkCiStatus({ runner: runner({ GH_CHECK_RUNS: 'failure', GH_SAY: 'success' }), cwd: repo, release, remote });
    assert.equal(failing.state, 'failure', 'a failed check run counts even when the commit status says success');
  });

  test('no command and gh not logged in: unknown, saying how to configure one', async () => {
    const r = await checkCiStatus({ runner: runner({ GH_AUTH: '1' }), cwd: repo, release: { name: 'v1.3.0', sha }, remote });
    assert.equal(r.state, 'unknown');
    assert.match(r.detail, /^no CI status command: set followUp\.ciStatus in rollback\.yml/);
    assert.equal(calls().length, 1, 'only gh auth status ran');
  });

  const journal = (): RollbackJournal => JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;

  test('the issue comes from the journal: failure mode, what the run did, what is left; secrets redacted', () => {
    const j = journal();
    j.plan.reason = 'checkout returns 500; token ghp_0123456789abcdefghijABCDEFGHIJ012345 leaked in the log.';
    const issue = followUpIssue(j, { redactor: new Redactor(), ci: { state: 'failure', detail: 'failure', release: j.plan.to }, postmortem: 'docs/postmortems/2026-11-21-v1.4.2.md' });
    assert.match(issue.title, /^Follow-up: production rolled back v1\.4\.2 → v1\.4\.1: checkout returns 500; token ‹redacted› leaked in the log$/);
    assert.ok(!issue.body.includes('ghp_0123456789'), 'the token is not in the body');
    assert.match(issue.body, /\*\*Failure mode\*\* \(the reason given at the decision\): checkout returns 500; token ‹redacted› leaked in the log\./);
    for (const s of j.plan.steps) assert.ok(issue.body.includes(s.title), `the step ${s.title} is listed`);
    assert.match(issue.body, /## CI of the release rolled back to\n\nv1\.4\.1 \([0-9a-f]{12}\) FAILED CI/);
    assert.match(issue.body, /- \[ \] Forward-fix the original problem in a release after v1\.4\.2/);
    assert.match(issue.body, /- \[ \] Confirm v1\.4\.1 passed CI/);
    assert.match(issue.body, /- \[ \] Finish the post-mortem: docs\/postmortems\/2026-11-21-v1\.4\.2\.md/);
  });

  test('filed with a configured command: the title as one argument, the body on standard input, the address it printed', async () => {
    const issue = followUpIssue(journal(), {});
    issue.title = `Follow-up: it's "broken" $(touch ${join(tmp.dir, 'pwned')}) \`id\``;
    const filed = await fileFollowUpIssue({ runner: runner({ GH_SAY: 'Creating issue in acme/shop\n\nhttps://github.com/acme/shop/issues/812' }), cwd: repo, template: 'gh issue create --repo {owner}/{repo} --title {title} --body-file -', issue, remote });
    assert.ok('filed' in filed, JSON.stringify(filed));
    assert.equal(filed.url, 'https://github.com/acme/shop/issues/812');
    assert.deepEqual(calls(), [['issue', 'create', '--repo', 'acme/shop', '--title', issue.title, '--body-file', '-']]);
    assert.equal(readFileSync(join(log, 'stdin'), 'utf8'), issue.body);
    assert.ok(!existsSync(join(tmp.dir, 'pwned')), 'the title never reached a shell as code');
    const broken = await fileFollowUpIssue({ runner: runner({ GH_EXIT: '1', GH_ERR: 'could not create issue: HTTP 403' }), cwd: repo, template: 'gh issue create --title {title} --body-file -', issue, remote });
    assert.deepEqual(broken, { problem: 'followUp.issue failed (exit 1): could not create issue: HTTP 403' });
  });

  test("without a command: the forge's new-issue page, prefilled", async () => {
    const issue = followUpIssue(journal(), {});
    const filed = await fileFollowUpIssue({ runner: runner(), cwd: repo, issue, remote });
    assert.ok('open' in filed);
    const url = new URL(filed.open);
    assert.equal(`${url.origin}${url.pathname}`, 'https://github.com/acme/shop/issues/new');
    assert.equal(url.searchParams.get('title'), issue.title);
    assert.equal(url.searchParams.get('body'), issue.body);
    const lab = new URL(newIssueUrl(parseRemoteUrl('https://gitlab.example.com/platform/team/shop.git')!, issue)!);
    assert.equal(`${lab.origin}${lab.pathname}`, 'https://gitlab.example.com/platform/team/shop/-/issues/new');
    assert.equal(lab.searchParams.get('issue[title]'), issue.title);
    assert.deepEqual(await fileFollowUpIssue({ runner: runner(), cwd: repo, issue }), { problem: 'there is no way to file it: set followUp.issue in rollback.yml (for example gh issue create --title {title} --body-file -), or give the repository a GitHub or GitLab remote "origin"' });
    assert.equal(calls().length, 0, 'nothing ran');
  });
});

describe('parsing', () => {
  test('remote URLs: scp-like, ssh://, https with credentials (never kept), GitLab groups; local paths are none', () => {
    assert.equal(parseRemoteUrl('https://x-access-token:ghp_secret@github.com/acme/shop.git')?.web, 'https://github.com/acme/shop');
    assert.deepEqual(parseRemoteUrl('ssh://git@github.com:22/acme/shop.git'), { host: 'github.com', owner: 'acme', repo: 'shop', web: 'https://github.com/acme/shop', kind: 'github' });
    assert.equal(parseRemoteUrl('git@gitlab.com:group/sub/shop.git')?.owner, 'group/sub');
    for (const local of ['/srv/git/shop.git', '../shop', 'file:///srv/git/shop.git', 'C:\\repos\\shop', 'https://github.com/acme/../x', 'https://github.com/acme']) assert.equal(parseRemoteUrl(local), undefined, local);
  });

  test('CI answers: words, JSON, several lines (the first that is not "none"), nothing', () => {
    const release = { name: 'v1', sha: 'a'.repeat(40) };
    const run = (stdout: string, code = 0) => parseCiOutput({ code, stdout, stderr: '' }, 'cmd', release).state;
    assert.equal(run('SUCCESS\n'), 'success');
    assert.equal(run('completed\n'), 'unknown');
    assert.equal(run('"failure"'), 'failure');
    assert.equal(run('{\n  "conclusion": "timed_out"\n}\n'), 'failure');
    assert.equal(run('none\npending\n'), 'pending');
    assert.equal(run('none\nnone\n'), 'none');
    assert.equal(run(''), 'none');
    assert.equal(run('success', 2), 'unknown');
  });
});
