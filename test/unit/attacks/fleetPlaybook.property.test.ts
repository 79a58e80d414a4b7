// A property over whole fleet rollouts with hostile values everywhere a plan or a host puts one
// (step ids, titles, commands, working trees, stdin, cleanups, resume checks, health URLs and
// their expected text and headers, host paths and vars, the steps a resume skips or checks): the
// playbook, the inventory and the run's extra vars (the health headers, secrets among them),
// read back by a YAML parser, are the same documents as for harmless values
// with each value in its place, and every value sits in an `!unsafe` scalar, exactly as given.
// So no newline, quote, ': ', '#', anchor or tag rewrites the YAML, and no value is a Jinja
// template Ansible would evaluate: what Ansible templates is the product's own text only.
// (The real ansible-playbook runs such values on real hosts in fleetAnsible.attack.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments, type ScalarTag } from 'yaml';
import { generatePlaybook, hostHeadersVars } from '../../../src/core/fleet/playbook';
import { inventoryYaml, type HostRunValues } from '../../../src/core/fleet/inventory';
import type { FleetHost } from '../../../src/core/fleet/types';
import type { PlanCommand, PlanStep } from '../../../src/core/plan/types';
import { fleetHostile } from './fleetValues';

class Unsafe {
  constructor(readonly value: string) {}
}
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (s: string) => new Unsafe(s) as unknown as string };

function parse(text: string): unknown {
  const docs = parseAllDocuments(text, { customTags: [unsafeTag], uniqueKeys: true });
  assert.ok(!Array.isArray(docs) || docs.length === 1, 'one YAML document');
  const doc = Array.isArray(docs) ? docs[0] : docs;
  assert.deepEqual(doc.errors.map((e) => e.message), [], 'the YAML parses');
  return doc.toJS();
}

/** The document with every !unsafe value replaced by a token, and those values in order. */
function shape(v: unknown, values: string[], key: (k: string) => string = (k) => k): unknown {
  if (v instanceof Unsafe) {
    values.push(v.value);
    return '‹unsafe›';
  }
  if (Array.isArray(v)) return v.map((x) => shape(x, values, key));
  // A mapping's keys are never templated by Ansible (rp_health is keyed by step id): compared as the twin's.
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [key(k), shape(x, values, key)]));
  return v;
}

interface Case {
  steps: PlanStep[];
  hosts: FleetHost[];
  values: Record<string, HostRunValues>;
  title: string;
  withChecks: boolean;
  /** The health steps' headers as the run fills them in (the extra-vars file, secrets among them). */
  headers: Record<string, Array<[string, string]>>;
}

const KINDS = ['code', 'config', 'build', 'deploy', 'wait', 'health', 'full-redeploy'] as const;
const command = (s: string, input?: string): PlanCommand => ({ command: s, where: 'x', cwd: '/srv', ...(input !== undefined ? { input } : {}) });

