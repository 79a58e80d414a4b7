// The page of a preview panel: the document rendered (markdownHtml), in the editor's theme
// (VS Code's CSS variables), under a strict Content-Security-Policy: nothing loads from
// anywhere, the one style and the one script carry a fresh nonce, and the script only posts
// which button was pressed. No vscode import: the unit tests read this exact HTML.
import { escapeHtml, markdownToHtml } from './markdownHtml';

export interface PageAction {
  /** Posted back as { type: 'action', id }. */
  id: string;
  label: string;
  title?: string;
}

export interface PreviewPageInput {
  title: string;
  markdown: string;
  nonce: string;
  actions: PageAction[];
  /** A line under the buttons (e.g. "Nothing runs until you confirm in the dialog."). */
  note?: string;
}

export function previewCsp(nonce: string): string {
  return ["default-src 'none'", "img-src data:", `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, "form-action 'none'", "base-uri 'none'"].join('; ');
}

/** The plan's step headings ("### 3. ⚠️ DESTRUCTIVE — Restore …"): numbered, and the destructive ones marked for the eye, not only by the emoji. */
function markHeading(level: number, text: string): { className?: string; id?: string } | undefined {
  const step = /^(\d+)\.\s/.exec(text);
  if (level !== 3 || !step) return undefined;
  return { className: /DESTRUCTIVE/.test(text) ? 'step destructive' : 'step' };
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); line-height: 1.5; padding: 0 24px 48px; max-width: 980px; }
header { position: sticky; top: 0; background: var(--vscode-editor-background); padding: 12px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); z-index: 1; }
header .note { color: var(--vscode-descriptionForeground); margin: 6px 0 0; }
button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; margin-right: 6px; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
h1 { font-size: 1.6em; margin: 16px 0 8px; }
h2 { font-size: 1.25em; margin-top: 28px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; }
h3.step { font-size: 1.05em; margin: 24px 0 4px; padding: 6px 10px; border-left: 4px solid var(--vscode-textLink-foreground, #3794ff); background: var(--vscode-textBlockQuote-background); }
h3.step.destructive { border-left-color: var(--vscode-errorForeground, #f14c4c); color: var(--vscode-errorForeground, #f14c4c); }
code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px 12px; overflow-x: auto; border-radius: 3px; }
pre code { background: none; padding: 0; white-space: pre; }
blockquote { margin: 12px 0; padding: 6px 12px; border-left: 4px solid var(--vscode-textBlockQuote-border); background: var(--vscode-textBlockQuote-background); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #8884)); padding: 4px 8px; vertical-align: top; text-align: left; }
hr { border: none; border-top: 1px solid var(--vscode-panel-border, #8884); margin: 24px 0; }
`;

// Buttons post their id; keyboard users get the same through the buttons' own focus.
const SCRIPT = `
const vscode = acquireVsCodeApi();
for (const b of document.querySelectorAll('button[data-action]')) b.addEventListener('click', () => vscode.postMessage({ type: 'action', id: b.dataset.action }));
`;

export function previewPageHtml(o: PreviewPageInput): string {
  const buttons = o.actions.map((a, i) => `<button data-action="${escapeHtml(a.id)}"${i > 0 ? ' class="secondary"' : ''}${a.title ? ` title="${escapeHtml(a.title)}"` : ''}>${escapeHtml(a.label)}</button>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(previewCsp(o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style nonce="${escapeHtml(o.nonce)}">${STYLE}</style>
</head>
<body>
${buttons || o.note ? `<header>${buttons ? `<nav>${buttons}</nav>` : ''}${o.note ? `<p class="note">${escapeHtml(o.note)}</p>` : ''}</header>` : ''}
<main>
${markdownToHtml(o.markdown, markHeading)}
</main>
<script nonce="${escapeHtml(o.nonce)}">${SCRIPT}</script>
</body>
</html>`;
}
