import * as vscode from 'vscode';

/** The scheme of the product's read-only documents (the plan's Markdown source, the code diff). */
export const PREVIEW_SCHEME = 'rollback-pilot';

/** A name that is one path segment: the tab shows it; a tag like release/1.0 must not add a folder. */
export function documentName(text: string): string {
  return text.replace(/[/\\]/g, '∕').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120) || 'document';
}

/**
 * Read-only documents served from memory. They are not untitled files, so closing one never
 * asks to save it, and the same URI shown again is the same tab with new text.
 */
export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this);
  }

  /** Sets the text at /<folder>/<name>; an editor already showing it follows. */
  put(folder: string, name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${folder}/${documentName(name)}` });
    const key = uri.toString();
    const was = this.texts.get(key);
    this.texts.set(key, text);
    if (was !== undefined && was !== text) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? `This document is no longer available (${uri.path}): it lived in the window that made it. Preview the rollback again to see it.`;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
