// Text a hostile production host writes and the operator reads: the holder of the rollback
// lock and the step titles of a journal copy on the target (shown by the CLI when the lock
// refuses a run), a logs command's stderr (the error-spike trigger and the log check's
// words), a log line streamed to a terminal. Found by this review: they reached the terminal
// byte for byte, so ESC[2J cleared the operator's screen, ESC]52 wrote the clipboard, a lone
// \r overwrote the line with "OK", and a 100 kB stderr line became one trigger. The promise is
// tested where it is kept: the shipped CLI bundle as a real process on a real target folder,
// the text it wrote played into a real terminal emulator (tmux) and read back off its screen;
// the spike read by the real shell. src/core/redact/displayText.ts is the fix, used by the
// CLI's presenter, the extension's run and logs terminals, the Releases view's notes, and the
// logs failure texts.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RollbackConfig } from '../../../src/core/config/types';
import { logWatchOf, toLogsConfig } from '../../../src/core/logs/config';
import { measureErrorSpike } from '../../../src/core/logs/spike';
import { terminalSafe } from '../../../src/core/redact/displayText';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { makeAppRepo } from '../../fixtures/appRepo';
import { cliEnv, runCli } from '../cli/harness';
import { freePort, tempDir } from '../engine/helpers';

const ESC = '\x1b';
/** Clears the screen and homes the cursor, writes the clipboard, then overwrites the line from its start. */
const HOSTILE_WHO = `mallory${ESC}[2J${ESC}[Hall clear${ESC}]52;c;cm0gLXJmIH4=\x07\rOK`;
const HOSTILE_STEP = `drop${ESC}[1A${ESC}[2Kfine\u009b2J\bX`;

/** What a terminal would act on, other than colours and line ends: found independently of the code under test. */
function terminalControls(text: string): string[] {
  const rest = text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n');
  return [...rest.matchAll(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g)].map((m) => JSON.stringify(rest.slice(Math.max(0, m.index - 8), m.index + 8)));
}

const tmuxMissing = spawnSync('tmux', ['-V']).status === 0 ? false : 'needs tmux';

let screens = 0;

