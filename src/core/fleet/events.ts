// The callback plugin's lines (media/ansible/callback_plugins/rollback_pilot.py), read back.
// A line that is not one of ours (torn at a crash, or not JSON) is reported, never guessed at.
import { GATE_STEP, TASK_PREFIX } from './playbook';

export type AnsibleEventKind = 'start' | 'batch' | 'task_start' | 'ok' | 'failed' | 'unreachable' | 'skipped' | 'retry' | 'no_hosts_remaining' | 'end';

export interface AnsibleEvent {
  event: AnsibleEventKind;
  /** Epoch milliseconds on the control machine. */
  at: number;
  /** 1-based batch the event belongs to (Ansible starts the play once per batch). */
  batch: number;
  host?: string;
  task?: string;
  hosts?: string[];
  changed?: boolean;
  rc?: number;
  status?: number;
  attempts?: number;
  msg?: string;
  stdout?: string;
  stderr?: string;
  /** A failed uri task's response body (health checks that read it), whole; never kept in the journal. */
  content?: string;
  /** Set by the product, not Ansible: why a health check failed, in a single host's words (healthVerdict.ts). */
  why?: string;
  ignored?: boolean;
  pid?: number;
  stats?: Record<string, { ok: number; failures: number; unreachable: number; changed: number; skipped: number; rescued: number; ignored: number }>;
}

const KINDS = new Set<string>(['start', 'batch', 'task_start', 'ok', 'failed', 'unreachable', 'skipped', 'retry', 'no_hosts_remaining', 'end']);

/** One line of the events file, or undefined when it is not a whole event of ours. */
export function parseEventLine(line: string): AnsibleEvent | undefined {
  if (line.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (e.v !== 1 || typeof e.event !== 'string' || !KINDS.has(e.event) || typeof e.at !== 'number' || typeof e.batch !== 'number') return undefined;
  return e as unknown as AnsibleEvent;
}

/** Which step (and which part of it) a task name belongs to: "rp:code-revert:check Revert …" → code-revert, check. */
export interface TaskRef {
  step: string;
  part: 'main' | 'check' | 'block' | 'cleanup' | 'failed' | 'gate' | 'pause';
  /** For a step of several commands: which one (1-based). */
  command?: number;
}

export function taskRef(name: string | undefined): TaskRef | undefined {
  if (!name?.startsWith(TASK_PREFIX)) return undefined;
  const word = name.slice(TASK_PREFIX.length).split(' ', 1)[0];
  const m = /^([A-Za-z0-9._-]+?)(?::(check|block|cleanup|failed)|#(\d+))?$/.exec(word);
  if (!m) return undefined;
  if (m[1] === GATE_STEP) return { step: m[1], part: 'gate' };
  if (m[1] === 'pause') return { step: m[1], part: 'pause' };
  const part = (m[2] as TaskRef['part'] | undefined) ?? 'main';
  return m[3] ? { step: m[1], part, command: Number(m[3]) } : { step: m[1], part };
}
