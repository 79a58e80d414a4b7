import { lineColumnAt } from './textPosition';

export type Decoded = { ok: true; text: string } | { ok: false; message: string; line: number; column: number };

/** Byte offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

const STRICT = new TextDecoder('utf-8', { fatal: true });

/**
 * Migration files must be UTF-8 for the database to read them as the author meant; a
 * Latin-1 file would be classified on garbled text, so it is refused with its position.
 */
export function decodeSource(source: string | Uint8Array, file: string): Decoded {
  if (typeof source === 'string') {
    const bad = source.indexOf('\uFFFD');
    if (bad < 0) return { ok: true, text: source };
    const at = lineColumnAt(source, bad);
    return { ok: false, message: `${file}:${at.line}:${at.column}: the file is not valid UTF-8 (it was decoded with replacement characters); save it as UTF-8 and analyse again.`, ...at };
  }
  // The native decoder checks validity; the byte-by-byte scan runs only to locate a bad byte.
  try {
    return { ok: true, text: STRICT.decode(source) };
  } catch {
    // fall through to the located message
  }
  const bad = firstInvalidUtf8(source);
  if (bad < 0) return { ok: true, text: new TextDecoder('utf-8').decode(source) };
  const before = new TextDecoder('utf-8').decode(source.subarray(0, bad));
  const at = lineColumnAt(before, before.length);
  const hex = source[bad].toString(16).padStart(2, '0');
  return {
    ok: false,
    message: `${file}:${at.line}:${at.column}: byte 0x${hex} at offset ${bad} is not valid UTF-8 (Latin-1 or another encoding?); save the file as UTF-8 and analyse again.`,
    ...at,
  };
}
