/// <reference lib="dom" />
// The checklist page during runbook 000's brief investigation (before any run): the countdown
// to the limit the host gave, and the choice. At zero it says so and offers the rollback. The
// deadline is the host's (startedAt + lengthMs on the host clock), so a page loaded again
// after being hidden shows the same time left.
import { formatElapsed } from '../../src/core/checklist/timer';
import type { InvestigationChoice, InvestigationView, PageToHost } from '../../src/vscode/checklist/protocol';
import { h, on } from './dom';

let shown: { view: InvestigationView; offset: number; over: boolean; chosen?: InvestigationChoice } | undefined;
let ticking: ReturnType<typeof setInterval> | undefined;

const leftMs = (v: InvestigationView, offset: number): number => Math.max(0, v.startedAt + v.lengthMs - (Date.now() + offset));
/** Time left rounded up, so "0:00" shows only when it is over. */
const label = (ms: number): string => formatElapsed(Math.ceil(ms / 1000) * 1000);

export function showInvestigation(app: HTMLElement, view: InvestigationView, send: (m: PageToHost) => void): void {
  // The same investigation again (its triggers or logs arrived): a choice already made stays made.
  const chosen = shown && shown.view.startedAt === view.startedAt && shown.view.lengthMs === view.lengthMs ? shown.chosen : undefined;
  shown = { view, offset: view.now - Date.now(), over: false, ...(chosen ? { chosen } : {}) };
  render(app, send);
  if (!ticking) ticking = setInterval(() => tick(app, send), 250);
}

function tick(app: HTMLElement, send: (m: PageToHost) => void): void {
  if (!shown) return;
  const left = leftMs(shown.view, shown.offset);
  if ((left === 0) !== shown.over) return render(app, send);
  app.querySelectorAll('[data-investigation-left]').forEach((el) => (el.textContent = label(left)));
}

function choose(app: HTMLElement, send: (m: PageToHost) => void, choice: InvestigationChoice): void {
  if (!shown || shown.chosen) return;
  shown.chosen = choice;
  send({ type: 'investigation-choice', choice });
  render(app, send);
}

function render(app: HTMLElement, send: (m: PageToHost) => void): void {
  if (!shown) return;
  const { view } = shown;
  const left = leftMs(view, shown.offset);
  shown.over = left === 0;
  const limit = label(view.lengthMs);
  const chosen = shown.chosen;
  const button = (choice: InvestigationChoice, text: string, primary: boolean): Element =>
    on(h('vscode-button', { appearance: primary ? 'primary' : 'secondary', 'data-key': `investigation:${choice}`, disabled: chosen !== undefined }, text), 'click', () => choose(app, send, choice));
  const clock = h(
    'div',
    { class: 'header' },
    h('span', { class: 'timer', role: 'timer', 'aria-label': 'Investigation time left', 'data-investigation-left': '' }, label(left)),
    h('span', { class: 'muted' }, ` left of ${limit}`),
    h('vscode-badge', { 'aria-label': `Investigation: ${shown.over ? 'over' : 'running'}` }, shown.over ? 'time is up' : 'investigating'),
  );
  const body = shown.over
    ? h(
        'div',
        { class: 'banner error', role: 'alert', 'data-investigation': 'over' },
        h('p', {}, `Time's up: ${limit} of investigation. If it is not clearly fixable now, roll back (a known-good release now beats a fix in an hour).`),
        h('div', { class: 'row' }, button('roll-back', "Time's up: roll back now", true), button('decide', 'Ask me again', false)),
      )
    : h(
        'div',
        { 'data-investigation': 'running' },
        h('p', {}, 'Look at the logs, the dashboards and the last deploy. At zero this page offers the rollback; the decision can be made at any time.'),
        h('div', { class: 'row' }, button('roll-back', 'Roll back now', false), button('decide', 'Decide now', false)),
      );
  app.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'Brief investigation before deciding'),
      h('p', { class: 'reason' }, `Runbook 000: roll back after a brief investigation, ${limit} at most.`),
      clock,
    ),
    h('section', { 'aria-labelledby': 'section-investigation' }, h('h2', { id: 'section-investigation' }, 'Investigation'), body),
    triggersSection(view, send),
    chosen ? h('p', { class: 'muted', role: 'status' }, chosen === 'roll-back' ? 'Rolling back: answer the questions that follow.' : 'Deciding now: answer the question that follows.') : '',
  );
  app.removeAttribute('aria-busy');
}

/** What the decision offered (error spikes in the services' logs), and "Open logs" to look at them while the time runs. */
function triggersSection(view: InvestigationView, send: (m: PageToHost) => void): Element {
  const triggers =
    view.triggers === undefined
      ? h('p', { class: 'muted', 'data-triggers': 'reading' }, "Reading the services' logs for error spikes…")
      : view.triggers.length === 0
        ? h('p', { class: 'muted', 'data-triggers': 'none' }, "No error spike in the services' logs (the last 5 minutes against the hour before).")
        : h('ul', { 'data-triggers': 'shown', 'aria-label': 'Triggers' }, ...view.triggers.map((t) => h('li', { class: 'trigger' }, t)));
  const logs = view.logs ?? [];
  const open = (service: string, text: string): Element => on(h('vscode-button', { appearance: 'secondary', 'data-key': `investigation:open-logs:${service}` }, text), 'click', () => send({ type: 'open-logs', service }));
  const buttons =
    view.logs === undefined
      ? ''
      : logs.length === 0
        ? h('p', { class: 'muted' }, 'No service has logs: in rollback.yml, so there is nothing to stream here.')
        : h('div', { class: 'row' }, ...logs.map((svc) => open(svc, logs.length === 1 ? 'Open logs' : `Open logs: ${svc}`)));
  return h('section', { 'aria-labelledby': 'section-triggers' }, h('h2', { id: 'section-triggers' }, 'Triggers'), triggers, buttons);
}
