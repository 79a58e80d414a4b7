/// <reference lib="dom" />
// The checklist page. It talks to the extension only through the typed protocol; it
// keeps its own UI state (unsent drafts, half-typed text) with setState so a reload or a
// hidden tab loses nothing.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeProgressRing,
  vsCodeTextArea,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import './main.css';
import { formatElapsed, timerStatus } from '../../src/core/checklist/timer';
import type { ChecklistItem, ChecklistSection, NotificationKind } from '../../src/core/checklist/types';
import { isHostToPage, type ChecklistView, type PageToHost } from '../../src/vscode/checklist/protocol';
import { clock, h, on } from './dom';
import { logCharts } from './logChart';
import { fleetGrid } from './fleetGrid';
import { showInvestigation } from './investigation';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeTextArea(), vsCodeTextField(), vsCodeDivider(), vsCodeBadge(), vsCodeProgressRing());

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface UiState {
  runId?: string;
  readOnly?: boolean;
  /** Drafts the user edited, per kind; until edited the host's current draft is shown. */
  drafts: Partial<Record<NotificationKind, string>>;
  /** Text typed in text items not yet confirmed by the host. */
  texts: Record<string, string>;
  newAction: { text: string; owner: string };
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<UiState> | undefined;
const ui: UiState = { drafts: {}, texts: {}, newAction: { text: '', owner: '' }, ...saved };
let view: ChecklistView | undefined;
let clockOffset = 0;
let busyKind: NotificationKind | null = null;
let toast: { level: 'info' | 'error'; message: string } | undefined;
let dueKey = '';

const app = document.getElementById('app') as HTMLElement;
const send = (m: PageToHost): void => vscode.postMessage(m);
const saveUi = (): void => vscode.setState(ui);

const SECTION_TITLES: Record<ChecklistSection, string> = {
  before: 'Before',
  communication: 'Communication',
  rollback: 'Rollback',
  verification: 'Verification',
  after: 'After',
};

function debounce<A extends unknown[]>(f: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    if (t) clearTimeout(t);
    t = setTimeout(() => f(...a), ms);
  };
}
const sendText = debounce((itemId: string, text: string) => send({ type: 'edit-text', itemId, text }), 400);

const disabled = (): boolean => view?.readOnly === true;
const now = (): number => Date.now() + clockOffset;

function valueOf(e: Event): string {
  return String((e.target as unknown as { value?: unknown }).value ?? '');
}

function checkbox(item: ChecklistItem, label: string): HTMLElement {
  const cb = h('vscode-checkbox', { 'data-key': `cb:${item.id}`, checked: item.checked, disabled: disabled() }, label);
  // The toolkit also fires change when it sets the initial value: only real flips are sent.
  let last = item.checked;
  on(cb, 'change', (e) => {
    const checked = (e.target as unknown as { checked: boolean }).checked;
    if (checked === last) return;
    last = checked;
    send({ type: 'toggle-item', itemId: item.id, checked });
  });
  return cb;
}

function checkedMeta(item: ChecklistItem): HTMLElement | null {
  if (!item.checked || !item.checkedAt) return null;
  const who = item.checkedBy === 'extension' ? 'verified by Rollback Pilot' : item.checkedBy ? `by ${item.checkedBy}` : '';
  return h('span', { class: 'meta' }, `✓ ${clock(item.checkedAt)} ${who}`);
}

function itemRow(item: ChecklistItem, ...body: Array<HTMLElement | null>): HTMLElement {
  const rest = body.filter((b): b is HTMLElement => b !== null);
  return h(
    'li',
    { class: 'item' },
    h('div', { class: 'row' }, checkbox(item, item.label), checkedMeta(item)),
    item.hint ? h('div', { class: 'hint' }, item.hint) : null,
    rest.length ? h('div', { class: 'item-body' }, ...rest) : null,
  );
}

