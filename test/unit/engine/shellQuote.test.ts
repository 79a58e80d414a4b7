import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { shJoin, shQuote, UnsafeValueError, validateHost, validatePath, validateRef, validateRelativePath } from '../../../src/core/plan/shellQuote';

// Strings dense in what shells care about, plus arbitrary unicode.
const meta = fc.constantFrom(...`'"\`$\\;&|<>(){}[]*?!~#% \t\n-=.,:^@/`.split(''), '$(id)', '`id`', "'\\''", '${IFS}', '--', '\r');
const hostile = fc.array(fc.oneof(meta, fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));

/** What /bin/sh actually passes as arguments when it runs the quoted line. */
function argsThroughShell(line: string): Buffer {
  return execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`]);
}

describe('shell quoting and validation', () => {
  test('any string without NUL arrives at the command byte-identical after shQuote (property, real /bin/sh)', () => {
    fc.assert(
      fc.property(fc.array(hostile.filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), (args) => {
        const out = argsThroughShell(shJoin(args));
        assert.deepEqual(out, Buffer.concat(args.map((a) => Buffer.concat([Buffer.from(a, 'utf8'), Buffer.from([0])]))));
      }),
      { numRuns: 150 },
    );
  });

  test('refs, paths and hosts full of metacharacters are rejected or, when accepted, inert', () => {
    const validators = [validateRef, validatePath, validateRelativePath, validateHost];
    fc.assert(
      fc.property(hostile, fc.nat(validators.length - 1), (value, which) => {
        let accepted: string;
        try {
          accepted = validators[which](value);
        } catch (e) {
          assert.ok(e instanceof UnsafeValueError, String(e));
          assert.ok(e.message.includes(JSON.stringify(value)), 'the message quotes the bad value');
          return;
        }
        assert.ok(!/[\0\n\r]/.test(accepted));
        assert.ok(!accepted.startsWith('-'), 'option-looking values never pass');
        assert.deepEqual(argsThroughShell(shQuote(accepted)), Buffer.from(`${accepted}\0`, 'utf8'));
      }),
      { numRuns: 300 },
    );
  });

  test('known bad values get a message saying what is wrong', () => {
    assert.throws(() => validateRef('--output=/etc/passwd'), /starts with "-" and would be read as an option/);
    assert.throws(() => validateRef('v1\nrm -rf /'), /newline/);
    assert.throws(() => validateRef('main..evil'), /not allow/);
    assert.throws(() => validateRelativePath('../../etc/shadow'), /must not leave the repository/);
    assert.throws(() => validateHost('-oProxyCommand=touch /tmp/x'), /option/);
    assert.throws(() => validateHost('deploy@prod-1;id'), /user@host/);
    assert.throws(() => shQuote('a\0b'), /NUL/);
    assert.equal(validateHost('deploy@prod-1:2222'), 'deploy@prod-1:2222');
    assert.equal(validateRef('v1.3.0'), 'v1.3.0');
    assert.equal(validateRef('HEAD~1'), 'HEAD~1');
  });
});
