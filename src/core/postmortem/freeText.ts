// The post-mortem is regenerated from the journal, but people write in it. Their text
// lives between markers; re-rendering replaces everything else and puts each block back.

const BEGIN = (name: string) => `<!-- rollback-pilot:begin ${name} -->`;
const END = (name: string) => `<!-- rollback-pilot:end ${name} -->`;
const BEGIN_RE = /<!-- rollback-pilot:begin ([a-z0-9-]+) -->/g;

export function freeTextBlock(name: string, defaultText: string): string {
  return `${BEGIN(name)}\n${defaultText}\n${END(name)}`;
}

/** Blocks in a previous rendering, by name. A begin without its end keeps the text up to the next block. */
export function extractFreeText(markdown: string): Map<string, string> {
  const text = markdown.replace(/\r\n/g, '\n');
  const blocks = new Map<string, string>();
  const begins = [...text.matchAll(BEGIN_RE)];
  begins.forEach((m, i) => {
    const name = m[1] ?? '';
    const start = (m.index ?? 0) + m[0].length;
    const endAt = text.indexOf(END(name), start);
    const nextBegin = begins[i + 1]?.index ?? text.length;
    const stop = endAt >= 0 && endAt <= nextBegin ? endAt : nextBegin;
    blocks.set(name, text.slice(start, stop).replace(/^\n/, '').replace(/\n$/, ''));
  });
  return blocks;
}

/**
 * Puts the user's blocks from `previous` into `fresh`. Blocks the new rendering no longer
 * has, and a previous document with no markers at all, are appended at the end so no
 * edit is lost.
 */
export function mergeFreeText(fresh: string, previous: string | undefined): string {
  if (previous === undefined || !previous.trim()) return fresh;
  const old = extractFreeText(previous);
  const used = new Set<string>();
  let out = fresh.replace(/<!-- rollback-pilot:begin ([a-z0-9-]+) -->\n[\s\S]*?\n<!-- rollback-pilot:end \1 -->/g, (whole, name: string) => {
    const kept = old.get(name);
    if (kept === undefined) return whole;
    used.add(name);
    return `${BEGIN(name)}\n${kept}\n${END(name)}`;
  });
  const orphans = [...old.entries()].filter(([name]) => !used.has(name));
  if (old.size === 0) orphans.push(['earlier-text', previous.replace(/\r\n/g, '\n').trim()]);
  if (orphans.length) {
    out += `\n## Kept from the previous version\n\n${orphans.map(([name, t]) => `${BEGIN(name)}\n${t}\n${END(name)}`).join('\n\n')}\n`;
  }
  return out;
}
