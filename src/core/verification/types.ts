// What a plan says about its verification checks (health, smoke flows), in the plan's own
// words: no secret value is ever in here, only the names of the secrets the run reads, and
// the templates the run fills. Self-contained, so plan/types can use it without a circle.

/** A header a check sends: a literal (or template) value, or the name of a stored secret read at run time. */
export interface PlannedHeader {
  name: string;
  /** The value (smoke steps: a template with {placeholders}). */
  value?: string;
  /** `secret:NAME` in rollback.yml: read from the editor's secret storage when the check runs. */
  secret?: string;
}

/** One JSON expectation: the value at `path` must equal `equals`. */
export interface JsonExpectation {
  path: string;
  /** Health checks: already filled from the plan ({to} → the release name). Smoke steps: a template filled at run time. */
  equals: unknown;
}

/** The health step's check (PlanStep.health). */
export interface PlannedHealth {
  url: string;
  expect: number;
  /** Text the body must contain. */
  contains?: string;
  warmupMs: number;
  /** The check has failed for good after this long. */
  timeoutMs: number;
  /** Between the end of one probe and the start of the next. */
  intervalMs: number;
  /** How long one probe may take; absent in plans made before it existed (then 5 s). */
  probeTimeoutMs?: number;
  /** "local" (this machine's HTTP client) or the SSH destination whose curl probes. */
  where: string;
  headers?: PlannedHeader[];
  json?: JsonExpectation[];
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface PlannedHttpStep {
  type: 'http';
  name: string;
  method: HttpMethod;
  /** Template: {placeholders} are filled percent-encoded at run time. */
  url: string;
  headers: PlannedHeader[];
  /** A JSON body (sent as application/json, string leaves are templates) or a text body (a template). */
  body?: { json: unknown } | { text: string };
  expect: { status: number; json?: JsonExpectation[]; contains?: string };
  /** Name → JSON path of the response: later steps read {name}. The values are secrets. */
  capture?: Record<string, string>;
  timeoutMs: number;
  /** "local" or the SSH destination whose curl sends it. */
  where: string;
}

export interface PlannedCommandStep {
  type: 'command';
  name: string;
  command: { command: string; where: string; cwd?: string };
}

export type PlannedSmokeEntry = PlannedHttpStep | PlannedCommandStep;

/** One result of a check inside a step (a smoke flow's steps), as the journal keeps it. */
export interface CheckEntryResult {
  name: string;
  outcome: 'ok' | 'failed' | 'skipped';
  detail: string;
  status?: number | null;
  durationMs?: number;
  at: string;
}
