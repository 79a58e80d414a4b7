// The tree tooltips as the user reads them: the Markdown the views hand to VS Code, rendered
// by a CommonMark renderer (markdown-it, what VS Code's Markdown preview uses), then read
// back as text. A fix must read, and copy, exactly as it runs: once it showed
// `DROP TRIGGER IF EXISTS orders\_priority\_guard ON orders` (wrong SQL when pasted).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { Migration, MigrationVerdict } from '../../../src/core/migrations/types';
import { mdCode, mdText, migrationTooltipMarkdown, releaseTooltipMarkdown } from '../../../src/vscode/views/tooltipMarkdown';

const markdownIt = createRequire(__filename)('markdown-it') as (opts?: object) => { render(md: string): string };
const md = markdownIt({ html: false });
const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const codeSpans = (html: string): string[] => [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => text(m[1]));

const migration: Migration = { tool: 'alembic', id: 'c3_orders_priority', name: 'c3_orders_priority', file: 'alembic/versions/c3_orders_priority.py', order: 2, problems: ['parent b2_x* is missing [see alembic/env.py]'] };
const verdict: MigrationVerdict = {
  migration,
  class: 'mitigate',
  findings: [{
    class: 'mitigate', rule: 'adding-trigger', statement: 'CREATE TRIGGER orders_priority_guard BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION guard_priority()',
    line: 12, column: 5, reason: 'New trigger on orders (orders_priority_guard): the old code does not expect it (it *rejects* rows).',
    fix: 'DROP TRIGGER IF EXISTS orders_priority_guard ON orders;', fixRisk: 'The guard_priority() check is gone until the release is back.', direction: 'up', confidence: 'parsed',
  }],
};

describe('tree tooltips (rendered with CommonMark)', () => {
  test('the fix reads and copies exactly as it runs; names with underscores keep them', () => {
    const html = md.render(migrationTooltipMarkdown(migration, verdict));
    assert.ok(codeSpans(html).includes('DROP TRIGGER IF EXISTS orders_priority_guard ON orders;'), codeSpans(html).join(' | '));
    assert.ok(!text(html).includes('\\'), `no backslash shows: ${text(html)}`);
    assert.ok(text(html).includes('New trigger on orders (orders_priority_guard): the old code does not expect it (it *rejects* rows).'), 'the reason reads as written, its asterisks included');
    assert.ok(text(html).includes('CREATE TRIGGER orders_priority_guard BEFORE INSERT'), 'the statement in its block');
    assert.ok(text(html).includes('parent b2_x* is missing [see alembic/env.py]'));
    assert.ok(text(html).includes('(risk: The guard_priority() check is gone until the release is back.)'));
    assert.match(html, /<strong>c3_orders_priority<\/strong>/);
  });

  test('code with backticks, and text with Markdown in it, round-trip', () => {
    for (const code of ['a`b', '`x`', 'SELECT "a_b" FROM t -- `c`', '``']) assert.deepEqual(codeSpans(md.render(mdCode(code))), [code]);
    for (const t of ['*not bold* _nor this_', '# not a heading', '1. not a list', '<b>tag</b> & [link](x)', 'a\\b', '$(warning) typed']) assert.equal(text(md.render(mdText(t))).trim(), t);
  });

  test('a release tooltip shows the typed bad reason as typed', () => {
    const html = md.render(releaseTooltipMarkdown({ name: 'release_2024_1', sha: 'a'.repeat(40), date: '2026-11-30T10:00:00Z', badReason: 'orders_priority_guard rejects *every* insert' }, ['bad'], 'release_2024_0'));
    assert.match(html, /<strong>release_2024_1<\/strong> <code>aaaaaaaaaaaa<\/code>/);
    assert.ok(text(html).includes('Bad because: orders_priority_guard rejects *every* insert'));
    assert.ok(text(html).includes('since release_2024_0'));
  });
});