function textItem(item: ChecklistItem): HTMLElement {
  const value = ui.texts[item.id] ?? item.text ?? '';
  const area = h('vscode-text-area', { 'data-key': `text:${item.id}`, rows: 3, resize: 'vertical', 'aria-label': item.label, disabled: disabled() });
  (area as unknown as { value: string }).value = value;
  on(area, 'input', (e) => {
    ui.texts[item.id] = valueOf(e);
    saveUi();
    sendText(item.id, ui.texts[item.id] ?? '');
  });
  return itemRow(item, area);
}

function notifyKindOf(item: ChecklistItem): NotificationKind {
  return item.auto?.on === 'notification-sent' ? item.auto.notification : 'start';
}

function composer(kind: NotificationKind, label: string): HTMLElement {
  const v = view as ChecklistView;
  const text = ui.drafts[kind] ?? v.drafts[kind];
  const preview = h('div', { class: 'preview', 'aria-label': 'What will be sent' }, text);
  const area = h('vscode-text-area', { 'data-key': `draft:${kind}`, rows: 3, resize: 'vertical', 'aria-label': `${label}: message`, disabled: disabled() });
  (area as unknown as { value: string }).value = text;
  on(area, 'input', (e) => {
    ui.drafts[kind] = valueOf(e);
    preview.textContent = ui.drafts[kind] ?? '';
    saveUi();
  });
  const current = (): string => ui.drafts[kind] ?? v.drafts[kind];
  const busy = busyKind === kind;
  const buttons = h(
    'div',
    { class: 'row' },
    v.webhookConfigured
      ? on(h('vscode-button', { 'data-key': `send:${kind}`, disabled: disabled() || busy }, busy ? 'Sending…' : 'Send'), 'click', () => {
          send({ type: 'send-notification', kind, text: current() });
          if (kind === 'escalation') handleDue();
        })
      : on(h('vscode-button', { appearance: 'secondary', 'data-key': `hook:${kind}`, disabled: disabled() }, 'Set webhook URL…'), 'click', () => send({ type: 'set-webhook' })),
    on(h('vscode-button', { appearance: 'secondary', 'data-key': `copy:${kind}`, disabled: disabled() }, 'Copy message'), 'click', () => send({ type: 'copy-message', kind, text: current() })),
    ui.drafts[kind] !== undefined
      ? on(h('vscode-button', { appearance: 'secondary', 'data-key': `reset:${kind}`, disabled: disabled() }, 'Reset text'), 'click', () => {
          delete ui.drafts[kind];
          saveUi();
          render();
        })
      : null,
    busy ? h('vscode-progress-ring', { 'aria-label': 'Sending' }) : null,
  );
  const sent = v.state.notifications.filter((n) => n.kind === kind);
  const history = sent.length
    ? h(
        'ul',
        { class: 'sent', 'aria-label': 'Sent messages' },
        ...sent.map((n) =>
          h(
            'li',
            { class: n.result === 'failed' ? 'failed' : '' },
            `${clock(n.at)} — ${n.result === 'sent' ? `sent${n.status ? ` (HTTP ${n.status})` : ''}` : n.result === 'copied' ? 'copied for pasting' : `not sent: ${n.error ?? 'unknown error'}`} `,
            n.result === 'failed'
              ? on(h('vscode-button', { appearance: 'secondary', 'data-key': `retry:${n.id}`, disabled: disabled() || busy }, 'Retry'), 'click', () => send({ type: 'retry-notification', notificationId: n.id }))
              : null,
          ),
        ),
      )
    : null;
  return h('div', {}, area, h('div', { class: 'muted' }, 'Will be sent exactly as:'), preview, buttons, history);
}

