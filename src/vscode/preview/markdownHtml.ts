// Markdown to HTML for the product's own documents (the plan and resume previews, the
// migration report): the subset their renderers write — ATX headings, paragraphs, lists
// (nested by indentation), block quotes, fenced code, pipe tables, rules, and inline code,
// bold and italics. Every character of the source is HTML-escaped: no raw HTML passes, so a
// tag name or a commit subject cannot become markup in the page. No vscode import, so the
// unit tests render exactly what the panel shows.

export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Inline Markdown: `code` (any run of backticks), **bold**, *italic* / _italic_, backslash escapes. */
export function inlineHtml(text: string): string {
  let out = '';
  let i = 0;
  const emphasis: string[] = [];
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_{}[\]()#+\-.!|<>~]/.test(text[i + 1])) {
      out += escapeHtml(text[i + 1]);
      i += 2;
      continue;
    }
    if (c === '`') {
      let ticks = 0;
      while (text[i + ticks] === '`') ticks++;
      const fence = '`'.repeat(ticks);
      // The closing run must be exactly as long as the opening one (CommonMark).
      let close = -1;
      for (let j = text.indexOf(fence, i + ticks); j !== -1; j = text.indexOf(fence, j + 1)) {
        if (text[j + ticks] !== '`' && text[j - 1] !== '`') {
          close = j;
          break;
        }
      }
      if (close === -1) {
        out += escapeHtml(fence);
        i += ticks;
        continue;
      }
      let body = text.slice(i + ticks, close);
      if (body.length > 2 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') body = body.slice(1, -1);
      out += `<code>${escapeHtml(body)}</code>`;
      i = close + ticks;
      continue;
    }
    if (c === '*' && text[i + 1] === '*') {
      if (emphasis.at(-1) === '**') {
        emphasis.pop();
        out += '</strong>';
        i += 2;
        continue;
      }
      if (text.indexOf('**', i + 2) > i + 2) {
        emphasis.push('**');
        out += '<strong>';
        i += 2;
        continue;
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] !== c) {
      const prev = text[i - 1] ?? ' ';
      const next = text[i + 1] ?? ' ';
      if (emphasis.at(-1) === c && !/\s/.test(prev) && (c === '*' || !/\w/.test(next))) {
        emphasis.pop();
        out += '</em>';
        i++;
        continue;
      }
      // An underscore inside a word (orders_priority_guard) is a letter, never emphasis.
      const opens = !/\s/.test(next) && (c === '*' || !/\w/.test(prev)) && text.indexOf(c, i + 2) !== -1;
      if (opens) {
        emphasis.push(c);
        out += '<em>';
        i++;
        continue;
      }
    }
    out += escapeHtml(c);
    i++;
  }
  // Unclosed emphasis: close it so the page stays well formed.
  while (emphasis.length) out += emphasis.pop() === '**' ? '</strong>' : '</em>';
  return out;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LIST_ITEM = /^(\s*)[-*+]\s+(.*)$/;
const ORDERED_ITEM = /^(\s*)(\d+)[.)]\s+(.*)$/;
const RULE = /^\s*(-{3,}|\*{3,}|_{3,})\s*$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Splits a table row on pipes that are not escaped (`\|` stays in the cell) or inside code. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  let inCode = false;
  const trimmed = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === '\\' && trimmed[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  out.push(cell.trim());
  return out;
}

export interface HeadingHook {
  /** Extra attributes for a heading (e.g. a class for a destructive step), from its level and source text. */
  (level: number, text: string): { className?: string; id?: string } | undefined;
}

/** Block-level rendering. `heading` lets a caller mark headings (the plan's destructive steps). */
export function markdownToHtml(markdown: string, heading?: HeadingHook): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  // Lists, possibly nested: a stack of [indent, tag].
  const lists: Array<{ indent: number; tag: 'ul' | 'ol' }> = [];
  const closeLists = (toIndent = -1): void => {
    while (lists.length && lists[lists.length - 1].indent > toIndent) out.push(`</li></${lists.pop()!.tag}>`);
  };
  let paragraph: string[] = [];
  const flushParagraph = (): void => {
    if (paragraph.length) out.push(`<p>${paragraph.map(inlineHtml).join('<br>')}</p>`);
    paragraph = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      flushParagraph();
      const [, indent, marks, lang] = fence;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i].trim().startsWith(marks[0].repeat(marks.length)) && lines[i].trim().replace(new RegExp(`^\\${marks[0]}+`), '').trim() === '')) {
        body.push(indent && lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
        i++;
      }
      i++;
      out.push(`<pre${lang ? ` data-lang="${escapeHtml(lang)}"` : ''}><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      // A blank line inside a list keeps it open when the next line continues it.
      const next = lines[i + 1] ?? '';
      if (lists.length && (LIST_ITEM.test(next) || ORDERED_ITEM.test(next) || /^\s{2,}\S/.test(next))) {
        i++;
        continue;
      }
      closeLists();
      i++;
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      flushParagraph();
      closeLists();
      const level = h[1].length;
      const extra = heading?.(level, h[2]);
      const attrs = `${extra?.id ? ` id="${escapeHtml(extra.id)}"` : ''}${extra?.className ? ` class="${escapeHtml(extra.className)}"` : ''}`;
      out.push(`<h${level}${attrs}>${inlineHtml(h[2])}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line) && paragraph.length === 0) {
      closeLists();
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.trimStart().startsWith('>')) {
      flushParagraph();
      closeLists();
      const quoted: string[] = [];
      while (i < lines.length && lines[i].trimStart().startsWith('>')) {
        quoted.push(lines[i].trimStart().replace(/^>\s?/, ''));
        i++;
      }
      out.push(`<blockquote>${markdownToHtml(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    if (line.includes('|') && TABLE_DIVIDER.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      flushParagraph();
      closeLists();
      const head = cells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i].includes('|') && lines[i].trim() !== '') rows.push(cells(lines[i++]));
      out.push(`<table><thead><tr>${head.map((c) => `<th>${inlineHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    const item = LIST_ITEM.exec(line) ?? ORDERED_ITEM.exec(line);
    if (item) {
      flushParagraph();
      const indent = item[1].length;
      const ordered = item.length === 4;
      const text = ordered ? item[3] : item[2];
      const tag = ordered ? 'ol' : 'ul';
      const top = lists[lists.length - 1];
      if (!top || indent > top.indent) {
        lists.push({ indent, tag });
        out.push(`<${tag}><li>`);
      } else {
        closeLists(indent);
        const now = lists[lists.length - 1];
        if (now && now.indent === indent && now.tag === tag) out.push('</li><li>');
        else {
          if (now && now.indent === indent) out.push(`</li></${lists.pop()!.tag}>`);
          lists.push({ indent, tag });
          out.push(`<${tag}><li>`);
        }
      }
      out.push(inlineHtml(text));
      i++;
      continue;
    }
    if (lists.length && /^\s+\S/.test(line)) {
      // A continuation line of the open list item.
      out.push(`<br>${inlineHtml(line.trim())}`);
      i++;
      continue;
    }
    closeLists();
    paragraph.push(line.trim());
    i++;
  }
  flushParagraph();
  closeLists();
  return out.join('\n');
}
