// The plan preview as the operator reads it: the exact preview text of a real plan (real git
// repository, the planner, renderPlanMarkdown) rendered to the panel's HTML, then read back
// as a reader would — the page's text, its step headings in order, what is marked
// destructive, the commands verbatim — and its Content-Security-Policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildPlan } from '../../../src/core/plan/planner';
import { gitQueriesVia } from '../../../src/core/plan/git';
import { renderPlanMarkdown } from '../../../src/core/plan/renderMarkdown';
import type { PlanStep, RollbackPlan } from '../../../src/core/plan/types';
import { LocalCommandRunner } from '../../../src/infra/shell/localCommandRunner';
import { inlineHtml, markdownToHtml } from '../../../src/vscode/preview/markdownHtml';
import { previewPageHtml } from '../../../src/vscode/preview/previewPage';
import { appRepoConfig, makeAppRepo, type AppRepo } from '../../fixtures/appRepo';
import { tempDir } from '../engine/helpers';

/** What a reader sees of an HTML fragment: tags gone, entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '')
    .replace(/<br>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

const stepHeadings = (html: string): Array<{ cls: string; text: string }> =>
  [...html.matchAll(/<h3 class="([^"]+)">([\s\S]*?)<\/h3>/g)].map((m) => ({ cls: m[1], text: textOf(m[2]) }));

describe('plan preview page (a real plan rendered)', () => {
  const tmp = tempDir('preview-page');
  let repo: AppRepo;
  let plan: RollbackPlan;
  let markdown: string;
  let html: string;
  const dbStep: PlanStep = {
    id: 'db-000005', kind: 'database', title: 'Restore the database backup', why: 'Brings back the data the bad release destroyed.',
    commands: [{ command: "pg_restore -d app /backups/latest.dump && echo '<b>done</b>'", where: 'local' }], destructive: true,
  };

  before(async () => {
    repo = await makeAppRepo(tmp.dir, { apiPort: 3101, workerPort: 3102 });
    plan = await buildPlan({
      config: appRepoConfig({ apiPort: 3101, workerPort: 3102 }), environment: 'local', git: gitQueriesVia(new LocalCommandRunner(), repo.dir),
      to: 'v1.3.0', targetSource: 'previous-tag', reason: 'api <script>alert(1)</script> answers 500', createdBy: 'dana@laptop', workspaceRoot: repo.dir, runId: 'rb-preview', databaseSteps: [dbStep],
    });
    markdown = renderPlanMarkdown(plan);
    html = previewPageHtml({ title: 'Rollback of local', markdown, nonce: 'abc123', actions: [{ id: 'diff', label: 'Open the code diff' }] });
  });
  after(() => tmp.cleanup());

  test('every step is a numbered heading, in the plan order, and only the destructive one is marked', () => {
    const headings = stepHeadings(html);
    assert.equal(headings.length, plan.steps.length + (plan.fallback?.steps.length ?? 0) + (plan.fullRedeploy?.steps.length ?? 0));
    plan.steps.forEach((s, i) => assert.equal(headings[i].text, `${i + 1}. ${s.destructive ? '⚠️ DESTRUCTIVE — ' : ''}${s.title}`));
    const marked = headings.filter((h) => h.cls.split(' ').includes('destructive')).map((h) => h.text);
    const n = plan.steps.findIndex((s) => s.id === 'db-000005') + 1;
    assert.deepEqual(marked, [`${n}. ⚠️ DESTRUCTIVE — Restore the database backup`]);
  });

  test('each step says where it runs; notify steps say they go to the team', () => {
    const text = textOf(html);
    assert.ok(text.includes(`runs on this machine in ${plan.cwd}`), 'local steps name this machine and the folder');
    assert.match(text, /1\. Tell the team the rollback starts\nnotify · a message to the team/);
  });

  test('every command that will run is on the page verbatim, as code, with HTML in it shown as text', () => {
    const text = textOf(html);
    for (const s of plan.steps) for (const c of s.commands) assert.ok(text.includes(c.command), `missing: ${c.command}`);
    assert.ok(!html.includes('<b>done</b>') && html.includes('&lt;b&gt;done&lt;/b&gt;'), 'markup inside a command is text');
    assert.ok(!html.includes('<script>alert(1)</script>'), 'the typed reason cannot inject a script');
    assert.ok(text.includes('api <script>alert(1)</script> answers 500'), 'the reason reads as typed');
  });

  test('strict CSP: nothing loads, the one style and the one script carry the nonce', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;/g, "'");
    assert.equal(csp, "default-src 'none'; img-src data:; style-src 'nonce-abc123'; script-src 'nonce-abc123'; form-action 'none'; base-uri 'none'");
    assert.equal([...html.matchAll(/<script/g)].length, 1);
    assert.match(html, /<script nonce="abc123">/);
    assert.match(html, /<style nonce="abc123">/);
    assert.doesNotMatch(html, /\s(src|href)=/, 'no resource and no link');
    assert.match(html, /<button data-action="diff">Open the code diff<\/button>/);
  });
});

describe('markdownToHtml (the subset the product writes)', () => {
  test('underscores inside names are letters; code spans keep their text exactly', () => {
    assert.equal(inlineHtml('DROP TRIGGER IF EXISTS orders_priority_guard ON orders'), 'DROP TRIGGER IF EXISTS orders_priority_guard ON orders');
    assert.equal(inlineHtml('fix: `DROP TRIGGER "a_b" ON t;` now'), 'fix: <code>DROP TRIGGER &quot;a_b&quot; ON t;</code> now');
    assert.equal(inlineHtml('`` a`b ``'), '<code>a`b</code>');
    assert.equal(inlineHtml('**From** *(deployed)* \\*not\\*'), '<strong>From</strong> <em>(deployed)</em> *not*');
  });

  test('fences with a longer fence around backticks, nested lists, quotes, tables', () => {
    const html = markdownToHtml(['````sh', 'echo ```', '````', '', 'Commits:', '  - abc one', '  - def two', '', '> ⚠️ careful', '> - first', '', '| A | B |', '|---|---|', '| `x\\|y` | 2 |'].join('\n'));
    assert.match(html, /<pre data-lang="sh"><code>echo ```<\/code><\/pre>/);
    assert.match(html, /<p>Commits:<\/p>\n<ul><li>\nabc one\n<\/li><li>\ndef two\n<\/li><\/ul>/);
    assert.match(html, /<blockquote><p>⚠️ careful<\/p>\n<ul><li>\nfirst\n<\/li><\/ul><\/blockquote>/);
    assert.match(html, /<td><code>x\|y<\/code><\/td><td>2<\/td>/);
  });
});
