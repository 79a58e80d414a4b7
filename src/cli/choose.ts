import { NeedsTerminalError, type Terminal } from './terminal';

export interface Choice<T> {
  value: T;
  label: string;
  detail?: string;
}

/** How many times a wrong answer is asked again before the question counts as cancelled. */
export const MAX_TRIES = 5;

/**
 * A numbered choice on the terminal (a number, or a label typed in full); undefined when the
 * operator cancels. Without a terminal it refuses with `hint`, which names the flag that answers it.
 */
export async function chooseOnTerminal<T>(term: Terminal, say: (text: string) => void, title: string, choices: Array<Choice<T>>, hint?: string, defaultIndex?: number): Promise<T | undefined> {
  if (!term.interactive) throw new NeedsTerminalError(title, hint);
  say(`\n${term.style(title, 'bold')}`);
  choices.forEach((c, i) => say(`  ${term.style(String(i + 1), 'cyan')}) ${c.label}${c.detail ? `\n     ${term.style(c.detail, 'dim')}` : ''}`));
  const range = choices.length === 1 ? '1' : `1-${choices.length}`;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const line = await term.ask(`Choose ${range}${defaultIndex !== undefined ? ` [${defaultIndex + 1}]` : ''} (Ctrl-C cancels): `);
    if (line === undefined) return undefined;
    const text = line.trim();
    if (text === '' && defaultIndex !== undefined) return choices[defaultIndex].value;
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1].value;
    const byLabel = choices.find((c) => c.label.toLowerCase() === text.toLowerCase());
    if (byLabel) return byLabel.value;
    say(`"${text}" is not one of ${range}.`);
  }
  return undefined;
}
