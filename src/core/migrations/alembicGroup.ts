// Orders Alembic revisions by their down_revision graph, the way `alembic history` does,
// never by file name: a topological order with ties broken by revision id so the result is
// the same on every machine. Missing parents and cycles become problems, not hangs.
import type { Migration, MigrationGroup } from './types';
import { readAlembicHeader } from './alembicHeader';
import type { ClassifiedFile } from './fileKinds';
import { codeUnitCompare, stem } from './text';

interface Node {
  migration: Migration;
  parents: string[];
  children: string[];
}

function insertSorted(list: string[], id: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, id);
}

/** A cycle reachable by walking parents from `start` (every leftover node has a leftover parent). */
function findCycle(start: string, leftover: Set<string>, nodes: Map<string, Node>): string[] {
  const seen = new Map<string, number>();
  const path: string[] = [];
  let current = start;
  while (!seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    const next = nodes.get(current)!.parents.filter((p) => leftover.has(p)).sort(codeUnitCompare)[0];
    if (next === undefined) return [];
    current = next;
  }
  return path.slice(seen.get(current));
}

export function buildAlembicGroup(dir: string, files: ClassifiedFile[]): MigrationGroup {
  const group: MigrationGroup = { tool: 'alembic', dir, migrations: [], problems: [] };
  const nodes = new Map<string, Node>();
  const duplicates: Migration[] = [];

  const sortedFiles = files.filter((f) => f.ext === 'py').sort((a, b) => codeUnitCompare(a.path, b.path));
  for (const f of sortedFiles) {
    const header = f.alembic ?? readAlembicHeader(f.text);
    const problems = [...(f.readProblem ? [f.readProblem] : []), ...header.problems];
    const id = header.revision ?? stem(f.name);
    const parents = header.downRevisions ?? [];
    const migration: Migration = {
      tool: 'alembic',
      id,
      name: header.message ?? (stem(f.name).replace(new RegExp(`^${escapeRegExp(id)}_?`), '') || stem(f.name)),
      file: f.path,
      parents,
      order: 0,
      problems,
    };
    const existing = nodes.get(id);
    if (existing) {
      existing.migration.problems.push(`revision ${id} is also defined in ${f.path}`);
      problems.push(`revision ${id} is already defined in ${existing.migration.file}; Alembic refuses duplicate revisions`);
      duplicates.push(migration);
      continue;
    }
    nodes.set(id, { migration, parents, children: [] });
  }

  for (const [id, node] of nodes) {
    for (const parent of node.parents) {
      const p = nodes.get(parent);
      if (p) p.children.push(id);
      else node.migration.problems.push(`parent ${parent} not found in ${dir}`);
    }
  }

  // Kahn's algorithm; `ready` is kept sorted so ties resolve by revision id.
  const waiting = new Map<string, number>();
  const ready: string[] = [];
  for (const [id, node] of nodes) {
    const known = new Set(node.parents.filter((p) => nodes.has(p))).size;
    waiting.set(id, known);
    if (known === 0) insertSorted(ready, id);
  }
  const ordered: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    ordered.push(id);
    for (const child of new Set(nodes.get(id)!.children)) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) insertSorted(ready, child);
    }
  }

  const placed = new Set(ordered);
  const leftover = new Set([...nodes.keys()].filter((id) => !placed.has(id)));
  if (leftover.size > 0) {
    const inCycle = new Set<string>();
    for (const id of [...leftover].sort(codeUnitCompare)) {
      if (inCycle.has(id)) continue;
      const cycle = findCycle(id, leftover, nodes);
      if (cycle.length === 0 || cycle.some((c) => inCycle.has(c))) continue;
      // Walking parents gives the cycle backwards; show it in apply direction.
      const forward = [...cycle].reverse();
      const text = [...forward, forward[0]].join(' → ');
      for (const c of forward) {
        inCycle.add(c);
        nodes.get(c)!.migration.problems.push(`down_revision cycle: ${text}`);
        ordered.push(c);
      }
      group.problems.push(`down_revision cycle: ${text}`);
    }
    for (const id of [...leftover].sort(codeUnitCompare)) {
      if (inCycle.has(id)) continue;
      nodes.get(id)!.migration.problems.push('comes after a down_revision cycle; its place in the order is unknown');
      ordered.push(id);
    }
  }

  group.migrations = [...ordered.map((id) => nodes.get(id)!.migration), ...duplicates];
  group.migrations.forEach((m, i) => (m.order = i));

  const branchPoints = ordered.filter((id) => new Set(nodes.get(id)!.children).size > 1);
  const merges = ordered.filter((id) => nodes.get(id)!.parents.length > 1);
  const heads = ordered.filter((id) => nodes.get(id)!.children.length === 0);
  group.branchPoints = branchPoints;
  group.merges = merges;
  group.heads = heads;
  if (heads.length > 1) {
    group.problems.push(`${heads.length} heads (${heads.join(', ')}): \`alembic upgrade head\` and \`downgrade -1\` are ambiguous until they are merged`);
  }
  return group;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
