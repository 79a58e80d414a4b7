import { REDACTED, redactPatterns } from './patterns';
import { StreamRedactor } from './stream';

/** Shorter known values are not registered: a 3-character "secret" would blank out ordinary words. */
export const MIN_SECRET_LENGTH = 4;
/** The parts of a secret URL that carry its token (path, query) are registered from this length on. */
const MIN_URL_PART_LENGTH = 8;
/** Structures deeper than this are left as they are (journals are a few levels deep; this only guards against cycles). */
const MAX_DEPTH = 32;

/**
 * The forms a known secret takes in text: itself, URL-encoded, JSON-escaped, and for a URL
 * the parts that carry the token (path and query: a chat webhook's URL is its own bearer
 * secret, and an error message may quote only its path) and the password of its userinfo.
 */
export function secretVariants(value: string): string[] {
  const out = new Set<string>();
  const add = (v: string, min = MIN_SECRET_LENGTH): void => {
    if (v.length >= min && !v.includes(REDACTED)) out.add(v);
  };
  const v = value.trim();
  add(v);
  add(encodeURIComponent(v));
  add(JSON.stringify(v).slice(1, -1));
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v)) {
    try {
      const u = new URL(v);
      for (const part of [u.pathname + u.search, u.pathname, u.search.slice(1)]) add(part, MIN_URL_PART_LENGTH);
      if (u.password) {
        add(u.password);
        add(decodeURIComponent(u.password));
      }
    } catch {
      // Not a URL after all: the value itself is registered above.
    }
  }
  // A multi-line value (a key pasted into a secret) is found line by line too.
  if (v.includes('\n')) for (const line of v.split(/\r?\n/)) add(line.trim(), 8);
  return [...out];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The one redactor of the product. It replaces, with the one marker REDACTED:
 * - every value the product knows is secret, registered at run time by source (the
 *   webhook URL from SecretStorage, the values of the environments' `.env` files);
 * - every secret recognisable by its shape (patterns.ts: assignments to secret-named
 *   variables, URL userinfo, Authorization/Bearer, private keys, well-known tokens).
 * Known values go first, so a registered value is replaced whole before a pattern could
 * take a piece of it. Pure and synchronous; built once by the composition root.
 */
export class Redactor {
  private readonly sources = new Map<string, string[]>();
  private literal: RegExp | undefined;
  private longest = 0;
  private dirty = false;

  /** Replaces the values one source knows (e.g. "secret-storage:rollbackPilot.notify.webhookUrl", "env-file:.env"). */
  setSource(source: string, values: Iterable<string>): void {
    const all = new Set<string>();
    for (const v of values) for (const variant of secretVariants(v)) all.add(variant);
    if (all.size) this.sources.set(source, [...all]);
    else this.sources.delete(source);
    this.dirty = true;
  }

  clearSource(source: string): void {
    if (this.sources.delete(source)) this.dirty = true;
  }

  /** The sources that currently register at least one value (for the log line that says what is guarded, never the values). */
  sourceNames(): string[] {
    return [...this.sources.keys()];
  }

  /** The longest registered value: a stream that holds back this much minus one never splits one unseen. */
  get longestKnownSecret(): number {
    this.rebuild();
    return this.longest;
  }

  redact(text: string): string {
    if (!text) return text;
    this.rebuild();
    const known = this.literal ? text.replace(this.literal, REDACTED) : text;
    return redactPatterns(known);
  }

  /**
   * Every string in a JSON-like value, redacted. Shares structure: what has nothing to
   * redact comes back as the very same object, so callers that compare by identity (a step
   * of a plan) keep working. Maps, dates and class instances are left as they are.
   */
  redactDeep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((item: unknown) => {
        const r = this.redactDeep(item, depth + 1);
        if (r !== item) changed = true;
        return r;
      });
      return (changed ? out : value) as T;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value)) {
        const r = this.redactDeep(v, depth + 1);
        if (r !== v) (out ??= { ...value })[k] = r;
      }
      return (out ?? value) as T;
    }
    return value;
  }

  /** An Error with its message (and stack) redacted, in place: its class and fields stay for `instanceof` and callers. */
  redactError<E>(e: E): E {
    if (e instanceof Error) {
      const message = this.redact(e.message);
      if (message !== e.message) e.message = message;
      if (e.stack) e.stack = this.redact(e.stack);
    }
    return e;
  }

  /** A line-buffered redactor for one output stream (see StreamRedactor). */
  stream(): StreamRedactor {
    return new StreamRedactor((text) => this.redact(text));
  }

  private rebuild(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const values = [...new Set([...this.sources.values()].flat())].sort((a, b) => b.length - a.length);
    this.longest = values[0]?.length ?? 0;
    // One alternation, longest first: a value that contains another is replaced whole.
    this.literal = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  }
}

/** A redactor that knows no values: the pattern families alone (for pure renderers called without the product's redactor). */
export const patternsOnly: Pick<Redactor, 'redact'> = { redact: (text: string) => (text ? redactPatterns(text) : text) };
