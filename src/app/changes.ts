/** A listener list without the editor's EventEmitter: what the workspace model fires when its facts change. */
export class Changes {
  private readonly listeners = new Set<() => void>();

  /** Subscribes; the result's dispose() unsubscribes (a vscode.Disposable in shape). */
  readonly on = (listener: () => void): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // One broken view must not stop the others from refreshing.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** A value loaded once until cleared, which can also be read without waiting once it has arrived. */
export class LoadOnce<T> {
  private pending?: Promise<T>;
  private value?: T;

  get(load: () => Promise<T>): Promise<T> {
    if (!this.pending) {
      const pending = load();
      this.pending = pending;
      // A load that a clear() overtook must not fill the cache after the fact.
      pending.then((v) => {
        if (this.pending === pending) this.value = v;
      }, () => undefined);
    }
    return this.pending;
  }

  get ready(): T | undefined {
    return this.value;
  }

  clear(): void {
    this.pending = undefined;
    this.value = undefined;
  }
}
