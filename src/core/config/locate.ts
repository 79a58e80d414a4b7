// Maps a path inside the parsed YAML (["environments", "production", "host"]) back to
// the 1-based line/column range of the key or the value in the file, so diagnostics
// land on the offending node.
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Target = 'key' | 'value';

export class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly textLength: number,
  ) {}

  /**
   * Range of the key (`target: 'key'`) or the value at `path`. Falls back to the nearest
   * ancestor that exists, so a diagnostic is never lost for want of a node.
   */
  locate(path: readonly PathSegment[], target: Target): TextRange {
    for (let len = path.length; len >= 0; len--) {
      const found = this.find(path.slice(0, len), len === path.length ? target : 'key');
      if (found) return found;
    }
    return this.rangeOf(0, Math.min(1, this.textLength));
  }

  rangeOf(start: number, end: number): TextRange {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(end, start));
    // An empty range would be invisible in the editor; widen it to one character.
    const endColumn = b.line === a.line && b.col <= a.col ? a.col + 1 : b.col;
    return { line: a.line, column: a.col, endLine: b.line, endColumn };
  }

  private find(path: readonly PathSegment[], target: Target): TextRange | undefined {
    if (path.length === 0) {
      const root = this.doc.contents;
      return isNode(root) && root.range ? this.rangeOf(root.range[0], Math.min(root.range[1], root.range[0] + 1)) : undefined;
    }
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!pair) return undefined;
        keyNode = isNode(pair.key) ? pair.key : undefined;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else {
        return undefined;
      }
    }
    const valueNode = isNode(node) && node.range && !isEmptyScalar(node) ? node : undefined;
    const chosen = target === 'key' ? keyNode ?? valueNode : valueNode ?? keyNode;
    if (!chosen?.range) return undefined;
    return this.rangeOf(chosen.range[0], chosen.range[1]);
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

/** Offset of a 1-based line/column (as YamlLocator gives them) in `text`. */
export function offsetOf(text: string, line: number, column: number): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return undefined;
    offset = nl + 1;
  }
  return offset + column - 1;
}
