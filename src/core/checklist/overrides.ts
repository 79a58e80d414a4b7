import { closest } from 'fastest-levenshtein';
import { CHECKLIST_ITEM_KINDS, CHECKLIST_SECTIONS, type ChecklistItem, type ChecklistItemKind } from './types';

/** A problem in rollback.yml's `checklist` key; `path` is dotted from the file's root so the config layer can place it. */
export interface ChecklistOverrideProblem {
  path: string;
  message: string;
}

/** Kinds a team may add: the others are created by the extension from the plan and its events. */
const ADDABLE_KINDS: readonly ChecklistItemKind[] = ['manual', 'text'];
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `"${v}"` : typeof v;
}

function unknownId(id: string, known: string[]): string {
  const hint = known.length ? ` (did you mean "${closest(id, known)}"?)` : '';
  return `unknown checklist item id "${id}"${hint}; expected one of: ${known.join(', ')}`;
}

/**
 * Applies a team's `checklist:` overrides:
 *   checklist:
 *     remove: [feature-flags]
 *     reword: { watch-logs: "Watch the Grafana board" }
 *     add: [{ id: check-queues, section: verification, label: "Queues drained", kind: manual }]
 * Problems are reported and the offending entry is skipped; the rest still applies.
 */
export function applyChecklistOverrides(
  items: ChecklistItem[],
  raw: unknown,
): { items: ChecklistItem[]; problems: ChecklistOverrideProblem[] } {
  const problems: ChecklistOverrideProblem[] = [];
  if (raw === undefined || raw === null) return { items, problems };
  if (!isRecord(raw)) {
    problems.push({ path: 'checklist', message: `checklist must be a mapping with add, remove and/or reword; got ${describe(raw)}` });
    return { items, problems };
  }
  let result = items.map((i) => ({ ...i }));
  for (const key of Object.keys(raw)) {
    if (!['add', 'remove', 'reword'].includes(key)) {
      problems.push({ path: `checklist.${key}`, message: `unknown key "${key}" under checklist; expected add, remove or reword` });
    }
  }

  if (raw.remove !== undefined) {
    if (!Array.isArray(raw.remove)) {
      problems.push({ path: 'checklist.remove', message: `checklist.remove must be a list of item ids; got ${describe(raw.remove)}` });
    } else {
      raw.remove.forEach((id, i) => {
        const path = `checklist.remove[${i}]`;
        if (typeof id !== 'string') return problems.push({ path, message: `expected an item id (text); got ${describe(id)}` });
        const before = result.length;
        result = result.filter((item) => item.id !== id);
        if (result.length === before) problems.push({ path, message: unknownId(id, items.map((x) => x.id)) });
        return undefined;
      });
    }
  }

  if (raw.reword !== undefined) {
    if (!isRecord(raw.reword)) {
      problems.push({ path: 'checklist.reword', message: `checklist.reword must map item ids to new labels; got ${describe(raw.reword)}` });
    } else {
      for (const [id, label] of Object.entries(raw.reword)) {
        const path = `checklist.reword.${id}`;
        const item = result.find((x) => x.id === id);
        if (!item) problems.push({ path, message: unknownId(id, result.map((x) => x.id)) });
        else if (typeof label !== 'string' || !label.trim()) problems.push({ path, message: `expected the new label as non-empty text; got ${describe(label)}` });
        else item.label = label.trim();
      }
    }
  }

  if (raw.add !== undefined) {
    if (!Array.isArray(raw.add)) {
      problems.push({ path: 'checklist.add', message: `checklist.add must be a list of items; got ${describe(raw.add)}` });
    } else {
      raw.add.forEach((entry, i) => {
        const added = parseAddedItem(entry, `checklist.add[${i}]`, result, problems);
        if (added) result.push(added);
      });
    }
  }
  return { items: result, problems };
}

function parseAddedItem(entry: unknown, path: string, existing: ChecklistItem[], problems: ChecklistOverrideProblem[]): ChecklistItem | undefined {
  if (!isRecord(entry)) {
    problems.push({ path, message: `expected an item with id, section, label and kind; got ${describe(entry)}` });
    return undefined;
  }
  const start = problems.length;
  const { id, section, label, kind, hint } = entry;
  for (const key of Object.keys(entry)) {
    if (!['id', 'section', 'label', 'kind', 'hint'].includes(key)) problems.push({ path: `${path}.${key}`, message: `unknown key "${key}"; an added item has id, section, label, kind and optional hint` });
  }
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    problems.push({ path: `${path}.id`, message: `expected an id of lower-case letters, digits and dashes (e.g. check-queues); got ${describe(id)}` });
  } else if (existing.some((x) => x.id === id)) {
    problems.push({ path: `${path}.id`, message: `item id "${id}" is already used; to change its label use checklist.reword.${id}` });
  }
  if (typeof section !== 'string' || !(CHECKLIST_SECTIONS as readonly string[]).includes(section)) {
    problems.push({ path: `${path}.section`, message: `unknown section ${describe(section)}; expected one of: ${CHECKLIST_SECTIONS.join(', ')}` });
  }
  if (typeof label !== 'string' || !label.trim()) {
    problems.push({ path: `${path}.label`, message: `expected the item's label as non-empty text; got ${describe(label)}` });
  }
  const k = kind ?? 'manual';
  if (typeof k !== 'string' || !(ADDABLE_KINDS as readonly string[]).includes(k)) {
    const generated = typeof k === 'string' && (CHECKLIST_ITEM_KINDS as readonly string[]).includes(k);
    problems.push({
      path: `${path}.kind`,
      message: generated
        ? `kind "${k}" is created by the extension from the plan and cannot be added; expected one of: ${ADDABLE_KINDS.join(', ')}`
        : `unknown item kind ${describe(k)}; expected one of: ${ADDABLE_KINDS.join(', ')}`,
    });
  }
  if (hint !== undefined && typeof hint !== 'string') problems.push({ path: `${path}.hint`, message: `expected text; got ${describe(hint)}` });
  if (problems.length > start) return undefined;
  return {
    id: id as string,
    section: section as ChecklistItem['section'],
    label: (label as string).trim(),
    kind: k as ChecklistItemKind,
    checked: false,
    ...(typeof hint === 'string' ? { hint } : {}),
  };
}
