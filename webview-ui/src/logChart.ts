/// <reference lib="dom" />
// The log counts per watched service, in the checklist's verification section: the numbers
// (baseline, during the rollback, after it, as errors per minute), a small bar chart of the
// errors per minute (the baseline's rate first, then the rollback's and the watch window's
// bars as they come), the verdict, and "Open logs". SVG built with attributes and text
// nodes only: the page's CSP allows no inline style and no HTML from the host.
import type { LogCounts, PhaseCount } from '../../src/core/logs/types';
import { formatRate, perMinute, windowText } from '../../src/core/logs/verdict';
import { h, on } from './dom';
import './logChart.css';

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 48;

function svg(tag: string, attrs: Record<string, string | number>, title?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    el.append(t);
  }
  return el;
}

function phaseText(label: string, c: PhaseCount): string {
  return `${label}: ${c.errors} error${c.errors === 1 ? '' : 's'} in ${windowText(c.windowMs)} (${formatRate(perMinute(c))})`;
}

/** Errors per minute: the baseline's, then one bar per bucket of the rollback and the watch window. */
function chart(c: LogCounts): SVGElement {
  const widthOf = (i: number): number => (c.series[i + 1]?.at ?? c.at) - c.series[i].at;
  const bars = [
    { rate: perMinute(c.baseline) ?? 0, cls: 'bar-baseline', title: `baseline: ${formatRate(perMinute(c.baseline))}` },
    ...c.series.map((b, i) => {
      const ms = Math.max(1000, widthOf(i));
      const rate = (b.errors * 60_000) / ms;
      return { rate, cls: b.phase === 'after' ? 'bar-after' : 'bar-during', title: `${new Date(b.at).toLocaleTimeString()}: ${b.errors} error(s) of ${b.lines} line(s) (${formatRate(rate)}), ${b.phase === 'after' ? 'after the rollback' : 'during it'}` };
    }),
  ];
  const max = Math.max(...bars.map((b) => b.rate), 1e-9);
  const step = W / Math.max(bars.length, 12);
  const root = svg('svg', { class: 'log-chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${c.service}: errors per minute, the baseline then the rollback and after it` });
  root.append(svg('line', { class: 'axis', x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5 }));
  bars.forEach((b, i) => {
    const height = b.rate > 0 ? Math.max(2, (b.rate / max) * (H - 4)) : 0;
    root.append(svg('rect', { class: b.cls, x: i * step + 1, y: H - height, width: Math.max(1, step - 2), height }, b.title));
  });
  return root;
}

const STATUS: Record<NonNullable<LogCounts['status']>, string> = { passed: 'passed', failed: 'failed', 'could-not-run': 'could not run', skipped: 'skipped' };

function serviceBlock(c: LogCounts, openLogs: (service: string) => void): HTMLElement {
  const status = c.status ? STATUS[c.status] : c.phase === 'baseline' ? 'reading the baseline' : c.phase === 'during' ? 'watching (rollback running)' : 'watching (after the rollback)';
  return h(
    'li',
    { class: 'log-service', 'data-service': c.service, 'aria-label': `Logs of ${c.service}: ${status}` },
    h('div', { class: 'row' }, h('strong', {}, c.service), h('span', { class: `log-status ${c.status === 'passed' ? 'outcome-ok' : c.status ? 'failed' : 'muted'}` }, status), on(h('vscode-button', { appearance: 'secondary', 'data-key': `logs:${c.service}` }, 'Open logs'), 'click', () => openLogs(c.service))),
    h('div', { class: 'muted log-numbers' }, [phaseText('before', c.baseline), phaseText('during the rollback', c.during), phaseText('after', c.after)].join(' · ')),
    c.baseline.lines + c.during.lines + c.after.lines > 0 ? chart(c) : null,
    c.baseline.lines + c.during.lines + c.after.lines > 0 ? h('div', { class: 'muted log-legend' }, h('span', { class: 'key key-baseline' }, '■'), ' before (rate) ', h('span', { class: 'key key-during' }, '■'), ' during the rollback ', h('span', { class: 'key key-after' }, '■'), ' after it; errors per minute') : null,
    c.detail ? h('div', { class: c.status === 'passed' ? 'detail' : 'failed' }, c.detail) : null,
    c.problem && !c.detail ? h('div', { class: 'failed' }, c.problem) : null,
    c.lastError ? h('div', { class: 'muted log-last' }, `last error: ${c.lastError}`) : null,
  );
}

/** The watched services' blocks, or nothing when no log is watched. */
export function logCharts(logs: Record<string, LogCounts> | undefined, openLogs: (service: string) => void): HTMLElement | null {
  const all = Object.values(logs ?? {});
  if (!all.length) return null;
  return h('ul', { class: 'log-services', 'aria-label': 'Error counts from the logs' }, ...all.map((c) => serviceBlock(c, openLogs)));
}
