// Placeholders in rollback.yml's command templates ({id}, {previous}, {file}, {image}) are
// filled in with a value already quoted for the shell ('…'). That is safe only where the
// shell reads the placeholder as (part of) a plain word: inside "…" or '…' the inserted
// quotes become data and the value's own characters ($(…), `…`, ';') become syntax again;
// in `sh -c '…'` a second shell re-reads it unquoted. A regex on `"{` cannot tell these
// apart ("$(cat {file})" is fine, 'x'{id} is fine, "a {id}" is not), so this follows the
// shell's quote state the way sh(1) reads the line.

import { rereaderIn } from './shellRereads';
import { scan, type QuotedPlaceholder, type UnsafeContext } from './templateTokenizer';

export type { QuotedPlaceholder, UnsafeContext } from './templateTokenizer';

/** Every placeholder of `names` that the shell would not read as part of a plain, unquoted word. */
export function quotedPlaceholders(template: string, names: readonly string[]): QuotedPlaceholder[] {
  return scan(template, names).found.map(({ placeholder, offset, context }) => ({ placeholder, offset, context }));
}

/**
 * The template as it should be written: quotes closed around each placeholder, a quoted
 * placeholder alone unquoted, and a `-c '…'` script that takes its values as "$1", "$2"…
 * from arguments after it. Undefined where no mechanical rewrite is right (backticks,
 * comments, here-documents…): the message then says what to do instead.
 */
export function suggestedTemplate(template: string, names: readonly string[]): string | undefined {
  const found = scan(template, names).found;
  if (!found.length || found.some((p) => !p.frame || p.frame.end === undefined || !['sq', 'dq'].includes(p.frame.kind))) return undefined;
  const frames = [...new Set(found.map((p) => p.frame!))].sort((a, b) => b.start - a.start);
  let out = template;
  for (const fr of frames) {
    const end = fr.end!;
    const q = template[fr.start];
    const inner = template.slice(fr.start + 1, end);
    const mine = found.filter((p) => p.frame === fr).sort((a, b) => a.offset - b.offset);
    let replaced: string;
    if (fr.shC) {
      let body = inner;
      const args: string[] = [];
      for (const p of [...mine].reverse()) {
        const n = mine.length - args.length;
        const param = q === "'" ? `"$${n}"` : `\\"\\$${n}\\"`;
        body = body.slice(0, p.offset - fr.start - 1) + param + body.slice(p.offset - fr.start - 1 + p.placeholder.length);
        args.unshift(p.placeholder);
      }
      replaced = `${q}${body}${q} sh ${args.join(' ')}`;
    } else if (mine.length === 1 && inner === mine[0].placeholder) {
      replaced = inner;
    } else {
      let body = inner;
      for (const p of [...mine].reverse()) {
        const at = p.offset - fr.start - 1;
        body = `${body.slice(0, at)}${q}${p.placeholder}${q}${body.slice(at + p.placeholder.length)}`;
      }
      replaced = `${q}${body}${q}`.replace(new RegExp(`^${q}${q}|${q}${q}$`, 'g'), '');
    }
    out = out.slice(0, fr.start) + replaced + out.slice(end + 1);
  }
  return out;
}

