// Filling the follow-up commands of rollback.yml (followUp.ciStatus, followUp.issue): each
// placeholder becomes one shell word, quoted by the product's one quoting function; a
// placeholder the shell would not read as a plain word (inside quotes, sh -c '…') is refused,
// as everywhere else a value reaches a shell.
import { CI_PLACEHOLDERS, ISSUE_PLACEHOLDERS, templateQuotingProblem } from '../config/templateQuoting';
import { shQuote } from '../plan/shellQuote';
import { codeSpan } from '../plan/sentence';

export { CI_PLACEHOLDERS, ISSUE_PLACEHOLDERS };

export type Filled = { command: string } | { problem: string };

/** `values` must name every placeholder the template uses; a missing one is a problem, never an empty word. */
export function fillTemplate(template: string, names: readonly string[], values: Partial<Record<string, string>>, where: string): Filled {
  const quoting = templateQuotingProblem(template, names);
  if (quoting) return { problem: `${where} ${codeSpan(template)} cannot be filled in safely: ${quoting}` };
  const pattern = new RegExp(`\\{(${names.join('|')})\\}`, 'g');
  const missing = [...new Set([...template.matchAll(pattern)].map((m) => m[1]).filter((k) => values[k] === undefined))];
  if (missing.length) return { problem: `${where} needs ${missing.map((k) => `{${k}}`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not known here${missing.some((k) => k === 'owner' || k === 'repo') ? ' (the git remote "origin" is not a forge URL like git@github.com:owner/repo.git)' : ''}` };
  return { command: template.replace(pattern, (_, k: string) => shQuote(values[k]!)) };
}
