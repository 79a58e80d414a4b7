/** A line longer than this without a newline is let through (redacted) at its last blank, so memory stays bounded. */
export const MAX_HELD_CHARS = 64 * 1024;

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;

/**
 * Output arrives in chunks cut anywhere, so a secret can be split across two of them and
 * match no rule in either. This redacts whole lines only: what comes after the last line
 * break of a chunk is held back until the line ends (or the command does: flush()). A
 * private key spans lines: from its BEGIN line on, nothing is let through until its END.
 */
export class StreamRedactor {
  private held = '';
  /** Inside a private key block: the END marker that closes it. */
  private keyEnd: string | undefined;

  constructor(private readonly redact: (text: string) => string) {}

  /** The redacted text that can be shown now (may be empty). */
  push(chunk: string): string {
    const text = this.held + chunk;
    const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (lastBreak < 0) {
      if (text.length <= MAX_HELD_CHARS) {
        this.held = text;
        return '';
      }
      // A very long line: cut at its last blank in the older half, where no shape-found secret continues.
      const blank = Math.max(text.lastIndexOf(' ', text.length - MAX_HELD_CHARS / 2), text.lastIndexOf('\t', text.length - MAX_HELD_CHARS / 2));
      const cut = blank > 0 ? blank + 1 : text.length;
      this.held = text.slice(cut);
      return this.emit(text.slice(0, cut));
    }
    this.held = text.slice(lastBreak + 1);
    return this.emit(text.slice(0, lastBreak + 1));
  }

  /** The rest, at the end of the stream. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    const out = rest ? this.emit(rest) : '';
    this.keyEnd = undefined;
    return out;
  }

  private emit(lines: string): string {
    let text = lines;
    if (this.keyEnd) {
      const end = text.indexOf(this.keyEnd);
      if (end < 0) return ''; // still inside the key: its lines are dropped (the BEGIN line already said ‹redacted›)
      text = text.slice(end);
      this.keyEnd = undefined;
    }
    // A key that begins here and does not end here: remember which END closes it.
    PEM_BEGIN.lastIndex = 0;
    let last: RegExpExecArray | null = null;
    for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) last = m;
    if (last && text.indexOf(`-----END ${last[1]}-----`, last.index) < 0) this.keyEnd = `-----END ${last[1]}-----`;
    return this.redact(text);
  }
}
