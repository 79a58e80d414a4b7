// How a corpus case is judged, shared by the tuned corpus (corpusRealPg.test.ts) and the
// held-out one (heldoutRealPg.test.ts): the classifier's verdict as a user's repository gives
// it, and what the database says happened to the previous release.

import { classifyFromFiles } from '../../../../src/core/classify/classify';
import { worstClass } from '../../../../src/core/classify/rules';
import type { MigrationClass, MigrationFinding } from '../../../../src/core/migrations/types';
import type { SqlParser } from '../../../../src/core/classify/sqlPort';
import { repository } from './repository';
import type { CorpusCase } from './schema';
import { allStatements, changedStatements, type WorldOutcome } from './world';

export interface Judged {
  c: CorpusCase;
  cls: MigrationClass;
  findings: MigrationFinding[];
  fixes: string[];
  allFixed: boolean;
  world?: WorldOutcome;
  error?: string;
}

export type Truth = 'same' | 'breaks' | 'loses';

export async function verdict(c: CorpusCase, parser: SqlParser): Promise<Omit<Judged, 'world'>> {
  const { fs, migration } = repository(c);
  const v = await classifyFromFiles({ migration, fs, root: '.', parser });
  const direction = c.judgeDown ? 'down' : 'up';
  const findings = v.findings.filter((f) => f.direction === direction && !(c.judgeDown && f.rule === 'no-down-path'));
  const cls = c.judgeDown ? worstClass(findings.map((f) => f.class)) : v.class;
  const mitigations = findings.filter((f) => f.class === 'mitigate');
  const fixes = mitigations.filter((f) => f.fix).map((f) => f.fix!);
  return { c, cls, findings, fixes, allFixed: mitigations.length > 0 && fixes.length === mitigations.length };
}

/** What the database says: same, breaks (old code differs), loses (a row lost a value). */
export function truth(j: Judged): { kind: Truth; diff: string[] } {
  const w = j.world!;
  const diff = changedStatements(allStatements(j.c), w.before, w.after);
  if (j.c.judgeDown) (w.newBefore ?? []).forEach((b, i) => b !== w.newAfter![i] && diff.push(`new release's ${j.c.newReads![i]} -> ${w.newAfter![i]} (was ${b})`));
  const lostNew = j.c.judgeDown && (w.newBefore ?? []).some((b, i) => b !== w.newAfter![i]);
  if (w.lost.length || lostNew) return { kind: 'loses', diff: [...diff, ...w.lost.map((l) => `lost ${l}`)] };
  return { kind: diff.length ? 'breaks' : 'same', diff };
}

/** The verdict agrees with the database (where the files cannot tell, only "never safe" is asked). */
export function agrees(j: Judged): boolean {
  const t = truth(j).kind;
  if (j.c.undecidable !== undefined) return j.cls !== 'safe';
  if (j.cls === 'unknown') return false;
  if (t === 'same') return j.cls === 'safe';
  if (t === 'loses') return j.cls === 'destructive';
  return j.cls === 'mitigate' || j.cls === 'destructive';
}

export function why(j: Judged): string {
  const t = truth(j);
  return `verdict ${j.cls} (${j.findings.map((f) => `${f.rule}:${f.class}`).join(', ')}); database: ${t.kind}; ${t.diff.join(' | ') || 'no change'}`;
}

/** The old statements behave as before once the fixes ran (empty when they do). */
export function afterFixes(j: Judged): string[] {
  return j.world?.fixed ? changedStatements(allStatements(j.c), j.world.before, j.world.fixed) : [];
}

export async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}