/** `text` written into a fresh 120x30 tmux pane after a line "BEFORE-THE-TEXT" (the pane's tty turns \n into \r\n, as a terminal's does); the screen once it has shown the line "AFTER-THE-TEXT" written last. */
function screenAfter(text: string, dir: string): string {
  const socket = `rp-attack-${process.pid}-${++screens}`;
  const file = join(dir, `text-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `BEFORE-THE-TEXT\n${text}\nAFTER-THE-TEXT\n`);
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000 });
  try {
    tmux('new-session', '-d', '-x', '120', '-y', '30', `cat ${file}; sleep 30`);
    let screen = '';
    for (let i = 0; i < 50 && !screen.includes('AFTER-THE-TEXT'); i++) {
      if (i) execFileSync('sleep', ['0.1']);
      screen = tmux('capture-pane', '-p', '-J');
    }
    return screen;
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
}

describe('text from a hostile host reaches the operator as text', { timeout: 300_000 }, () => {
  const tmp = tempDir('host-text');
  after(() => tmp.cleanup());

  test('the CLI: a lock held by a hostile holder refuses the run, and its message moves no cursor and writes no clipboard', async () => {
    const { dir } = await makeAppRepo(join(tmp.dir, 'app'), { apiPort: await freePort(), workerPort: await freePort() });
    mkdirSync(join(dir, '.rollback/locks'), { recursive: true });
    mkdirSync(join(dir, '.rollback/journals'), { recursive: true });
    writeFileSync(join(dir, '.rollback/locks/rollback.lock'), JSON.stringify({ who: HOSTILE_WHO, since: new Date().toISOString(), runId: 'rb-evil', environment: 'local', where: 'local' }));
    writeFileSync(join(dir, '.rollback/journals/rb-evil.json'), JSON.stringify({ runId: 'rb-evil', status: 'running', plan: { steps: [{ id: 'a', title: HOSTILE_STEP }] }, steps: [{ stepId: 'a', outcome: 'running' }] }));
    const r = await runCli(['run', '--cause', 'code', '--reason', 'attack', '--yes'], { cwd: dir, env: cliEnv() });
    assert.match(r.stderr, /is being rolled back by mallory/, r.stderr);
    assert.deepEqual(terminalControls(r.stderr), [], `the CLI wrote terminal controls from the host:\n${JSON.stringify(r.stderr)}`);
    if (tmuxMissing) return;
    const screen = screenAfter(r.stderr, tmp.dir);
    assert.match(screen, /BEFORE-THE-TEXT/, `the message cleared the screen:\n${screen}`);
    assert.match(screen, /rolled back by mallory.*all clear/, `the message's words are on the screen:\n${screen}`);
  });

  test('rollback-pilot status: the lock holder and the step title of the journal copy as text', async () => {
    const dir = join(tmp.dir, 'app');
    const r = await runCli(['status'], { cwd: dir, env: cliEnv() });
    assert.match(r.stdout, /LOCKED: rollback of local by mallory/, r.stdout);
    assert.deepEqual(terminalControls(r.stdout), [], `status wrote terminal controls from the host:\n${JSON.stringify(r.stdout)}`);
  });

  test('a real terminal: the hostile text as the run and logs terminals now write it leaves the screen as it was; written raw it does not', { skip: tmuxMissing }, () => {
    const diskFull = `${ESC}]0;Rollback finished${ESC}\\${ESC}[31mERROR${ESC}[0m disk full\r${ESC}[32mOK${ESC}[0m          `;
    const cases: Array<{ hostile: string; rewrites: (screen: string) => boolean }> = [
      { hostile: HOSTILE_WHO, rewrites: (sc) => !sc.includes('BEFORE-THE-TEXT') },
      { hostile: HOSTILE_STEP, rewrites: (sc) => !sc.includes('BEFORE-THE-TEXT') },
      { hostile: diskFull, rewrites: (sc) => !sc.includes('disk full') },
      { hostile: `${ESC}c`, rewrites: (sc) => !sc.includes('BEFORE-THE-TEXT') },
      { hostile: `${ESC}[999A${ESC}[J`, rewrites: (sc) => !sc.includes('BEFORE-THE-TEXT') },
    ];
    for (const { hostile, rewrites } of cases) {
      // The attack is real: written raw, the screen no longer says what was written.
      const raw = screenAfter(hostile, tmp.dir);
      assert.ok(rewrites(raw), `raw ${JSON.stringify(hostile)} did not rewrite the screen, so this case tests nothing:\n${raw}`);
      const shown = screenAfter(terminalSafe(hostile), tmp.dir);
      assert.ok(!rewrites(shown) && shown.includes('BEFORE-THE-TEXT\n') && shown.includes('AFTER-THE-TEXT'), `${JSON.stringify(hostile)} rewrote the screen:\n${shown}`);
      assert.deepEqual(terminalControls(terminalSafe(hostile)), []);
      if (hostile === diskFull) assert.match(shown, /ERROR disk full\s*\n\s*OK/, `the error line was overwritten by OK:\n${shown}`);
    }
  });

  test('a logs command on the host that fails with hostile stderr: the trigger text is one bounded line with its controls shown', async () => {
    const dir = join(tmp.dir, 'spike');
    mkdirSync(dir, { recursive: true });
    // A bidi override, a screen clear, a carriage return and 100 kB of it on the last line.
    writeFileSync(join(dir, 'logs.sh'), `printf 'ERROR \\342\\200\\256detaerc tnuocca\\033[2J\\rall fine %s\\n' "$(head -c 100000 /dev/zero | tr '\\0' x)" >&2; exit 1\n`);
    const config: RollbackConfig['services'][number] = { name: 'api', paths: [], logs: toLogsConfig('sh logs.sh {since}', undefined) };
    const spike = await measureErrorSpike(new LocalCommandRunner(), logWatchOf(config, 'local', dir)!, Date.now());
    assert.ok(spike.problem, 'the logs could not be read');
    assert.ok(spike.text.length <= 600, `the trigger is ${spike.text.length} characters long`);
    assert.doesNotMatch(spike.text, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(spike.text.slice(0, 200)));
    assert.match(spike.text, /\\u202e.*\\x1b\[2J all fine/, `the controls are shown, not hidden: ${spike.text.slice(0, 200)}`);
  });
});
