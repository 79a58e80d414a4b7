import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../../src/core/config';
import { DOWN_PLACEHOLDERS, quotedPlaceholders, suggestedTemplate, templateQuotingProblem } from '../../../src/core/config/templateQuoting';
import { fillDownCommand } from '../../../src/core/database/downStep';
import { planDatabaseSteps } from '../../../src/core/database/dbPlan';
import type { MigrationVerdict } from '../../../src/core/migrations/types';
import { serviceSteps } from '../../../src/core/plan/serviceSteps';
import { shQuote } from '../../../src/core/plan/shellQuote';

const N = DOWN_PLACEHOLDERS;
const contexts = (t: string) => quotedPlaceholders(t, N).map((q) => q.context);
const sandbox = mkdtempSync(join(tmpdir(), 'rp-tq-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));

/** Runs `command` in `shell` in the sandbox: whether it made the canary (removed again, so the next case starts clean). A failing command is fine. */
function ranCanary(command: string, shell = '/bin/bash'): boolean {
  try {
    execFileSync(shell, ['-c', command], { cwd: sandbox, stdio: 'ignore', timeout: 5000 });
  } catch {
    // a syntax error, a missing program: only what ran counts
  }
  const ran = existsSync(join(sandbox, 'CANARY'));
  rmSync(join(sandbox, 'CANARY'), { force: true });
  return ran;
}

describe('placeholders inside shell quotes (tokenizer)', () => {
  test('a bare placeholder, one glued to quoted text, or inside $(…) is fine', () => {
    for (const t of ['alembic downgrade {previous}', "echo 'x'{id}'y'", '--rev={id}', 'psql -c "$(cat {file})"', 'echo "$(echo {id})" "it\'s"', "echo \"it's\" {id}", 'a # comment\nb {id}', 'cat <<EOF\nx\nEOF\necho {id}']) {
      assert.deepEqual(contexts(t), [], t);
      assert.equal(templateQuotingProblem(t, N), undefined, t);
    }
  });

  test('each way a placeholder can stop being a plain word is named', () => {
    const cases: Array<[string, string[]]> = [
      ['alembic downgrade "{previous}"', ['double quotes']],
      ["alembic downgrade '{previous}'", ['single quotes']],
      ["sh -c 'alembic downgrade {previous}'", ['single quotes']],
      ['docker exec app sh -c "alembic downgrade {previous} && echo {id}"', ['double quotes', 'double quotes']],
      ['echo "$(echo "{id}")"', ['double quotes']],
      ["echo $'{id}'", ["$'…' quotes"]],
      ['echo `cat {file}`', ['backticks']],
      ['echo `echo $(cat {file})`', ['backticks']],
      ['echo \\{id}', ['after a backslash']],
      ['echo ${id}', ['right after a $']],
      ['echo "${x:-{id}}"', ['a ${…} expansion']],
      ['echo $(({id} + 1))', ['an arithmetic $((…))']],
      ['true # {id}', ['a comment']],
      ['cat <<EOF\n{id}\nEOF', ['a here-document']],
      ["cat <<'EOF' | sh\nrm {file}\nEOF\necho {id}", ['a here-document']],
      // An escaped quote does not open a quoted string; the real one after it does.
      ['echo \\" {id} "{file}"', ['double quotes']],
      ["echo \"\\\"{id}\"", ['double quotes']],
    ];
    for (const [t, want] of cases) assert.deepEqual(contexts(t), want, t);
  });

  test('the message names the placeholder, where it is, and the form that works', () => {
    assert.equal(
      templateQuotingProblem('alembic downgrade "{previous}"', N),
      '{previous} is inside double quotes: its value is quoted for the shell when it is filled in, so it must stand outside quotes; write: alembic downgrade {previous}',
    );
    assert.match(templateQuotingProblem("sh -c 'alembic downgrade {previous}'", N)!, /write: sh -c 'alembic downgrade "\$1"' sh \{previous\}$/);
    assert.match(templateQuotingProblem('echo `cat {file}`', N)!, /use \$\(…\) instead/);
    assert.equal(suggestedTemplate('echo "a {id} b" {file}', N), 'echo "a "{id}" b" {file}');
    assert.equal(suggestedTemplate('bash -c "alembic downgrade {previous}"', N), 'bash -c "alembic downgrade \\"\\$1\\"" sh {previous}');
  });

  // The tokenizer's verdict checked against the real shells: every template it accepts stays
  // inert with a hostile value, and every rewrite it suggests is accepted and passes the value through.
  const hostile = fc.constantFrom('$(touch CANARY)', '`touch CANARY`', "x';touch CANARY;'", 'x";touch CANARY;"', '$(touch${IFS}CANARY)', 'a\ntouch CANARY', "\\'$(touch CANARY)", 'a b\\', "'\n touch CANARY\n'", 'a[$(touch CANARY)]');
  const pieces = fc.constantFrom('echo ', '{id}', '{file}', '"', "'", '\\', '$', '`', '$(', ')', ' ', ';', '#', 'x', "sh -c '", '\n', '${', '}', '<<E\n', 'E\n', 'eval ', 'ssh h ', '-c ', 'bash -c ', "$'", '\\ ', 'sh -c ', 'x=', '"$(', '\t', '>&', '<&', '2>&1 ', '((', '))', '$[', ']', 'a[', ']=1', '[ -v ', '$@', 'compgen -W ');
  test('templates it accepts never run a hostile value, in dash and bash (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 10 }), hostile, (parts, value) => {
        const template = `${parts.join('')} {id}`;
        const filled = fillDownCommand(template, { id: value, file: value, previous: value });
        if (!('command' in filled)) return;
        accepted++;
        for (const shell of ['/bin/dash', '/bin/bash']) {
          try {
            execFileSync(shell, ['-c', filled.command], { cwd: sandbox, stdio: 'ignore', timeout: 5000 });
          } catch {
            // syntax errors are fine; side effects are not
          }
          const ran = existsSync(join(sandbox, 'CANARY'));
          // Cleared at once: a canary left behind would fail every later (and every shrunk) case.
          rmSync(join(sandbox, 'CANARY'), { force: true });
          assert.ok(!ran, `${shell} ran the value of ${JSON.stringify(template)}: ${filled.command}`);
        }
      }),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 50, `only ${accepted} templates were accepted: the property tested too little`);
  });

  test('the suggested form is accepted and hands the value over byte for byte (property)', () => {
    const quoted = fc.constantFrom('alembic downgrade "{previous}"', "sh -c 'printf %s {id}'", 'bash -c "printf %s {id}"', "printf %s 'a {id} b'", 'printf %s "--rev={id}"', "dash -c 'printf %s {id}; printf %s {id}'");
    fc.assert(
      fc.property(quoted, hostile, (template, value) => {
        const fixed = suggestedTemplate(template, N);
        assert.ok(fixed, template);
        assert.deepEqual(contexts(fixed), [], fixed);
        const filled = fillDownCommand(fixed.replace(/^alembic downgrade/, 'printf %s'), { id: value, file: value, previous: value });
        if (/[\n\r]/.test(value)) return void assert.ok('problem' in filled, 'a value with a line break is refused');
        assert.ok('command' in filled);
        const out = execFileSync('/bin/dash', ['-c', filled.command], { cwd: sandbox, encoding: 'utf8' });
        const expected = template.includes('a {id} b') ? `a ${value} b` : template.includes('--rev') ? `--rev=${value}` : template.includes('; printf') ? value + value : value;
        assert.equal(out, expected);
        assert.ok(!existsSync(join(sandbox, 'CANARY')));
      }),
      { numRuns: 60 },
    );
  });

  test("a placeholder after $'…' quotes is refused: dash reads them as $ and '…' and may run the value (found by the property test in CI)", () => {
    // bash reads $'\'<<E\n' as one quoted word; dash reads $, '\', then a here-document whose unquoted body expands the value.
    const template = "$'\\'<<E\n' {id}";
    assert.match(templateQuotingProblem(template, N)!, /^\{id\} stands after \$'…' quotes: \/bin\/sh \(dash\) has no \$'…' quotes/);
    assert.ok(!('command' in fillDownCommand(template, { id: '$(touch CANARY)', file: 'f', previous: 'p' })), 'nothing is filled in');
    assert.equal(templateQuotingProblem("printf %s {id} $'x'", N), undefined, "a placeholder before any $'…' is read alike by both shells");
  });

  test('a placeholder in the word after >& or <& is refused: bash reads a word there that is not a file descriptor again as code (found by a longer property run)', () => {
    // What the check guards against, in bash itself: the quoted value after >& runs.
    const raw = `echo hi >& ${"'$(touch CANARY)'"}`;
    assert.ok(ranCanary(raw), 'bash ran the quoted value after >&');
    for (const t of ['echo hi >& {id}', 'echo hi >&{id}', 'echo hi 1>&x{id}', 'exec >& \\\n {file}', 'cat <& {file}', 'echo >&"$(echo {id})"', 'x=$(cmd >& {id})']) {
      assert.match(templateQuotingProblem(t, N) ?? '', /^\{(id|file)\} is the target of >& or <&: bash reads a word there that is not a file descriptor again as code/, t);
      assert.ok(!('command' in fillDownCommand(t, { id: '$(touch CANARY)', file: '$(touch CANARY)', previous: 'p' })), t);
    }
    // A descriptor after >& and a value after it, or &> and > with a value, are plain words.
    for (const t of ['alembic downgrade {previous} 2>&1', 'echo {id} >&2', 'printf %s 2>&1 {id}', 'echo x &> {file}', 'echo x > {file}', 'a && {id}', 'x=$(cmd >& /dev/null) {id}']) {
      assert.equal(templateQuotingProblem(t, N), undefined, t);
      const filled = fillDownCommand(t, { id: '$(touch CANARY)', file: '$(touch CANARY)', previous: '$(touch CANARY)' });
      assert.ok('command' in filled, t);
      for (const shell of ['/bin/dash', '/bin/bash']) {
        try {
          execFileSync(shell, ['-c', filled.command], { cwd: sandbox, stdio: 'ignore', timeout: 5000 });
        } catch {
          // a missing alembic or cmd is fine
        }
        assert.ok(!existsSync(join(sandbox, 'CANARY')), `${shell} ran the value of ${t}`);
      }
    }
  });

  test('a redirection between a shell and its -c, or between -c and its script, leaves the script the value: refused (found by the property test with >& pieces)', () => {
    for (const t of ['bash -c 2>&1 {id}', 'bash 2>/dev/null -c {id}', 'bash -c &>/dev/null {id}', 'sh -c >|out {id}', 'sh -c 2>&1 >out {id}']) {
      // bash runs the script given after the redirection: the quoted value is the script.
      const raw = t.replace('{id}', "'touch CANARY'");
      assert.ok(ranCanary(raw), `bash runs the value as the script in ${t}`);
      assert.match(templateQuotingProblem(t, N) ?? '', /^\{id\} is code a second interpreter reads/, t);
    }
    // After the script, a redirection and a value are the script's argument ($0, $1…), the form we suggest.
    for (const t of ['sh -c \'printf %s "$1"\' 2>&1 sh {id}', "bash -c 'echo \"$1\"' sh 2>/dev/null {id}"]) assert.equal(templateQuotingProblem(t, N), undefined, t);
    rmSync(join(sandbox, 'out'), { force: true });
  });

  test("bash's arithmetic, array subscripts, test -v and compgen read a value such as a[$(…)] as code: refused (found by a longer property run)", () => {
    const value = 'a[$(touch CANARY)]';
    for (const [t, why] of [
      ['(( {id} ))', /^\{id\} is inside bash's arithmetic/],
      ['for (( i={id}; i<1; i++ )); do :; done', /^\{id\} is inside bash's arithmetic/],
      ['echo $[{id}]', /^\{id\} is inside bash's arithmetic/],
      ['a[{id}]=1', /^\{id\} is in an array subscript/],
      ['a=([{id}]=1)', /^\{id\} is in an array subscript/],
      ['[ -v {id} ]', /^\{id\} is in a template with test -v/],
      ['if test -v {id}; then :; fi', /^\{id\} is in a template with test -v/],
      ['compgen -W {id}', /^\{id\} is in a template with compgen/],
    ] as const) {
      assert.ok(ranCanary(t.replace('{id}', shQuote(value))), `bash runs the quoted value in ${t}`);
      assert.match(templateQuotingProblem(t, N) ?? '', why, t);
    }
    // dash has neither: it reads `$[cat` as a word and <<E as a here-document whose body expands the value.
    const diverging = '$[cat<<E\n]))*in <<<do {id}';
    assert.ok(ranCanary(diverging.replace('{id}', shQuote('$(touch CANARY)')), '/bin/dash'), 'dash expanded the value in a here-document bash never sees');
    assert.match(templateQuotingProblem(diverging, N) ?? '', /^\{id\} stands after bash's \$\[…\] or \(\(…\)\): \/bin\/sh \(dash\) has no/);
    assert.match(templateQuotingProblem('((x=1)); echo {id}', N) ?? '', /^\{id\} stands after bash's/);
    // sh -c with $@ or "$@" before the value: with no arguments it is no word at all, and the value is the script.
    for (const t of ['sh -c $@ {id}', 'sh -c "$@" {id}', 'bash -c "${a[@]}" {id}']) assert.match(templateQuotingProblem(t, N) ?? '', /^\{id\} is code a second interpreter reads/, t);
    for (const t of ['sh -c "" {id}', 'sh -c "$*" {id}']) assert.equal(templateQuotingProblem(t, N), undefined, `${t}: the script is a word, empty or not, and the value its $0`);
    for (const t of ['[ -f {file} ] && psql -f {file}', 'if [ -e {file} ]; then cat {file}; fi', '(cd db && alembic downgrade {previous})', 'echo $(( 1 + 2 )) {id}', 'a=(1 2); echo {id}']) assert.equal(templateQuotingProblem(t, N), undefined, t);
  });

  test('an option with an argument before -c (bash -o pipefail -c), an interpreter\'s -c/-e after its options, and sed\'s or awk\'s program are code: refused', () => {
    for (const [t, value] of [
      ['bash -o pipefail -c {id}', 'touch CANARY'],
      ['bash -O extglob -c {id}', 'touch CANARY'],
      ['python3 -W ignore -c {id}', "import os; os.system('touch CANARY')"],
      ['perl -w -e {id}', "system('touch CANARY')"],
      ['echo x | sed -n {id}', '1e touch CANARY'],
      ['awk -v x=1 {id}', 'BEGIN { system("touch CANARY") }'],
    ] as const) {
      assert.ok(ranCanary(t.replace('{id}', shQuote(value))), `the value runs as code in ${t}`);
      assert.match(templateQuotingProblem(t, N) ?? '', /^\{id\} is code a second interpreter reads/, t);
    }
    // A command after assignments (A=1 su -c …) is still that command.
    for (const t of ['a=b su -c {id}', "A='x y' trap {id} EXIT", '2>&1 su -c {id}', '>/dev/null trap {id} EXIT', 'coproc su -c {id}', 'sudo -u root su -c {id}', 'timeout 5 su -c {id}', '\\read {id}', "'read' {id}", 'r""ead {id}', '"su" -c {id}']) assert.match(templateQuotingProblem(t, N) ?? '', /which reads values again as code/, t);
    for (const t of ["bash -o pipefail -c 'alembic downgrade \"$1\"' sh {previous}", "sed -i 's/a/b/' {file}", "awk -f prog.awk {file}", 'python3 manage.py migrate app {previous}', 'sudo -u app alembic downgrade {previous}', 'timeout 60 npx knex migrate:down --name {file}']) assert.equal(templateQuotingProblem(t, N), undefined, t);
  });

  test('a value with a line break is never filled in: bash, after a syntax error on the line, reads the rest of the value as new commands (found by a longer property run)', () => {
    const template = 'x=(;; esac {id}';
    const value = "'\n touch CANARY\n'";
    const raw = template.replace('{id}', shQuote(value));
    assert.ok(ranCanary(raw), 'bash ran the second line of the quoted value');
    const filled = fillDownCommand(template, { id: value, file: 'f.py', previous: 'p' });
    assert.ok('problem' in filled && /has a line break, which is never passed to a shell/.test(filled.problem), JSON.stringify(filled));
    assert.ok('command' in fillDownCommand('alembic downgrade {previous}', { id: 'a\nb', file: 'f', previous: 'p' }), 'only the values the template takes count');
  });

  test('a here-document ends at its delimiter alone on a line; with << a tab before it keeps the body open (found by the property test in CI)', () => {
    assert.match(templateQuotingProblem('cat <<E\n\tE\n {id}', N)!, /^\{id\} is inside a here-document/);
    assert.ok(!('command' in fillDownCommand('cat <<E\n\tE\n {id}', { id: '$(touch CANARY)', file: 'f', previous: 'p' })));
    assert.equal(templateQuotingProblem('cat <<-E\n\tE\nprintf %s {id}', N), undefined, '<<- strips the tab: the body ended');
    assert.equal(templateQuotingProblem('cat <<E\nE\nprintf %s {id}', N), undefined);
    // In a body that expands, a line ending in a backslash goes on in the next: "E\\" + "E" is the line EE, not the delimiter.
    const joined = 'cat <<-E\nE\\\nE\n {id}';
    assert.ok(ranCanary(joined.replace('{id}', shQuote('$(touch CANARY)')), '/bin/dash'), 'dash expanded the value in the body that went on');
    assert.match(templateQuotingProblem(joined, N)!, /^\{id\} is inside a here-document/);
    assert.equal(templateQuotingProblem("cat <<'E'\nE\\\nE\nprintf %s {id}", N), undefined, 'a quoted delimiter: no line continuation in the body');
    assert.equal(templateQuotingProblem('cat <<E\nx\\\\\nE\nprintf %s {id}', N), undefined, 'an even number of backslashes is no continuation');
  });

  test('a placeholder a second interpreter reads is refused: the script of sh -c, eval, ssh, python -c (found by the property test)', () => {
    const refused = [
      "sh -c ''{id} {id}",
      '\n{file}$\')\\{file}"sh -c \' {id}',
      '\\bash -c  {id}',
      'sh -c $sh -c  {id}',
      'sh -c \\\n {id}',
      'sh -c $() {id}',
      'sh -c  \\-c  {id}',
      '$({file}bash -c )sh -c  {id}',
      'eval "$()"  {id}',
      '\\eval  {id}',
      'ssh db-host alembic downgrade {previous}',
      'python3 -c {id}',
      'echo \\)#<<E\n  {id}',
    ];
    for (const template of refused) {
      assert.ok(quotedPlaceholders(template, N).length > 0, `accepted ${JSON.stringify(template)}`);
      assert.ok('problem' in fillDownCommand(template, { id: 'a1', file: 'v/a1.py', previous: 'p0' }), `filled ${JSON.stringify(template)}`);
    }
    assert.match(templateQuotingProblem('bash -c {previous}', N)!, /^\{previous\} is code a second interpreter reads \(the script of sh -c, python -c or psql -c, the program of sed or awk\): a second shell or interpreter reads it again as code/);
    // The program itself out of an expansion (found by the property test: $(echo bash -c ) {id} ran the value), or the -c after a shell's name.
    for (const template of ['$(echo bash -c ) {id}', '"$(printf ev%sl a)" echo {id}', 'A=1 $X {id}', '`echo sh` -c {id}', 'sh $(echo -c) {id}', 'cd /srv && $CMD {id}']) {
      assert.ok('problem' in fillDownCommand(template, { id: 'a1', file: 'v/a1.py', previous: 'p0' }), `filled ${JSON.stringify(template)}`);
    }
    assert.match(templateQuotingProblem('$(echo bash -c ) {id}', N)!, /^\{id\} is inside a command named by an expansion: the program .* may be sh -c or eval/);
    for (const template of ['A=$(pwd) alembic downgrade {id}', 'cd $HOME && alembic downgrade {id}', 'pg_dump -Fc $DB -f {id}', "echo '$(x)' {id}"]) assert.deepEqual(quotedPlaceholders(template, N), [], template);
    assert.match(templateQuotingProblem('ssh db alembic downgrade {previous}', N)!, /is an argument of eval, ssh, scp or rsync/);
    for (const template of ["sh -c 'alembic downgrade \"$1\"' sh {previous}", 'alembic downgrade {previous}', 'docker exec -i db alembic downgrade {previous}', 'x{id}y', "bash -c 'exec \"$@\"' bash alembic downgrade {previous}"]) {
      assert.deepEqual(quotedPlaceholders(template, N), [], template);
    }
  });

  test('fillDownCommand refuses a quoted placeholder with the form that works, and nothing is filled in', () => {
    const r = fillDownCommand('alembic downgrade "{previous}"', { id: 'a1', file: 'v/a1.py', previous: 'p0' });
    // The template is named as code: in quotes it read "alembic downgrade "{previous}"" (issue 13).
    assert.deepEqual(r, { problem: '`alembic downgrade "{previous}"` cannot be filled in safely: {previous} is inside double quotes: its value is quoted for the shell when it is filled in, so it must stand outside quotes; write: alembic downgrade {previous}' });
  });
});

describe('placeholders inside quotes in rollback.yml (Problems panel)', () => {
  const diags = (yml: string) => parseConfig(yml, '/repo/rollback.yml').diagnostics;
  const pos = (d: { line: number; column: number; endLine: number; endColumn: number }) => [d.line, d.column, d.endLine, d.endColumn];

  test('an error at the placeholder itself, in plain, quoted and block YAML values', () => {
    const yml = [
      'migrations:',
      '  tool: alembic',
      '  down: alembic downgrade "{previous}"',
      `  preview: "sh -c 'alembic downgrade {id}:{previous} --sql'"`,
      'services:',
      '  api:',
      '    deploy: |',
      "      docker run -d '{image}'",
      '',
    ].join('\n');
    const d = diags(yml);
    assert.deepEqual(
      d.map((x) => [x.severity, x.path, ...pos(x)]),
      [
        ['error', 'migrations.down', 3, 28, 3, 38],
        ['error', 'migrations.preview', 4, 38, 4, 42],
        ['error', 'services.api.deploy', 8, 22, 8, 29],
      ],
    );
    assert.equal(d[0].message, 'migrations.down: {previous} is inside double quotes: its value is quoted for the shell when it is filled in, so it must stand outside quotes; write: alembic downgrade {previous}');
    assert.match(d[1].message, /^migrations\.preview: \{id\} is inside single quotes \(and 1 more placeholder like it\).*write: sh -c 'alembic downgrade "\$1":"\$2" --sql' sh \{id\} \{previous\}$/);
    assert.match(d[2].message, /write: docker run -d \{image\}$/);
    assert.equal(parseConfig(yml, '/repo/rollback.yml').config, undefined, 'an error: the unsafe file is not used');
  });

  test('the second of two identical placeholders is the one pointed at when only it is quoted', () => {
    const d = diags("migrations:\n  down: echo {id} '{id}'\n");
    assert.equal(d.length, 1);
    assert.deepEqual(pos(d[0]), [2, 20, 2, 24]);
  });

  test('placeholders used bare raise nothing', () => {
    assert.deepEqual(diags('migrations:\n  down: alembic downgrade {previous}\n  preview: alembic downgrade {id}:{previous} --sql\nservices:\n  api:\n    deploy: docker run -d {image}\n'), []);
  });
});

describe('a quoted placeholder in the plan: refused where it is filled in', () => {
  const verdict = (id: string): MigrationVerdict => ({
    migration: { tool: 'alembic', id, file: `versions/${id}.py` },
    class: 'destructive',
    findings: [{ class: 'destructive', rule: 'ban-drop-column', statement: "op.drop_column('t', 'c')", line: 5, column: 5, reason: 'drops t.c', direction: 'up', confidence: 'parsed' }],
  });

  test('migrations.down with "{previous}": no down command is planned; the step says why and the restore is offered', () => {
    const steps = planDatabaseSteps({
      verdicts: [verdict('a1')],
      migrations: { tool: 'alembic', down: "sh -c 'alembic downgrade {previous}'", sql: 'psql -d app', backup: { restore: 'pg_restore -d app latest.dump' } },
      where: 'local',
      cwd: '.',
      previousOf: { a1: 'p0' },
    });
    const down = steps.find((s) => s.id === 'db-down-a1')!;
    assert.deepEqual(down.commands, []);
    assert.match(down.why, /No down command: `sh -c 'alembic downgrade \{previous\}'` cannot be filled in safely: \{previous\} is inside single quotes.*write: sh -c 'alembic downgrade "\$1"' sh \{previous\}/);
    assert.ok(steps.some((s) => s.id === 'db-restore'));
    assert.ok(!steps.some((s) => s.commands.some((c) => c.command.includes('alembic'))), 'nothing with the unsafe template runs');
  });

  test('services.*.deploy with "{image}" under the image strategy: the plan is refused, naming the service', () => {
    const to = { name: 'v1.3.0', sha: 'a'.repeat(40) };
    const at = (command: string) => ({ command, where: 'local' });
    const svc = { name: 'api', deploy: 'docker run -d "{image}"', image: 'registry.example.com/api:{tag}', paths: [] };
    assert.throws(() => serviceSteps({ services: [svc], strategy: 'image', to, at, healthWhere: 'local', configRestored: false }), (e: Error) => {
      assert.equal(e.name, 'PlanError');
      assert.match(e.message, /^rollback\.yml services\.api\.deploy: \{image\} is inside double quotes.*write: docker run -d \{image\}$/);
      return true;
    });
    const ok = serviceSteps({ services: [{ ...svc, deploy: 'docker run -d {image}' }], strategy: 'image', to, at, healthWhere: 'local', configRestored: false });
    assert.equal(ok.find((s) => s.id === 'deploy-api')!.commands[0].command, 'docker run -d registry.example.com/api:v1.3.0');
  });
});
