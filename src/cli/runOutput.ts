import type { RollbackEvent, RollbackEvents } from '../core/run/events';
import { terminalSafe } from '../core/redact/displayText';
import type { Terminal } from './terminal';

/**
 * While a rollback runs, every step, command and its output as it streams, on stdout (the
 * engine's events, already redacted), as the extension's run terminal shows them.
 */
export function printRunOutput(events: RollbackEvents, term: Terminal): { dispose(): void } {
  // The command output streams from the host: only its colours reach the terminal (terminalSafe).
  const out = (text: string): void => void term.io.stdout.write(terminalSafe(text));
  const s = (text: string, style: Parameters<Terminal['style']>[1]): string => term.style(text, style, 'out');
  return events.on((e: RollbackEvent) => {
    switch (e.type) {
      case 'run-started':
        out(`${s(`Rolling back ${e.plan.environment} (${e.plan.where}) from ${e.plan.from.name} to ${e.plan.to.name}`, 'bold')}\nReason: ${e.plan.reason}\nRun: ${e.runId} (journal .rollback/journals/${e.runId}.json)\n`);
        break;
      case 'step-started':
        out(`\n${s(`▶ ${e.step.title}`, 'cyan')}\n`);
        for (const c of e.step.commands) out(`${s(`${c.where}$ ${c.command}`, 'dim')}\n`);
        break;
      case 'step-output':
        out(e.chunk);
        break;
      case 'step-finished':
        out(`${s(e.outcome.toUpperCase(), e.outcome === 'ok' ? 'green' : e.outcome === 'skipped' ? 'yellow' : 'red')}${e.detail ? ` ${e.detail}` : ''}\n`);
        break;
      case 'plan-changed':
        out(`\n${s('The plan changed (as previewed under its fallbacks); the steps are now:', 'yellow')}\n${e.plan.steps.map((st, i) => `  ${i + 1}. ${st.title}`).join('\n')}\n`);
        break;
      case 'health-probe':
        out(`  health ${e.url} → ${e.status ?? e.error ?? 'no answer'}${e.ok ? ' ✓' : ''}\n`);
        break;
      case 'check-result':
        out(`  ${e.name}: ${e.outcome}${e.detail ? ` (${e.detail})` : ''}\n`);
        break;
      case 'run-finished':
        out(`\n${s(e.success ? 'Rollback finished' : 'Rollback stopped', 'bold')}: ${e.state}\n`);
        break;
    }
  });
}
