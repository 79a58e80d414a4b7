// Decoding and sorting helpers shared by the tool readers.

export interface DecodedText {
  text: string;
  /** Set when the bytes are not valid UTF-8; the text is then a best-effort decode. */
  readProblem?: string;
}

/** Offset of the first byte that breaks UTF-8, or -1 when the whole buffer is valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

type Guess = 'UTF-16LE' | 'UTF-16BE' | 'binary' | 'Latin-1/Windows-1252';

function guessEncoding(bytes: Uint8Array): Guess {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE';
  const sample = bytes.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if (b === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    } else if (b < 0x09 || (b > 0x0d && b < 0x20)) {
      control++;
    }
  }
  const half = sample.length / 2;
  // ASCII text stored as UTF-16 has a zero in every other byte.
  if (oddZeros > half * 0.3 && evenZeros < oddZeros / 10) return 'UTF-16LE';
  if (evenZeros > half * 0.3 && oddZeros < evenZeros / 10) return 'UTF-16BE';
  if (evenZeros + oddZeros > 0 || control > sample.length * 0.05) return 'binary';
  return 'Latin-1/Windows-1252';
}

function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const utf8 = new TextDecoder('utf-8');

export function decodeSource(bytes: Uint8Array): DecodedText {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) {
    // TextDecoder drops a leading BOM, which is what the tools themselves do.
    return { text: utf8.decode(bytes) };
  }
  const guess = guessEncoding(bytes);
  const where = lineAndColumn(bytes, bad);
  const readProblem =
    `not UTF-8 (looks like ${guess}): byte 0x${bytes[bad].toString(16).padStart(2, '0')} ` +
    `at line ${where.line}, column ${where.column}`;
  let text: string;
  if (guess === 'UTF-16LE') text = new TextDecoder('utf-16le').decode(bytes);
  else if (guess === 'UTF-16BE') text = new TextDecoder('utf-16be').decode(bytes);
  else text = new TextDecoder('windows-1252').decode(bytes);
  return { text, readProblem };
}

/** Natural order: digit runs compare by value, so `2_x` comes before `10_y`. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    const xd = /^\d/.test(x);
    const yd = /^\d/.test(y);
    if (xd && yd) {
      const c = compareDigits(x, y);
      if (c !== 0) return c;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two digit strings by numeric value without overflow (timestamps can exceed 2^53). */
export function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Plain code-unit order, as Array.prototype.sort uses (Knex, Prisma). */
export function codeUnitCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Leading digit run of a file name, or undefined. */
export function numericPrefix(name: string): string | undefined {
  return /^(\d+)/.exec(name)?.[1];
}

/** Order by numeric prefix (files without one go last), then by name. */
export function compareByNumericPrefix(a: string, b: string): number {
  const pa = numericPrefix(a);
  const pb = numericPrefix(b);
  if (pa !== undefined && pb !== undefined) {
    const c = compareDigits(pa, pb);
    if (c !== 0) return c;
  } else if (pa !== undefined) {
    return -1;
  } else if (pb !== undefined) {
    return 1;
  }
  return codeUnitCompare(a, b);
}

export function stem(fileName: string): string {
  return fileName.replace(/(\.d)?\.[^.]+$/, '');
}

/** The human part of `20240101_add_users` → `add_users`. */
export function withoutVersionPrefix(s: string): string {
  const rest = s.replace(/^\d+[_-]?/, '');
  return rest === '' ? s : rest;
}
