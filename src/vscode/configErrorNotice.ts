// "rollback.yml has errors" is said once, and goes away by itself once the errors are fixed:
// an error message VS Code shows cannot be closed by the extension, so it used to stay on
// screen (and in the notification list) after the fix, telling the operator something false.
// This is the bookkeeping, without the editor API: one notice at a time, closed by the first
// diagnostics that have no error left (or by the operator).

/** Shows `message` until `closed` settles; `dismissed` is called when the operator closes it first. */
export type ShowNotice = (message: string, closed: Promise<void>, dismissed: () => void) => void;

export class ConfigErrorNotice {
  private open?: { close: () => void };

  constructor(private readonly showNotice: ShowNotice) {}

  /** True while the notice is on screen. */
  get showing(): boolean {
    return this.open !== undefined;
  }

  /** Says the config has errors, unless it already says so; resolves at once (nothing to answer). */
  show(message: string): void {
    if (this.open) return;
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    const open = { close };
    this.open = open;
    this.showNotice(message, closed, () => {
      if (this.open === open) this.open = undefined;
      close();
    });
  }

  /** The config's diagnostics as published now: without an error the notice closes. */
  update(hasErrors: boolean): void {
    if (hasErrors || !this.open) return;
    const open = this.open;
    this.open = undefined;
    open.close();
  }
}
