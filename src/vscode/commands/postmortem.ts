import * as vscode from 'vscode';
import type { ChecklistJournalBridge, ChecklistService } from '../../core/checklist';
import { defaultPostmortemPath, fleetChangelogLines, PostmortemPathError, postmortemPathIn, proposeChangelogNote, renderPostmortem, UnsupportedJournalError } from '../../core/postmortem';
import type { Redactor } from '../../core/redact';
import type { RollbackJournal } from '../../core/run/journalTypes';

export interface PostmortemDeps {
  journals: ChecklistJournalBridge;
  service: ChecklistService;
  output: vscode.OutputChannel;
  workspaceRoot(): vscode.Uri | undefined;
  operator(): string;
  /** Commits between two releases (newest first), for the "what was rolled back" section. */
  commitsBetween?(fromSha: string, toSha: string): Promise<Array<{ sha: string; subject: string }>>;
  proposals: ProposalContentProvider;
  /** The product's redactor (known secret values too); without it renderers use the pattern families alone. */
  redactor?: Pick<Redactor, 'redact' | 'redactDeep'>;
}

export const PROPOSAL_SCHEME = 'rollback-pilot-proposal';

/** Read-only documents that show a proposed edit on the right side of a diff. */
export class ProposalContentProvider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private counter = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  add(fileName: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${fileName}`, query: String(++this.counter) });
    this.texts.set(uri.toString(), text);
    return uri;
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

const errText = (e: unknown): string => {
  const err = e as { code?: string; message?: string };
  return err?.code ? `${err.code}${err.message ? ` — ${err.message}` : ''}` : String(err?.message ?? e);
};

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    throw e;
  }
}

export async function pickRun(journals: ChecklistJournalBridge, placeHolder: string): Promise<string | undefined> {
  // Runs refused before they started (the lock was held) have nothing to review.
  const all = (await journals.list()).filter((j) => j.status !== 'abandoned').sort((a, b) => b.decidedAt.localeCompare(a.decidedAt));
  if (!all.length) {
    void vscode.window.showInformationMessage('Rollback Pilot: no rollback has been recorded in this workspace yet.');
    return undefined;
  }
  if (all.length === 1) return all[0].runId;
  const picked = await vscode.window.showQuickPick(
    all.map((j) => ({ label: `${j.plan.from.name} → ${j.plan.to.name}`, description: `${j.plan.environment} · ${j.status}`, detail: `${j.decidedAt.replace('T', ' ').slice(0, 16)} UTC · ${j.plan.reason}`, runId: j.runId })),
    { placeHolder, matchOnDetail: true },
  );
  return picked?.runId;
}

/** Writes (or updates, keeping the user's text) the post-mortem of a run and opens it. */
export async function startPostmortem(deps: PostmortemDeps, runId?: string): Promise<vscode.Uri | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Rollback Pilot writes the post-mortem only in a trusted workspace.');
    return undefined;
  }
  const root = deps.workspaceRoot();
  if (!root) {
    void vscode.window.showErrorMessage('Rollback Pilot: open the repository folder to write a post-mortem into it.');
    return undefined;
  }
  const id = runId ?? deps.service.active?.runId ?? (await pickRun(deps.journals, 'Which rollback is the post-mortem about?'));
  if (!id) return undefined;
  const journal = await deps.journals.load(id);
  if (!journal) {
    void vscode.window.showErrorMessage(`Rollback Pilot: no journal found for run ${id}.`);
    return undefined;
  }
  let target: vscode.Uri;
  try {
    // The journal is a file anyone can edit: the path is built from validated parts and confined to docs/postmortems.
    target = root.scheme === 'file' ? vscode.Uri.file(postmortemPathIn(root.fsPath, journal)) : vscode.Uri.joinPath(root, defaultPostmortemPath(journal));
  } catch (e) {
    if (!(e instanceof PostmortemPathError)) throw e;
    void vscode.window.showErrorMessage(`Rollback Pilot: ${e.message}. Nothing was written.`);
    return undefined;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (open?.isDirty) {
    const choice = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(target)} has unsaved changes. Save them so the update keeps them?`, { modal: true }, 'Save and Update');
    if (choice !== 'Save and Update' || !(await open.save())) return undefined;
  }
  let text: string;
  try {
    const previous = await readIfExists(target);
    const commits = deps.commitsBetween ? await deps.commitsBetween(journal.plan.from.sha, journal.plan.to.sha).catch(() => undefined) : undefined;
    text = renderPostmortem(journal, previous, { ...(commits ? { commits } : {}), ...(deps.redactor ? { redactor: deps.redactor } : {}) });
  } catch (e) {
    if (e instanceof UnsupportedJournalError) {
      void vscode.window.showErrorMessage(`Rollback Pilot: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const written = await writeWithFallback(target, text, deps);
  if (!written) return undefined;
  target = written;
  await vscode.window.showTextDocument(target, { preview: false });
  const session = await deps.service.open(id);
  session?.apply({ type: 'postmortem-written', at: Date.now(), path: vscode.workspace.asRelativePath(target) });
  void vscode.window.showInformationMessage(`Post-mortem written to ${vscode.workspace.asRelativePath(target)}.`, 'Propose CHANGELOG note').then((c) => {
    if (c) void proposeChangelog(deps, journal, vscode.workspace.asRelativePath(target)).catch((e: unknown) => deps.output.appendLine(`changelog proposal failed: ${errText(e)}`));
  });
  return target;
}

/** Writes the file; when that fails (read-only folder, permissions) says why and offers another place. */
async function writeWithFallback(target: vscode.Uri, text: string, deps: PostmortemDeps): Promise<vscode.Uri | undefined> {
  try {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    return target;
  } catch (e) {
    const why = errText(e);
    deps.output.appendLine(`post-mortem: could not write ${target.fsPath}: ${why}`);
    const choice = await vscode.window.showErrorMessage(`Could not write the post-mortem to ${vscode.workspace.asRelativePath(target)}: ${why}`, 'Save Elsewhere…');
    if (choice !== 'Save Elsewhere…') return undefined;
    const other = await vscode.window.showSaveDialog({ defaultUri: target, filters: { Markdown: ['md'] } });
    if (!other) return undefined;
    return writeWithFallback(other, text, deps);
  }
}

/** Shows the CHANGELOG note as a diff; the file changes only when the user applies it. */
export async function proposeChangelog(deps: PostmortemDeps, journal: RollbackJournal, postmortemPath: string | undefined): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Rollback Pilot edits the CHANGELOG only in a trusted workspace.');
    return;
  }
  const root = deps.workspaceRoot();
  if (!root) {
    void vscode.window.showErrorMessage('Rollback Pilot: open the repository folder to edit its CHANGELOG.');
    return;
  }
  const proposals = deps.proposals;
  let file = vscode.Uri.joinPath(root, 'CHANGELOG.md');
  for (const name of ['CHANGELOG.md', 'changelog.md', 'CHANGELOG']) {
    const candidate = vscode.Uri.joinPath(root, name);
    if ((await readIfExists(candidate)) !== undefined) {
      file = candidate;
      break;
    }
  }
  const doc = (await readIfExists(file)) !== undefined ? await vscode.workspace.openTextDocument(file) : undefined;
  const original = doc?.getText() ?? '';
  const proposed = proposeChangelogNote(original, {
    from: journal.plan.from.name,
    to: journal.plan.to.name,
    date: journal.decidedAt.slice(0, 10),
    reason: journal.plan.reason,
    environment: journal.plan.environment,
    fleet: fleetChangelogLines(journal),
    ...(postmortemPath ? { postmortemPath } : {}),
    ...(deps.redactor ? { redactor: deps.redactor } : {}),
  });
  if (proposed === original) {
    void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(file)} already has this rollback's note.`);
    return;
  }
  const right = proposals.add(vscode.workspace.asRelativePath(file), proposed);
  const left = doc ? file : proposals.add('(new file)', '');
  await vscode.commands.executeCommand('vscode.diff', left, right, `${vscode.workspace.asRelativePath(file)} ↔ proposed rollback note`);
  const choice = await vscode.window.showInformationMessage(`Apply the rollback note to ${vscode.workspace.asRelativePath(file)}?`, 'Apply', 'Discard');
  if (choice !== 'Apply') return;
  const edit = new vscode.WorkspaceEdit();
  if (doc) {
    if (doc.getText() !== original) {
      void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(file)} changed since the proposal; run the proposal again.`);
      return;
    }
    edit.replace(file, new vscode.Range(doc.positionAt(0), doc.positionAt(original.length)), proposed);
  } else {
    edit.createFile(file, { ignoreIfExists: false, contents: new TextEncoder().encode(proposed) });
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Could not edit ${vscode.workspace.asRelativePath(file)}.`);
    return;
  }
  await (await vscode.workspace.openTextDocument(file)).save();
  const session = await deps.service.open(journal.runId);
  session?.apply({ type: 'toggle-item', itemId: 'changelog', checked: true, at: Date.now(), by: deps.operator() });
}
