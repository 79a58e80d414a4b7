// The previews a rollback shows: the plan (or what a resume will still run) as a rendered
// document, and the code diff one click away; Analyze Migration's report the same way. One
// panel per kind, reused: a second preview replaces the first in the same tab rather than
// opening another column, and the diff is one read-only document per rollback that its
// button shows again. Nothing here is an untitled file, so closing never asks to save.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { previewPageHtml, type PageAction } from './previewPage';
import { VirtualDocuments } from './virtualDocuments';

export type PreviewKind = 'plan' | 'report';

export interface PreviewContent {
  kind: PreviewKind;
  /** The document, exactly (for a plan: the text the digest was taken of, redacted). */
  markdown: string;
  /** The code change the rollback applies, computed when first asked for. */
  diff?: { title: string; text: () => Promise<string> };
  /** A line under the buttons. */
  note?: string;
}

interface Shown {
  panel: vscode.WebviewPanel;
  content: PreviewContent;
  sourceUri: vscode.Uri;
  diffText?: Promise<string>;
}

const VIEW_TYPE = 'rollbackPilot.preview';
const FOLDER: Record<PreviewKind, string> = { plan: 'plan', report: 'report' };

/** The tab title: the document's first heading, without its Markdown. */
export function titleOf(markdown: string, fallback: string): string {
  const h = /^#\s+(.+)$/m.exec(markdown)?.[1] ?? fallback;
  return h.replace(/\\(.)/g, '$1').replace(/[`*]/g, '').trim().slice(0, 100) || fallback;
}

const newNonce = (): string => randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');

export class Previews implements vscode.Disposable {
  private readonly docs = new VirtualDocuments();
  private readonly shown = new Map<PreviewKind, Shown>();

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Shows (or replaces) the preview of its kind; resolves once the page is set. */
  async show(content: PreviewContent): Promise<void> {
    const title = titleOf(content.markdown, content.kind === 'plan' ? 'Rollback plan' : 'Migration report');
    // The exact text is also a read-only Markdown document ("View source"), loaded so that it
    // can be read back (the integration suite checks the preview from it).
    const sourceUri = this.docs.put(FOLDER[content.kind], `${title}.md`, content.markdown);
    await vscode.workspace.openTextDocument(sourceUri).then(undefined, (e: unknown) => this.log(`preview source not loaded: ${String(e)}`));
    let s = this.shown.get(content.kind);
    if (s) {
      s.content = content;
      s.sourceUri = sourceUri;
      s.diffText = undefined;
      s.panel.title = title;
      s.panel.reveal(s.panel.viewColumn, content.kind === 'report');
    } else {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, {
        viewColumn: content.kind === 'plan' ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside,
        preserveFocus: content.kind === 'report',
      }, { enableScripts: true, enableCommandUris: false, enableFindWidget: true, localResourceRoots: [], retainContextWhenHidden: true });
      s = { panel, content, sourceUri };
      const state = s;
      this.shown.set(content.kind, s);
      panel.onDidDispose(() => {
        if (this.shown.get(content.kind) === state) this.shown.delete(content.kind);
      });
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(state, m));
    }
    s.panel.webview.html = previewPageHtml({ title, markdown: content.markdown, nonce: newNonce(), actions: this.actions(content), note: content.note });
  }

  /** The preview of a kind as shown now (its text and the URI of its source document), if one is open. */
  current(kind: PreviewKind): { markdown: string; sourceUri: vscode.Uri; title: string } | undefined {
    const s = this.shown.get(kind);
    return s && { markdown: s.content.markdown, sourceUri: s.sourceUri, title: s.panel.title };
  }

  /** Opens the code diff of the plan preview (the same tab each time for the same rollback). */
  async openDiff(kind: PreviewKind = 'plan'): Promise<vscode.TextEditor | undefined> {
    const s = this.shown.get(kind);
    const diff = s?.content.diff;
    if (!s || !diff) return undefined;
    s.diffText ??= diff.text().catch((e: Error) => `Could not compute the diff: ${e.message}`);
    const uri = this.docs.put('diff', `${diff.title}.diff`, await s.diffText);
    const doc = await vscode.workspace.openTextDocument(uri);
    // In the preview's own group, as a tab: the plan and its diff never squeeze into extra columns.
    return vscode.window.showTextDocument(doc, { viewColumn: s.panel.viewColumn ?? vscode.ViewColumn.Active, preview: true });
  }

  /** A read-only text document (e.g. `git show` of a commit), opened as a preview tab: never untitled, so closing it asks nothing. */
  async showText(folder: string, name: string, text: string): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(this.docs.put(folder, name, text));
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  private actions(content: PreviewContent): PageAction[] {
    const out: PageAction[] = [];
    if (content.diff) out.push({ id: 'diff', label: 'Open the code diff', title: content.diff.title });
    out.push({ id: 'source', label: 'View Markdown source', title: 'The same text as a read-only document' });
    return out;
  }

  private async onMessage(s: Shown, m: unknown): Promise<void> {
    const id = typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'action' ? (m as { id?: unknown }).id : undefined;
    try {
      if (id === 'diff') await this.openDiff(s.content.kind);
      else if (id === 'source') await vscode.window.showTextDocument(s.sourceUri, { viewColumn: s.panel.viewColumn ?? vscode.ViewColumn.Active, preview: true });
    } catch (e) {
      this.log(`preview: ${String(id)} failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Could not open ${id === 'diff' ? 'the code diff' : 'the preview source'}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const s of this.shown.values()) s.panel.dispose();
    this.shown.clear();
    this.docs.dispose();
  }
}
