// The fleet preview's preflight (issue 15): every host's own preflight script (the one the
// run's first step runs there) and its lock, read before the operator confirms, over one
// connection per host — the product's own SSH session, which verifies the host key as the run
// does. A host that cannot be reached, or whose key is refused, fails its "reachable" check.
// Read-only; the run checks everything again after it takes the locks.
import type { CommandRunner } from '../core/ports';
import { readLock } from '../core/run/lock';
import { checkTitles, hostPreflight, preflightRefusal, renderFleetPreflight, type HostPreflight, type HostReading } from '../core/fleet/preflightTable';
import type { FleetHost } from '../core/fleet/types';
import type { PlannedFleet } from './fleetPlanning';

const COMMAND_TIMEOUT_MS = 30_000;
/** Hosts asked at once: a fleet of a hundred does not open a hundred connections together. */
const AT_ONCE = 16;

export interface FleetPreflight {
  rows: HostPreflight[];
  /** Set when a host fails a fatal check: nothing may start, and this says which host and check. */
  refusal?: string;
  /** The preview's markdown section. */
  section: string;
}

async function readHost(h: FleetHost, planned: PlannedFleet, runnerFor: (where: string) => CommandRunner): Promise<HostReading> {
  const reading: HostReading = { host: h.name, destination: h.destination, path: h.path };
  const step = planned.preflights[h.name];
  const own = runnerFor(h.destination);
  const others = new Map<string, CommandRunner>();
  try {
    // The connection and the key first, on its own: a refused key says so, not as a failed script.
    const hello = await own.run('true', { timeoutMs: COMMAND_TIMEOUT_MS });
    if (hello.code !== 0) return { ...reading, unreachable: hello.lost ? 'the connection was lost' : hello.timedOut ? `no answer within ${COMMAND_TIMEOUT_MS / 1000} s` : hello.stderr.trim() || `exit ${hello.code}` };
    const script = { code: 0 as number | null, stdout: '', stderr: '', lost: false, timedOut: false };
    for (const c of step?.commands ?? []) {
      // Health URLs that answer only from this machine are probed here (the plan's second command); the rest on the host.
      let runner = own;
      if (c.where !== h.destination) {
        runner = others.get(c.where) ?? runnerFor(c.where);
        others.set(c.where, runner);
      }
      const r = await runner.run(c.command, { cwd: c.cwd, input: c.input, timeoutMs: COMMAND_TIMEOUT_MS });
      Object.assign(script, { code: r.code, stdout: script.stdout + r.stdout, stderr: r.stderr, lost: !!r.lost, timedOut: !!r.timedOut });
      if (r.code !== 0) break;
    }
    reading.script = script;
    try {
      const lock = await readLock({ runner: own, cwd: h.path, environment: planned.plan.environment });
      // A lock of this very plan's run is its own (a run id is the plan's): taking it again succeeds.
      if (lock && lock.runId !== planned.plan.id) reading.lock = { held: `held by ${lock.who} since ${lock.since} (run ${lock.runId})${lock.mayStillRun?.length ? '; a command of that run may still be running there' : ''}` };
      else reading.lock = {};
    } catch (e) {
      reading.lock = { unreadable: (e as Error).message };
    }
    return reading;
  } catch (e) {
    return { ...reading, unreachable: e instanceof Error ? e.message : String(e) };
  } finally {
    await Promise.all([own, ...others.values()].map((r) => r.dispose().catch(() => undefined)));
  }
}

/** Every host's preflight and lock, read now, in the fleet's order. */
export async function readFleetPreflight(planned: PlannedFleet, runnerFor: (where: string) => CommandRunner, now = new Date()): Promise<FleetPreflight> {
  const hosts = planned.fleet.hosts;
  const readings: HostReading[] = new Array(hosts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const i = next++;
      readings[i] = await readHost(hosts[i], planned, runnerFor);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, hosts.length) }, worker));
  const rows = readings.map((r, i) => hostPreflight(r, planned.preflights[hosts[i].name]));
  const titles = checkTitles(planned.plan.from, planned.plan.to);
  const env = planned.plan.environment;
  return { rows, refusal: preflightRefusal(env, rows, titles), section: renderFleetPreflight(env, rows, titles, now) };
}
