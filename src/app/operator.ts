import * as os from 'node:os';

/** Who is at the keyboard, as recorded in journals and locks: the same words from the extension and the command line. */
export function operatorName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // Containers without a passwd entry: keep "unknown".
  }
  return `${user}@${os.hostname()}`;
}

/** The machine, as journals record it (foreignOrigin compares it). */
export function machineName(): string {
  return os.hostname();
}
