// What a broker knows of each run of a namespace, and the state that decides what cleanup may
// remove: a run is finished when every chunk has a result or a dead letter, active while something
// (its coordinator, a worker) has touched it recently, abandoned otherwise (a killed coordinator
// and workers: resumable, removable by cleanup). Both backends answer with this shape.
import type { BrokerItem } from "./purge-types.ts";

export type RunState = "active" | "finished" | "abandoned";

export type RunListing = {
  backend: "redis" | "rabbitmq";
  namespace: string;
  runId: string;
  state: RunState;
  /** Why the state is what it is, in a few words ("2 workers consuming", "coordinator gone 3 min ago"). */
  why: string;
  /** When the run was first loaded (ISO), when the broker knows it. */
  createdAt?: string;
  totalChunks?: number;
  /** Chunks with an accepted result (undefined when the broker cannot say without consuming). */
  chunksDone?: number;
  deadLettered?: number;
  /** The run's keys or queues, with their sizes. */
  objects: BrokerItem[];
};

/** A run's coordinator or workers touched it within this window: it is active. */
export const ACTIVE_WINDOW_MS = 30_000;

/**
 * finished beats a worker still consuming (it is on its way out), but not the run's coordinator or
 * loader: until it has read the last results and written its report the run is theirs (active).
 */
export function decideState(o: {
  totalChunks?: number;
  finishedChunks?: number;
  settled?: boolean;
  /** Its coordinator or loader is at it (what even a finished run is kept for). */
  watchedBecause?: string;
  /** Workers are at it. */
  activeBecause?: string;
  idleWhy: string;
}): { state: RunState; why: string } {
  if (o.watchedBecause) return { state: "active", why: o.watchedBecause };
  if (o.settled || (o.totalChunks !== undefined && o.totalChunks > 0 && (o.finishedChunks ?? 0) >= o.totalChunks)) {
    return { state: "finished", why: "every chunk has a result or a dead letter" };
  }
  if (o.activeBecause) return { state: "active", why: o.activeBecause };
  return { state: "abandoned", why: o.idleWhy };
}

/** "45 s", "12 min", "3 h", "2 d" */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** Groups names by the run that owns them; names of the old shared layout go under "legacy". */
function groupByOwner<T extends { name: string }>(
  items: readonly T[],
  owner: (name: string) => { kind: "run"; runId: string } | { kind: "legacy" } | undefined,
): { runs: Map<string, T[]>; legacy: T[] } {
  const runs = new Map<string, T[]>();
  const legacy: T[] = [];
  for (const item of items) {
    const o = owner(item.name);
    if (!o) continue;
    if (o.kind === "legacy") legacy.push(item);
    else runs.set(o.runId, [...(runs.get(o.runId) ?? []), item]);
  }
  return { runs, legacy };
}

/** Every run among a namespace's objects with its state, newest first, and the old shared layout's objects. */
export async function runStates(
  items: readonly BrokerItem[],
  owner: (name: string) => { kind: "run"; runId: string } | { kind: "legacy" } | undefined,
  stateOf: (runId: string, objects: BrokerItem[]) => Promise<RunListing>,
): Promise<{ runs: RunListing[]; legacy: BrokerItem[] }> {
  const { runs, legacy } = groupByOwner(items, owner);
  const out: RunListing[] = [];
  for (const [runId, objects] of runs) out.push(await stateOf(runId, objects));
  return { runs: out.sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "")), legacy };
}