const caseArb = fc.record({
  title: fleetHostile,
  withChecks: fc.boolean(),
  steps: fc.array(
    fc.record({
      kind: fc.constantFrom(...KINDS),
      id: fleetHostile,
      title: fleetHostile,
      commands: fc.array(fleetHostile, { minLength: 1, maxLength: 3 }),
      input: fc.option(fleetHostile, { nil: undefined }),
      onFailure: fc.option(fleetHostile, { nil: undefined }),
      alreadyDone: fc.option(fleetHostile, { nil: undefined }),
      url: fleetHostile,
      contains: fc.option(fleetHostile, { nil: undefined }),
      headers: fc.array(fc.tuple(fleetHostile, fleetHostile), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  hosts: fc.array(fc.record({ path: fleetHostile, user: fc.constantFrom('deploy', 'app'), skip: fc.array(fleetHostile, { maxLength: 2 }), check: fc.array(fleetHostile, { maxLength: 2 }) }), { minLength: 1, maxLength: 3 }),
});

/** The case, with every value passed through `f` (a harmless twin keeps the same structure). */
type RawCase = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: RawCase, f: (s: string) => string): Case {
  const steps: PlanStep[] = raw.steps.map((s, i) => {
    const base = { id: f(`${s.id}§${i}`), kind: s.kind, title: f(s.title), why: 'w', destructive: false } as const;
    if (s.kind === 'wait') return { ...base, commands: [], waitMs: 1000 };
    if (s.kind === 'health') {
      // Header names are keys of one mapping: made distinct as a step's id is.
      const headers = s.headers.map(([name, value], k) => ({ name: f(`${name}§${k}`), value: f(value) }));
      return { ...base, commands: [], health: { url: 'ignored', expect: 200, warmupMs: 0, timeoutMs: 3000, intervalMs: 1000, where: 'x', ...(s.contains !== undefined ? { contains: f(s.contains) } : {}), ...(headers.length ? { headers } : {}) } };
    }
    return {
      ...base,
      commands: s.commands.map((c, k) => command(f(c), k === 0 && s.input !== undefined ? f(s.input) : undefined)),
      ...(s.onFailure !== undefined ? { onFailure: command(f(s.onFailure)) } : {}),
      ...(s.alreadyDone !== undefined ? { alreadyDone: command(f(s.alreadyDone)) } : {}),
    };
  });
  const hosts: FleetHost[] = raw.hosts.map((h, i) => ({ name: `web-${i + 1}`, destination: `${h.user}@10.0.0.${i + 1}:22`, path: f(h.path), vars: {} }));
  const values: Record<string, HostRunValues> = Object.fromEntries(
    raw.hosts.map((h, i) => [
      `web-${i + 1}`,
      {
        health: Object.fromEntries(raw.steps.flatMap((s, k) => (s.kind === 'health' ? [[steps[k].id, f(s.url)]] : []))),
        skip: h.skip.map(f),
        check: h.check.map(f),
        batchHosts: [`web-${i + 1}`],
      },
    ]),
  );
  const headers = Object.fromEntries(raw.steps.flatMap((s, k) => (s.kind === 'health' && s.headers.length ? [[steps[k].id, s.headers.map(([n, v], j): [string, string] => [f(`${n}§${j}`), f(v)])]] : [])));
  return { steps, hosts, values, title: f(raw.title), withChecks: raw.withChecks, headers };
}

const render = (c: Case) => ({
  playbook: generatePlaybook({ runId: 'rb-prop', title: c.title, group: 'rollback_pilot_fleet', steps: c.steps, rollout: { batch: [1, '50%'], maxFailPercent: 25, pauseMs: 2000 }, commandTimeoutMs: 60_000, withChecks: c.withChecks }),
  inventory: inventoryYaml(c.hosts, c.values, true),
  vars: Object.keys(c.headers).length ? hostHeadersVars(c.headers) : 'rp_headers: {}\n',
});

test('fleet playbooks and inventories from hostile plans and hosts: the same YAML as for harmless values, every value an exact !unsafe scalar', { timeout: 120_000 }, () => {
  let cases = 0;
  fc.assert(
    fc.property(caseArb, (raw) => {
      cases++;
      // The twin: each distinct value becomes v<n>, so both documents have the same structure if and only if no value changed it.
      const names = new Map<string, string>();
      const twin = (s: string) => {
        if (!names.has(s)) names.set(s, `v${names.size}`);
        return names.get(s)!;
      };
      const hostile = render(build(raw, (s) => s));
      const harmless = render(build(raw, twin));
      for (const part of ['playbook', 'inventory', 'vars'] as const) {
        const hv: string[] = [];
        const bv: string[] = [];
        assert.deepEqual(shape(parse(hostile[part]), hv, (k) => names.get(k) ?? k), shape(parse(harmless[part]), bv), `the ${part}'s structure changed with the values:\n${hostile[part]}`);
        const back = new Map([...names].map(([k, v]) => [v, k]));
        // Each !unsafe scalar holds the value, or the product's own words around it (a task name: "rp:<id> <title>").
        const restore = (s: string) => s.replace(/v\d+/g, (m) => back.get(m) ?? m);
        assert.deepEqual(hv, bv.map(restore), `the ${part}'s values are not exactly the plan's`);
      }
      // What Ansible templates (every scalar that is not !unsafe) holds no value of the case: it is the same as the twin's.
      return true;
    }),
    { numRuns: Number(process.env.FLEET_PROPERTY_CASES ?? 1000), seed: process.env.FLEET_PROPERTY_SEED ? Number(process.env.FLEET_PROPERTY_SEED) : undefined },
  );
  assert.ok(cases >= 100);
});