function stepsList(): HTMLElement {
  const v = view as ChecklistView;
  const itemFor = new Map(v.state.items.filter((i) => i.kind === 'auto-step').map((i) => [i.auto?.on === 'step-ok' ? i.auto.stepId : i.id, i]));
  if (!v.state.steps.length) return h('p', { class: 'muted' }, 'The plan’s steps appear here when the rollback starts.');
  return h(
    'ul',
    { class: 'steps', 'aria-label': 'Rollback steps' },
    ...v.state.steps.map((s) => {
      const item = itemFor.get(s.id);
      const started = s.startedAt ? Date.parse(s.startedAt) : undefined;
      const took = started !== undefined ? ((s.finishedAt ? Date.parse(s.finishedAt) : now()) - started) : undefined;
      return h(
        'li',
        { class: 'step', 'aria-label': `${s.title}: ${s.outcome}` },
        h('span', { class: `outcome outcome-${s.outcome}` }, s.outcome === 'running' ? h('vscode-progress-ring', { 'aria-hidden': 'true' }) : null, s.outcome),
        item ? checkbox(item, s.title) : h('span', {}, s.title),
        h('span', { class: 'meta', 'data-step-time': s.outcome === 'running' ? String(started) : undefined }, took !== undefined ? formatElapsed(took) : ''),
        s.detail ? h('div', { class: 'detail' }, s.detail) : null,
      );
    }),
  );
}

function checkResults(): HTMLElement | null {
  const v = view as ChecklistView;
  const last = new Map<string, { text: string; ok: boolean; count: number; named: boolean }>();
  for (const c of v.state.checks) {
    // Health probes repeat per step; a smoke flow's steps (named) each have their own line.
    const key = c.name ? `${c.stepId}\u0000${c.name}` : c.stepId;
    const prev = last.get(key);
    const text = c.name
      ? `${c.service ?? c.stepId} smoke — ${c.name}: ${c.detail ?? (c.status ?? 'no answer')} at ${clock(c.at)}`
      : `${c.service ?? c.stepId}: ${c.url} → ${c.status ?? 'no answer'}${c.error ? ` (${c.error})` : ''} at ${clock(c.at)}`;
    last.set(key, { text, ok: c.ok, count: (prev?.count ?? 0) + 1, named: !!c.name });
  }
  if (!last.size) return null;
  return h('ul', { class: 'results', 'aria-label': 'Health check results' }, ...[...last.values()].map((r) => h('li', { class: r.ok ? 'outcome-ok' : 'failed' }, `${r.ok ? '✓' : '✗'} ${r.text}${r.named ? '' : ` (${r.count} probe${r.count === 1 ? '' : 's'})`}`)));
}

function actionItems(item: ChecklistItem): HTMLElement {
  const v = view as ChecklistView;
  const list = h(
    'ul',
    { class: 'actions', 'aria-label': 'Action items' },
    ...v.state.actionItems.map((a) => {
      const done = h('vscode-checkbox', { 'data-key': `done:${a.id}`, checked: a.done, disabled: disabled(), 'aria-label': `Done: ${a.text}` });
      on(done, 'change', (e) => send({ type: 'edit-action-item', id: a.id, done: (e.target as unknown as { checked: boolean }).checked }));
      const text = h('vscode-text-field', { 'data-key': `atext:${a.id}`, value: a.text, 'aria-label': 'Action item', disabled: disabled() });
      on(text, 'change', (e) => send({ type: 'edit-action-item', id: a.id, text: valueOf(e) }));
      const owner = h('vscode-text-field', { 'data-key': `aowner:${a.id}`, value: a.owner ?? '', placeholder: 'Owner', 'aria-label': `Owner of: ${a.text}`, disabled: disabled() });
      on(owner, 'change', (e) => send({ type: 'edit-action-item', id: a.id, owner: valueOf(e) }));
      const remove = on(h('vscode-button', { appearance: 'icon', 'aria-label': `Remove: ${a.text}`, title: 'Remove', disabled: disabled() }, '✕'), 'click', () => send({ type: 'remove-action-item', id: a.id }));
      return h('li', { class: 'action' }, done, text, owner, remove);
    }),
  );
  const text = h('vscode-text-field', { 'data-key': 'new-action', value: ui.newAction.text, placeholder: 'New action item', 'aria-label': 'New action item', disabled: disabled() });
  const owner = h('vscode-text-field', { 'data-key': 'new-owner', value: ui.newAction.owner, placeholder: 'Owner', 'aria-label': 'Owner of the new action item', disabled: disabled() });
  on(text, 'input', (e) => ((ui.newAction.text = valueOf(e)), saveUi()));
  on(owner, 'input', (e) => ((ui.newAction.owner = valueOf(e)), saveUi()));
  const add = (): void => {
    if (!ui.newAction.text.trim()) return;
    send({ type: 'add-action-item', text: ui.newAction.text.trim(), ...(ui.newAction.owner.trim() ? { owner: ui.newAction.owner.trim() } : {}) });
    ui.newAction = { text: '', owner: '' };
    saveUi();
  };
  on(text, 'keydown', (e: KeyboardEvent) => e.key === 'Enter' && add());
  const addButton = on(h('vscode-button', { 'data-key': 'add-action', disabled: disabled() }, 'Add'), 'click', add);
  return h('li', { class: 'item' }, h('div', { class: 'row' }, h('strong', {}, item.label)), h('div', { class: 'item-body' }, list, h('div', { class: 'row' }, text, owner, addButton)));
}

