// The workers table of one run: who is registered on the broker (and how long silent), who has
// delivered results, and where each runs when the dashboard's starter knows it (the demo does).
import type { ConsumerSighting } from "../backends/redis/redis-run-details.ts";
import type { WorkerRow as ReportWorkerRow } from "../report/report-model.ts";
import type { WorkerTally } from "./result-digest.ts";

/** Where a worker runs, from the platform that started it: a process id (local) or pod name (kind). */
export type WorkerPlace = { id: string; handle: string; node: string; status: string };

export type WorkerState = "working" | "idle" | "silent" | "dead" | "exited" | "unknown";

export type DashboardWorker = {
  id: string;
  process: string | null;
  node: string | null;
  state: WorkerState;
  why: string;
  holding: number | null;
  chunks: number | null;
  params: number | null;
  /** Seconds since the worker last touched the broker (Redis: its consumer's idle time). */
  lastSeenSecondsAgo: number | null;
  lastResultAt: string | null;
};

export type LiveWorkerInput = {
  consumers: readonly ConsumerSighting[];
  tallies: ReadonlyMap<string, WorkerTally>;
  places: readonly WorkerPlace[];
  /** A holder silent for this long has its chunks taken over. */
  staleThresholdMs: number;
};

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, "en", { numeric: true });

function placeOf(places: readonly WorkerPlace[], id: string): Pick<DashboardWorker, "process" | "node"> {
  const p = places.find((x) => x.id === id);
  return { process: p?.handle ?? null, node: p?.node || null };
}

function stateOf(c: ConsumerSighting | undefined, place: WorkerPlace | undefined, staleMs: number): { state: WorkerState; why: string } {
  if (place?.status === "exited" && (!c || c.holding === 0)) return { state: "exited", why: "its process or pod has ended" };
  if (!c) return { state: "dead", why: "no longer registered: its chunks were handed to others" };
  if (c.holding > 0 && c.idleMs >= staleMs) return { state: "silent", why: `silent ${Math.round(c.idleMs / 1000)} s holding ${c.holding}: up for takeover` };
  if (c.holding > 0) return { state: "working", why: `holds ${c.holding} chunk(s)` };
  return { state: "idle", why: "holds nothing" };
}

/** Redis, while the run is on the broker: consumers, results and places together. */
export function liveWorkers(o: LiveWorkerInput): DashboardWorker[] {
  const ids = new Set([...o.consumers.map((c) => c.worker), ...o.tallies.keys(), ...o.places.map((p) => p.id)]);
  return [...ids].map((id) => {
    const c = o.consumers.find((x) => x.worker === id);
    const t = o.tallies.get(id);
    const place = o.places.find((p) => p.id === id);
    return {
      id,
      ...placeOf(o.places, id),
      ...stateOf(c, place, o.staleThresholdMs),
      holding: c?.holding ?? null,
      chunks: t?.chunks ?? 0,
      params: t?.params ?? 0,
      lastSeenSecondsAgo: c ? Math.round(c.idleMs / 100) / 10 : null,
      lastResultAt: t?.lastResultAt ?? null,
    };
  }).sort(byId);
}

/** Where only the platform knows the workers (RabbitMQ: results are the coordinator's to read). */
export function placedWorkers(places: readonly WorkerPlace[]): DashboardWorker[] {
  return places.map((p) => ({
    id: p.id,
    ...placeOf(places, p.id),
    state: p.status === "exited" ? "exited" : p.status === "running" ? "working" : "unknown",
    why: `${p.status} (as its platform reports)`,
    holding: null,
    chunks: null,
    params: null,
    lastSeenSecondsAgo: null,
    lastResultAt: null,
  } satisfies DashboardWorker)).sort(byId);
}

/** A finished run's workers, from its report. */
export function reportWorkers(rows: readonly ReportWorkerRow[]): DashboardWorker[] {
  return rows.map((r) => ({
    id: r.worker,
    process: null,
    node: null,
    state: /^(killed|died)/.test(r.exit) ? "dead" : "exited",
    why: `exit: ${r.exit}`,
    holding: 0,
    chunks: r.chunks,
    params: r.params,
    lastSeenSecondsAgo: null,
    lastResultAt: null,
  } satisfies DashboardWorker)).sort(byId);
}
