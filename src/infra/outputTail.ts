// A command's output kept as a bounded tail. A rollback step that prints 50 MB (a verbose
// migration, `cat` of a log) must not hold 50 MB per stream in the extension host: the
// runners keep the last OUTPUT_TAIL_BYTES of stdout and of stderr and count exactly how
// many bytes they let go, so the result can say so instead of silently shortening.

/** What each runner keeps of stdout and of stderr: the end, where errors and summaries are. */
export const OUTPUT_TAIL_BYTES = 1024 * 1024;

/**
 * The last `capBytes` bytes (UTF-8) of a stream of decoded text, and how many bytes before
 * them were dropped. A cut never splits a character: the bytes of a character cut in half
 * count as dropped, so kept + dropped is always exactly the bytes appended.
 */
export class OutputTail {
  private parts: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  private kept = 0;
  /** Bytes appended and no longer kept. */
  dropped = 0;

  constructor(readonly capBytes = OUTPUT_TAIL_BYTES) {}

  append(text: string): void {
    if (!text) return;
    const size = Buffer.byteLength(text, 'utf8');
    if (size >= this.capBytes) {
      // This chunk alone fills the tail: everything kept so far goes.
      this.dropped += this.kept;
      this.parts = [];
      this.sizes = [];
      this.head = 0;
      this.kept = 0;
      this.push(...cutHead(text, size - this.capBytes));
      return;
    }
    this.push(text, size);
    while (this.kept > this.capBytes) {
      const excess = this.kept - this.capBytes;
      const first = this.sizes[this.head];
      if (first <= excess) {
        this.dropped += first;
        this.kept -= first;
        this.head++;
        continue;
      }
      const [rest, restSize, cut] = cutHead(this.parts[this.head], excess);
      this.parts[this.head] = rest;
      this.sizes[this.head] = restSize;
      this.kept -= cut;
      this.dropped += cut;
    }
    // Drop the consumed slots now and then, so a long stream of small chunks stays O(n).
    if (this.head > 1024 && this.head * 2 > this.parts.length) {
      this.parts = this.parts.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** Bytes currently kept (at most capBytes). */
  get keptBytes(): number {
    return this.kept;
  }

  text(): string {
    return this.parts.slice(this.head).join('');
  }

  private push(text: string, size: number, cut = 0): void {
    this.dropped += cut;
    if (!size) return;
    this.parts.push(text);
    this.sizes.push(size);
    this.kept += size;
  }
}

/**
 * Removes at least `bytes` UTF-8 bytes from the start of `text`, moving on to the next
 * character start. Returns the rest, its size in bytes and how many bytes were removed.
 */
function cutHead(text: string, bytes: number): [string, number, number] {
  const buf = Buffer.from(text, 'utf8');
  let start = Math.max(0, bytes);
  // 10xxxxxx is a continuation byte: the character began before the cut.
  while (start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
  return [buf.subarray(start).toString('utf8'), buf.length - start, start];
}
