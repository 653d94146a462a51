// How often an idle worker of a large fleet asks the broker anything. Each idle worker's probe is one
// command; on Redis it also offers to take over the run's reclaimer lease should its holder die,
// which any one of them can do. So the fleet, not each worker, needs a steady pace: up to
// FLEET_PROBES_AT_DEFAULT workers each probes every IDLE_PROBE_SECONDS' default (2 s, under one
// command per worker per second); beyond, each probes as much less often as keeps the fleet at
// about 32 probes a second (the demo's 256 workers: every 8 s, 32 commands a second instead of 128;
// 1,000 workers, started otherwise, should set 31.25 s: 32 instead of 500). A lease
// given up is still taken within ~1/32 s, and the run's end still reaches idle workers at once (it
// is pushed); only the backstop for an unheard push slows down.
import { WORKER_VARIABLES } from "./worker-variables.ts";

/** Workers at the default pace: 64 x 1 probe per 2 s = 32 probes a second for the whole fleet. */
export const FLEET_PROBES_AT_DEFAULT = 64;

/** IDLE_PROBE_SECONDS for a run of `workers` workers (the variable's default up to 64, longer beyond, at most its maximum of 60 s). */
export function fleetIdleProbeSeconds(workers: number): number {
  const base = Number(WORKER_VARIABLES.IDLE_PROBE_SECONDS.default);
  return Math.min(60, base * Math.max(1, workers / FLEET_PROBES_AT_DEFAULT));
}

/** What a run of `workers` workers adds to their environment: the fleet's pace, unless `given` (the user's) sets IDLE_PROBE_SECONDS. */
export function fleetIdleProbeEnv(workers: number, given: Record<string, string | undefined>): { IDLE_PROBE_SECONDS?: string } {
  if (given.IDLE_PROBE_SECONDS !== undefined || workers <= FLEET_PROBES_AT_DEFAULT) return {};
  return { IDLE_PROBE_SECONDS: String(fleetIdleProbeSeconds(workers)) };
}
