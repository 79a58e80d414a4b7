import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globProblem, sshDestinationProblem } from '../../../src/core/config';

void test('SSH destinations that ssh understands are accepted', () => {
  for (const ok of ['local', 'prod-1', 'deploy@prod-1', 'deploy@prod-1:2222', 'prod.example.com', '10.0.0.5:22', 'ci_user@[::1]:2222', '[fe80::1]', 'my_alias']) {
    assert.equal(sshDestinationProblem(ok), undefined, ok);
  }
});

void test('SSH destinations that could become options or shell words are refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['deploy@prod 1', /contains a space/],
    ['-oProxyCommand=sh', /starts with "-"/],
    ['prod;reboot', /contains ";"/],
    ['$(id)@prod', /contains "\$"/],
    ['prod:0', /port "0" is not a number from 1 to 65535/],
    ['@prod', /"" is not a user name/],
    ['deploy@', /host name is missing/],
    ['[::1', /not closed/],
  ];
  for (const [bad, why] of cases) assert.match(sshDestinationProblem(bad) ?? 'accepted', why, bad);
});

void test('globs: relative, balanced, forward slashes', () => {
  for (const ok of ['apps/api/**', 'libs/{a,b}/*.ts', 'src/[abc]*.py', 'x/]literal']) assert.equal(globProblem(ok), undefined, ok);
  assert.match(globProblem('apps\\api\\**') ?? '', /separate folders with "\/"/);
  assert.match(globProblem('../other/**') ?? '', /leaves the repository/);
  assert.match(globProblem('a}') ?? '', /"}" without a "{"/);
});