function renderItem(item: ChecklistItem): HTMLElement | null {
  switch (item.kind) {
    case 'text':
      return textItem(item);
    case 'notify':
      return itemRow(item, composer(notifyKindOf(item), item.label));
    case 'timer':
      return itemRow(item, h('span', { class: 'muted' }, 'Counting from the decision: ', h('span', { 'data-timer': '' }, '')));
    case 'action-items':
      return actionItems(item);
    case 'auto-step':
      return null; // shown in the live steps list
    case 'manual':
    case 'auto-check':
      if (item.id === 'watch-logs') return itemRow(item, h('div', { class: 'row' }, on(h('vscode-button', { appearance: 'secondary' }, 'Open logs'), 'click', () => send({ type: 'open-logs' }))));
      if (item.id === 'postmortem') return itemRow(item, h('div', { class: 'row' }, on(h('vscode-button', { appearance: 'secondary', disabled: disabled() }, 'Start post-mortem'), 'click', () => send({ type: 'start-postmortem' }))));
      // After the rollback: the CI of the release rolled back to and the follow-up issue, each with its result under it.
      if (item.id === 'ci-passed' || item.id === 'follow-up-issue') {
        const button = on(h('vscode-button', { appearance: 'secondary', disabled: disabled(), 'data-key': `after:${item.id}` }, item.id === 'ci-passed' ? 'Check CI' : 'File follow-up issue'), 'click', () => send({ type: item.id === 'ci-passed' ? 'check-ci' : 'file-follow-up' }));
        return itemRow(item, h('div', { class: 'row' }, button), item.text ? h('div', { class: 'muted', 'data-result': item.id }, item.text) : null);
      }
      return itemRow(item);
  }
}

function dueEscalations(v: ChecklistView) {
  return timerStatus(v.state.decidedAt, v.state.escalateAtMinutes, v.state.escalationsHandled, now()).due;
}

function handleDue(): void {
  if (!view) return;
  for (const e of dueEscalations(view)) send({ type: 'escalation-handled', minute: e.minute });
}

function header(v: ChecklistView): HTMLElement {
  const c = v.state.context;
  const title = c ? `Rolling back ${c.from.name} → ${c.to.name} on ${c.environment}` : `Rollback ${v.state.runId}`;
  const status = { planned: 'planned', running: 'running', succeeded: 'succeeded', failed: 'failed', stopped: 'stopped' }[v.state.runStatus];
  return h(
    'header',
    {},
    h('h1', {}, title),
    c ? h('p', { class: 'reason' }, `Because ${c.reason}`) : null,
    h(
      'div',
      { class: 'header' },
      h('span', { class: 'timer', role: 'timer', 'aria-label': 'Time since the decision to roll back', 'data-timer': '' }, ''),
      h('vscode-badge', { 'aria-label': `Run status: ${status}` }, status),
      v.readOnly ? h('vscode-badge', {}, 'read-only') : null,
      on(h('vscode-button', { appearance: 'secondary' }, 'Open logs'), 'click', () => send({ type: 'open-logs' })),
      on(h('vscode-button', { appearance: 'secondary', disabled: disabled() }, 'Start post-mortem'), 'click', () => send({ type: 'start-postmortem' })),
    ),
  );
}

