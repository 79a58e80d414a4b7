// What commands receive, parsed once: VS Code passes nothing from the palette, the tree item
// from a view's context menu or inline action, a URI from the explorer, and whatever a
// `command:` link or another extension wrote. Each parser accepts exactly those shapes.
import * as vscode from 'vscode';
import type { Release } from '../core/releases';
import { CommandArgumentError } from './commandRegistry';

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? `an object with ${Object.keys(v).slice(0, 4).join(', ') || 'no keys'}` : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`);

/** No argument, or an ignored one: palette-only commands tolerate the view item VS Code may pass. */
export const noArgs = (): undefined => undefined;

/** A release from a Releases tree node (`{ kind: 'release', release }`), or undefined from the palette. */
export function releaseNode(raw: readonly unknown[]): Release | undefined {
  const node = raw[0];
  if (node === undefined) return undefined;
  if (typeof node === 'object' && node !== null && 'release' in node) {
    const r = (node as { release?: unknown }).release;
    if (typeof r === 'object' && r !== null && typeof (r as Release).name === 'string' && typeof (r as Release).sha === 'string') return r as Release;
  }
  throw new CommandArgumentError(`expected a release from the Releases view, got ${describe(node)}`);
}

/** A file: a URI, or a tree item with a resourceUri; undefined when nothing was passed. */
export function fileArg(raw: readonly unknown[]): vscode.Uri | undefined {
  const a = raw[0];
  if (a === undefined) return undefined;
  if (a instanceof vscode.Uri) return a;
  if (typeof a === 'object' && a !== null && (a as { resourceUri?: unknown }).resourceUri instanceof vscode.Uri) return (a as { resourceUri: vscode.Uri }).resourceUri;
  throw new CommandArgumentError(`expected a file, got ${describe(a)}`);
}

/** A commit SHA (a link from a tree node's tooltip or a message). */
export function commitArg(raw: readonly unknown[]): string {
  const sha = raw[0];
  if (typeof sha === 'string' && /^[0-9a-f]{7,64}$/i.test(sha)) return sha;
  throw new CommandArgumentError(`expected a commit SHA (7 to 64 hex digits), got ${describe(sha)}`);
}

/** An optional name (an environment, a secret): a string, or nothing from the palette. */
export function optionalName(raw: readonly unknown[]): string | undefined {
  const a = raw[0];
  if (a === undefined || a === null) return undefined;
  if (typeof a === 'string' && a.length > 0 && a.length <= 200) return a;
  // A view title action passes its view's item or nothing; an object here means "ask".
  if (typeof a === 'object') return undefined;
  throw new CommandArgumentError(`expected a name, got ${describe(a)}`);
}

/** A run of a journal: a run id string, or `{ runId, readOnly }` from a message link or the checklist. */
export function runArg(raw: readonly unknown[]): { runId?: string; readOnly?: boolean } {
  const a = raw[0];
  if (a === undefined || a === null) return {};
  if (typeof a === 'string') return { runId: a };
  if (typeof a === 'object') {
    const o = a as { runId?: unknown; readOnly?: unknown };
    if (o.runId !== undefined && typeof o.runId !== 'string') throw new CommandArgumentError(`expected a run id, got ${describe(o.runId)}`);
    return { ...(typeof o.runId === 'string' ? { runId: o.runId } : {}), readOnly: o.readOnly === true };
  }
  throw new CommandArgumentError(`expected a run id, got ${describe(a)}`);
}
