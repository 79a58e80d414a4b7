// Ansible's version read from its release module by the program's own Python (a few ms), as
// `ansible-playbook --version` says it (0.2 s): the same answer for the real Debian install;
// no answer, so the caller falls back to --version, for a wrapper script or a Python without it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAnsibleVersion } from '../../../src/core/fleet/ansibleVersion';
import { releaseVersionLine } from '../../../src/infra/ansible/ansibleVersionProbe';
import { fleetUnavailable } from '../../support/fleet';

const noAnsible = ((): string | undefined => {
  try {
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return undefined;
  } catch {
    return fleetUnavailable() ?? 'ansible-playbook is missing: run scripts/setup.sh';
  }
})();

test('the real ansible-playbook: the release module says the version --version says', { skip: noAnsible, timeout: 60_000 }, async () => {
  const slow = execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  const quick = await releaseVersionLine('ansible-playbook', process.env, 20_000);
  assert.ok(quick, 'answered from the release module');
  assert.deepEqual(parseAnsibleVersion(quick), parseAnsibleVersion(slow));
});

test('a wrapper script, a Python that fails, a program that is not there: no answer (the caller asks --version)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rp-version-probe-'));
  try {
    const wrapper = join(dir, 'ansible-playbook');
    writeFileSync(wrapper, '#!/bin/sh\nexec true\n');
    chmodSync(wrapper, 0o755);
    assert.equal(await releaseVersionLine(wrapper, process.env, 20_000), undefined);
    const fakePython = join(dir, 'python3');
    writeFileSync(fakePython, '#!/bin/sh\necho "ModuleNotFoundError: No module named ansible" >&2\nexit 1\n');
    chmodSync(fakePython, 0o755);
    const script = join(dir, 'ansible-playbook-venv');
    writeFileSync(script, `#!${fakePython}\nfrom ansible.cli.playbook import main\n`);
    chmodSync(script, 0o755);
    assert.equal(await releaseVersionLine(script, process.env, 20_000), undefined);
    // Found on PATH the way the shell finds it: the first folder that has it.
    assert.equal(await releaseVersionLine('ansible-playbook', { ...process.env, PATH: dir }, 20_000), undefined);
    assert.equal(await releaseVersionLine('no-such-ansible-playbook', { ...process.env, PATH: dir }, 20_000), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