function banners(v: ChecklistView): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (v.notice) out.push(h('div', { class: 'banner warning', role: 'status' }, v.notice));
  if (v.saveError) out.push(h('div', { class: 'banner error', role: 'alert' }, v.saveError));
  const due = v.readOnly || v.state.runStatus !== 'running' ? [] : dueEscalations(v);
  dueKey = due.map((d) => d.minute).join(',');
  if (due.length) {
    const last = due[due.length - 1]!;
    out.push(
      h(
        'div',
        { class: 'banner warning', role: 'alert' },
        h('p', {}, last.suggestion),
        composer('escalation', 'Escalation update'),
        h('div', { class: 'row' }, on(h('vscode-button', { appearance: 'secondary' }, 'Dismiss'), 'click', handleDue)),
      ),
    );
  }
  return out;
}

function render(): void {
  if (!view) return;
  const v = view;
  const focused = (document.activeElement as HTMLElement | null)?.getAttribute('data-key');
  const sections = (['before', 'communication', 'rollback', 'verification', 'after'] as const).map((section) => {
    const items = v.state.items.filter((i) => i.section === section).map(renderItem).filter((x): x is HTMLElement => x !== null);
    const extra = section === 'rollback' ? h('div', {}, fleetGrid(v.fleet), stepsList()) : section === 'verification' ? checkResults() : null;
    const logs = section === 'verification' ? logCharts(v.state.logs, (service) => send({ type: 'open-logs', service })) : null;
    const headingId = `section-${section}`;
    return h('section', { 'aria-labelledby': headingId }, h('h2', { id: headingId }, SECTION_TITLES[section]), extra, logs, items.length ? h('ul', { class: 'items' }, ...items) : null);
  });
  app.replaceChildren(
    header(v),
    ...banners(v),
    ...sections,
    toast ? h('div', { class: `banner toast ${toast.level === 'error' ? 'error' : ''}`, role: toast.level === 'error' ? 'alert' : 'status' }, toast.message) : '',
  );
  app.removeAttribute('aria-busy');
  tick();
  if (focused) (app.querySelector(`[data-key="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
}

/** Once a second: the timers, and a re-render when an escalation point is reached. */
function tick(): void {
  if (!view) return;
  const stopped = view.state.finishedAt ? Date.parse(view.state.finishedAt) : undefined;
  const label = formatElapsed((stopped ?? now()) - Date.parse(view.state.decidedAt));
  app.querySelectorAll('[data-timer]').forEach((el) => (el.textContent = label));
  app.querySelectorAll<HTMLElement>('[data-step-time]').forEach((el) => {
    const started = Number(el.getAttribute('data-step-time'));
    if (Number.isFinite(started)) el.textContent = formatElapsed(now() - started);
  });
  const due = view.readOnly || view.state.runStatus !== 'running' ? '' : dueEscalations(view).map((d) => d.minute).join(',');
  if (due !== dueKey) render();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isHostToPage(m)) {
    console.warn('rollback-pilot checklist: dropped a malformed message from the host');
    return;
  }
  switch (m.type) {
    case 'init':
    case 'state-update':
      view = m.view;
      clockOffset = m.view.now - Date.now();
      // Text the host now has is no longer pending here.
      for (const item of m.view.state.items) if (ui.texts[item.id] !== undefined && ui.texts[item.id] === item.text) delete ui.texts[item.id];
      ui.runId = m.view.state.runId;
      ui.readOnly = m.view.readOnly;
      saveUi();
      if (m.type === 'init') toast = undefined;
      render();
      return;
    case 'investigation':
      return showInvestigation(app, m.view, send);
    case 'toast':
      toast = { level: m.level, message: m.message };
      render();
      return;
    case 'busy':
      busyKind = m.kind;
      render();
      return;
  }
});

setInterval(tick, 1000);
send({ type: 'ready' });
