// A step's detail quotes the host (a command's stderr, a check's answer) and lands in the
// committed post-mortem, which GitHub and the Markdown preview render: a host that writes a
// link or an image there must not get one. Rendered with markdown-it (CommonMark, as GitHub).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderPostmortem } from '../../../src/core/postmortem';
import type { RollbackJournal } from '../../../src/core/run/journalTypes';

// markdown-it (a dev dependency) ships no types of its own: the one call used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new () => { render(md: string): string };

test('links and images a host writes into a step detail stay text in the rendered post-mortem', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/journals/v1-succeeded.json'), 'utf8')) as RollbackJournal;
  const hostile = '[Open the runbook](https://attacker.example/runbook) ![](https://attacker.example/seen.png) [x][1]\n\n[1]: https://attacker.example/ref';
  const steps = fixture.steps.map((s, i) => (i === 0 ? { ...s, detail: hostile, outcome: 'failed' as const } : s));
  const md = renderPostmortem({ ...fixture, steps, plan: { ...fixture.plan, reason: `${fixture.plan.reason} [see](https://attacker.example/why)` } });
  assert.ok(md.includes('Open the runbook'), 'the words are kept');
  const html = new MarkdownIt().render(md);
  assert.doesNotMatch(html, /attacker\.example[^<]*"|<img|href="https:\/\/attacker/, html.split('\n').filter((l) => l.includes('attacker')).join('\n'));
});
