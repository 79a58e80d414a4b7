// Found by the plan-quoting property (planQuoting.property.test.ts with newerParts.ts): a
// placeholder given to a command that reads its argument again as shell code is accepted by
// the template check (src/core/config/templateQuoting.ts via shellRereads.ts), so the value,
// quoted once for the first shell, runs as code in the second: `trap {x} EXIT`,
// `flock FILE -c {x}`, `su -c {x} USER`, `script -c {x}`, `env -S {x}`, an `eval "$1"` after
// the placeholder, and in bash `[[ 1 -eq {x} ]]`, `let`, `printf -v`, `read` (arithmetic and
// array names evaluate a[$(…)] subscripts). Every template of rollback.yml goes through that check (logs {since},
// backup.create/restore {backup}, deployed {service}, imageCheck {image}, followUp {sha}
// {tag} {title} {body}, migrations down/preview). The fix belongs in shellRereads.ts
// (rereaderIn), made after this was found. Each example fills a template the way
// the product does (followUp's fillTemplate: templateQuotingProblem, then shQuote) and runs it
// in the real shell; the property itself leaves these forms out (rereadingContexts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fillTemplate, ISSUE_PLACEHOLDERS } from '../../../src/core/followUp/template';
import { tempDir } from '../engine/helpers';
import { rereadingContexts } from './newerParts';

describe('a placeholder handed to a command that reads it again as code is refused or stays data', () => {
  const tmp = tempDir('rereaders');
  after(() => tmp.cleanup());
  const cases: Array<{ shell: string; template: string; title: string }> = [
    { shell: '/bin/dash', template: rereadingContexts('gh issue create --title', '{title}')[0], title: '$(touch PWNED)' },
    { shell: '/bin/bash', template: rereadingContexts('gh issue create --title', '{title}')[1], title: 'x[$(touch PWNED)]' },
    { shell: '/bin/dash', template: rereadingContexts('gh issue create --title', '{title}')[2], title: '$(touch PWNED)' },
    // Found by probing the same check by hand: eval after the placeholder (the rule looks only before it), script -c, env -S, bash's let / declare / printf -v / read.
    { shell: '/bin/dash', template: 'set -- {title}; eval "$1"', title: 'touch PWNED' },
    { shell: '/bin/dash', template: 'script -qc {title} /dev/null', title: 'touch PWNED' },
    { shell: '/bin/dash', template: 'env -S {title}', title: 'touch PWNED' },
    { shell: '/bin/bash', template: 'let n={title}', title: 'x[$(touch PWNED)]' },
    { shell: '/bin/bash', template: 'printf -v {title} x', title: 'x[$(touch PWNED)]' },
    { shell: '/bin/bash', template: 'read -r {title} <<< x', title: 'x[$(touch PWNED)]' },
  ];
  for (const [k, c] of cases.entries()) {
    test(`${c.shell}: ${c.template} with the title ${JSON.stringify(c.title)}`, () => {
      const dir = join(tmp.dir, `case-${k}`);
      mkdirSync(dir, { recursive: true });
      const filled = fillTemplate(c.template, ISSUE_PLACEHOLDERS, { title: c.title, body: 'b' }, 'followUp.issue');
      // Refused with a message naming the command that reads it again: what must happen.
      if ('problem' in filled) return assert.match(filled.problem, /reads values again as code|eval or ssh/, filled.problem);
      try {
        execFileSync(c.shell, ['-c', `gh() { :; }; ${filled.command}`], { cwd: dir, stdio: 'ignore', timeout: 10_000 });
      } catch {
        // a failing command is fine; only the side effect counts
      }
      const ran = existsSync(join(dir, 'PWNED'));
      rmSync(join(dir, 'PWNED'), { force: true });
      assert.equal(ran, false, `the filled-in command ${filled.command} ran the title as code`);
    });
  }
});