const ADVICE: Record<UnsafeContext, string> = {
  'single quotes': 'its value is quoted for the shell when it is filled in, so it must stand outside quotes',
  'double quotes': 'its value is quoted for the shell when it is filled in, so it must stand outside quotes',
  "$'…' quotes": 'its value is quoted for the shell when it is filled in, so it must stand outside quotes',
  "after $'…' quotes": "/bin/sh (dash) has no $'…' quotes: it reads them as $ and '…', so it splits the rest of the line unlike bash and may run the value; write that text in '…' or \"…\" instead",
  backticks: 'the shell ends `…` at the first backtick, even one inside the value: use $(…) instead',
  'a ${…} expansion': 'write it as its own word outside the ${…}',
  'an arithmetic $((…))': 'write it as its own word outside the $((…))',
  'a comment': 'a value with a newline would end the comment and run the rest: take it out of the comment',
  'a here-document': 'a here-document does not read quotes: pass the value as an argument instead',
  'after a backslash': 'the backslash would escape the quote the value starts with: remove the backslash',
  'an eval or ssh command': 'eval and ssh hand their arguments to a shell that reads them again (scp and rsync their remote paths): run the command without eval, or put it in a script on the host that takes the value as "$1"',
  'a command that reads it again as code': 'trap, su -c, script -c, flock -c, watch, env -S, eval, and bash\'s let, declare, read, printf -v, compgen, test -v and [[ … ]] read their argument again as code (or as a name, where a[$(…)] runs): pass the value to a script that takes it as "$1" instead',
  'a sh -c script': 'a second shell or interpreter reads it again as code, with the value\'s quotes gone: pass the value as an argument after the script, as in sh -c \'… "$1"\' sh {id}',
  'a command named by an expansion': 'the program ($(…), $X) is known only once the shell expands it, and it may be sh -c or eval, which read the value as code: write the program\'s name in the template',
  'right after a $': 'the shell reads ${…} as a variable, and bash reads $ before the filled-in quote as $\'…\': remove the $',
  "bash's arithmetic ((…)) or $[…]": 'bash evaluates it as arithmetic, where a value such as a[$(…)] runs: write it as its own word outside the arithmetic',
  "after bash's $[…] or ((…))": "/bin/sh (dash) has no $[…] or ((…)): it reads a word and subshells there, so it splits the rest of the template unlike bash and may run the value; use $((…)) instead",
  'an array subscript': 'bash evaluates an array subscript as arithmetic, where a value such as a[$(…)] runs: do not use a value as an array index',
  'the target of >& or <&': 'bash reads a word there that is not a file descriptor again as code, quotes gone (>& \'$(…)\' runs it): write the file with > or 2> instead',
};

/** Where the placeholder is, where "is inside <context>" does not say it. */
const POSITION: Partial<Record<UnsafeContext, string>> = {
  'after a backslash': 'stands after a backslash',
  'right after a $': 'stands right after a $',
  "after $'…' quotes": "stands after $'…' quotes",
  "after bash's $[…] or ((…))": "stands after bash's $[…] or ((…))",
  'a sh -c script': 'is code a second interpreter reads (the script of sh -c, python -c or psql -c, the program of sed or awk)',
  'an eval or ssh command': 'is an argument of eval, ssh, scp or rsync',
  'the target of >& or <&': 'is the target of >& or <&',
  'an array subscript': 'is in an array subscript',
};

/**
 * Why `template` cannot be filled in safely, with the form that works; undefined when every
 * placeholder stands where its quoted value is one plain word.
 */
export function templateQuotingProblem(template: string, names: readonly string[]): string | undefined {
  const found = quotedPlaceholders(template, names);
  if (!found.length) return undefined;
  const first = found[0];
  const fixed = suggestedTemplate(template, names);
  const position = first.context === 'a command that reads it again as code' ? `is in a template with ${rereaderIn(template) ?? 'a command'}, which reads values again as code` : (POSITION[first.context] ?? `is inside ${first.context}`);
  const more = found.length > 1 ? ` (and ${found.length - 1} more placeholder${found.length > 2 ? 's' : ''} like it)` : '';
  return `${first.placeholder} ${position}${more}: ${ADVICE[first.context]}${fixed ? `; write: ${fixed.trim().includes('\n') ? JSON.stringify(fixed) : fixed.trim()}` : ''}`;
}

/** The placeholders each template of rollback.yml takes (schema/rollback.schema.json says the same). */
// The placeholder sets and which template of rollback.yml takes which: placeholders.ts.
export { BACKUP_PLACEHOLDERS, CI_PLACEHOLDERS, DEPLOYED_PLACEHOLDERS, DEPLOY_PLACEHOLDERS, DOWN_PLACEHOLDERS, ISSUE_PLACEHOLDERS, placeholderTemplates } from './placeholders';
