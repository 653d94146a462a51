// Many local workers on a sleep-bound sweep (issue 19: 64 workers, 200 params of 25 ms each): how
// well the fleet keeps busy once every worker is up, and the same run with start-up counted.
//
// Start-up excluded, precisely: each worker counts from its own first chunk taken (it is up) to the
// last result of the run; efficiency = the sweep's work (params x workMs) / the sum of those spans.
// So a worker's start-up is never counted, while its idle time once up is (the tail, waiting on the
// broker, CPU taken by the others still starting). A worker that came up after the last chunk was
// taken took none and adds nothing. Start-up counted: the sweep's ideal (params x workMs / workers)
// over first worker spawned -> last result. On 2 cores 64 Node processes take seconds to start, so
// much of a 5 s sweep is done before the last worker is up: the moment all were up is reported beside.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import type { ChunkResult } from "../../lib/backends/backend.ts";
import type { BenchPlan } from "./bench-plan.ts";
import { pause, type Say } from "./progress.ts";
import { BenchSweep } from "./queue-sweep.ts";
import { roundSummary, sig, summarize, type Summary } from "./stats.ts";

export type ChunkSpan = { worker: string; params: number; takenAt: number; finishedAt: number };

export type FleetWindow = {
  /** Workers that took at least one chunk. */
  workersSeen: number;
  /** First chunk taken by the first worker, and by the last one (ms since the epoch). */
  firstUpAt: number;
  allUpAt: number;
  endAt: number;
  /** Work (ms of evaluations) done inside [allUpAt, endAt] (pro rata of each chunk's taken -> finished span). */
  workInWindowMs: number;
  /** Sum over workers of (endAt - their first chunk taken), ms. */
  upMs: number;
  /** All the work / upMs; null when no worker was up before the end. */
  efficiency: number | null;
};

/** The start-up-excluded window of a run from its chunks' spans (pure: tested with made-up spans). */
export function fleetWindow(spans: readonly ChunkSpan[], workMs: number): FleetWindow {
  const firstByWorker = new Map<string, number>();
  let endAt = 0;
  for (const s of spans) {
    firstByWorker.set(s.worker, Math.min(firstByWorker.get(s.worker) ?? s.takenAt, s.takenAt));
    endAt = Math.max(endAt, s.finishedAt);
  }
  const firsts = [...firstByWorker.values()];
  const firstUpAt = firsts.length ? Math.min(...firsts) : 0;
  const allUpAt = firsts.length ? Math.max(...firsts) : 0;
  let work = 0;
  for (const s of spans) {
    const span = s.finishedAt - s.takenAt;
    const inside = Math.max(0, Math.min(s.finishedAt, endAt) - Math.max(s.takenAt, allUpAt));
    work += span > 0 ? (s.params * workMs * inside) / span : 0;
  }
  const upMs = firsts.reduce((sum, first) => sum + (endAt - first), 0);
  const total = spans.reduce((sum, s) => sum + s.params * workMs, 0);
  return { workersSeen: firstByWorker.size, firstUpAt, allUpAt, endAt, workInWindowMs: work, upMs, efficiency: upMs > 0 ? total / upMs : null };
}

export function spansOf(results: Iterable<ChunkResult>): ChunkSpan[] {
  return [...results].map((r) => ({ worker: r.worker, params: r.end - r.start, takenAt: Date.parse(r.takenAt), finishedAt: Date.parse(r.finishedAt) }));
}

export type FleetFigure = {
  backend: BackendName;
  params: number;
  chunkSize: number;
  workMs: number;
  workers: number;
  /** Workers the local platform lets start at once; null or absent (reports before the limit): all at once. */
  startConcurrency?: number | null;
  /** params x workMs / workers: the whole sweep with every worker busy from the start. */
  idealSeconds: number;
  /** Start-up excluded (the target's figure): see the top of this file. */
  efficiencyAllUp: Summary;
  /** ideal / (first worker spawned -> last result). */
  efficiencyWithStartup: Summary;
  /** First worker spawned -> the last worker's first chunk taken. */
  allUpSeconds: Summary;
  /** First worker spawned -> the first chunk taken. */
  firstUpSeconds: Summary;
  /** All up -> last result. */
  windowSeconds: Summary;
  /** Workers that took a chunk (the others came up after the last chunk was taken). */
  workersSeen: Summary;
  /** Workers spawned: those whose turn to start came after every chunk had its result were not (a run starts none then). */
  workersStarted?: Summary;
  /** Share of the sweep's work done before every worker was up. */
  workBeforeAllUp: Summary;
  wallSeconds: Summary;
  /**
   * The last result -> the last worker gone by itself: how soon the run's end reaches a fleet that is
   * mostly idle by then (a worker still there after LEAVE_WAIT_MS counts as that; absent in older reports).
   */
  leftSeconds?: Summary;
  duplicates: number;
  workerCores: Summary | null;
  coordinatorCores: Summary | null;
  otherCores: Summary | null;
  definition: string;
};

export const FLEET_DEFINITION =
  "start-up excluded: the sweep's work (params x work per param) over the sum, for each worker, of its time from its own first chunk taken to the last result (its idle time once up counts; its start-up does not). Start-up counted: params x work / workers over first worker spawned -> last result.";

/** How long the bench waits, after the last result, for the workers to leave by themselves. */
export const LEAVE_WAIT_MS = 15_000;

/** Seconds from `endAt` (ms) to the last worker's exit, waiting at most LEAVE_WAIT_MS from now. */
async function lastLeft(sweep: BenchSweep, endAt: number): Promise<number> {
  const deadline = Date.now() + LEAVE_WAIT_MS;
  while (sweep.platform.workers().some((w) => w.status !== "exited") && Date.now() < deadline) await pause(20);
  const gone = sweep.platform.workers().map((w) => (w.status === "exited" && w.exitedAt ? w.exitedAt.getTime() : Date.now()));
  return (Math.max(...gone) - endAt) / 1000;
}

export async function measureFleet(backend: BackendName, url: string, plan: BenchPlan["efficiency"], say: Say): Promise<FleetFigure> {
  const f = plan.fleet;
  const ideal = (f.params * f.workMs) / f.workers / 1000;
  const samples = { seen: [] as number[], started: [] as number[], allUp: [] as number[], withStartup: [] as number[], allUpS: [] as number[], firstUpS: [] as number[], window: [] as number[], before: [] as number[], wall: [] as number[], left: [] as number[], wc: [] as number[], cc: [] as number[], oc: [] as number[] };
  let duplicates = 0;
  let startConcurrency: number | null = null;
  for (let t = 0; t < plan.trials; t++) {
    const sweep = new BenchSweep({ backend, url, params: f.params, chunkSize: f.chunkSize, workMs: f.workMs, label: `fleet-${f.workers}` });
    startConcurrency = Number.isFinite(sweep.platform.startConcurrency) ? sweep.platform.startConcurrency : null;
    try {
      await sweep.load();
      // As a run starts them: in the background, none once every chunk has its result.
      await sweep.startFleet(f.workers);
      await sweep.waitForAll(Math.max(180_000, ideal * 20_000));
      await sweep.stopStarting();
      const w = fleetWindow(spansOf(sweep.accepted.values()), f.workMs);
      samples.seen.push(w.workersSeen);
      samples.started.push(sweep.workersStarted);
      const wall = (w.endAt - sweep.spawnedAt) / 1000;
      if (w.efficiency !== null) samples.allUp.push(w.efficiency);
      samples.withStartup.push(ideal / wall);
      samples.allUpS.push((w.allUpAt - sweep.spawnedAt) / 1000);
      samples.firstUpS.push((w.firstUpAt - sweep.spawnedAt) / 1000);
      samples.window.push((w.endAt - w.allUpAt) / 1000);
      samples.before.push(1 - w.workInWindowMs / (f.params * f.workMs));
      samples.wall.push(wall);
      const left = await lastLeft(sweep, w.endAt);
      samples.left.push(left);
      duplicates += sweep.duplicates;
      if (sweep.cpu) {
        samples.wc.push(sweep.cpu.workerCores);
        samples.cc.push(sweep.cpu.coordinatorCores);
        samples.oc.push(sweep.cpu.otherCores);
      }
      say(`${backend} fleet trial ${t + 1}/${plan.trials}: ${w.workersSeen}/${f.workers} workers took chunks (${sweep.workersStarted} started), all up at ${((w.allUpAt - sweep.spawnedAt) / 1000).toFixed(2)} s (first at ${((w.firstUpAt - sweep.spawnedAt) / 1000).toFixed(2)} s), last result at ${wall.toFixed(2)} s, every worker gone ${left.toFixed(2)} s later; start-up excluded ${w.efficiency?.toFixed(3) ?? "n/a"}, counted ${(ideal / wall).toFixed(3)}${sweep.cpu ? `; cores: workers ${sweep.cpu.workerCores.toFixed(2)}, bench ${sweep.cpu.coordinatorCores.toFixed(2)}, other ${sweep.cpu.otherCores.toFixed(2)}` : ""}`);
    } finally {
      await sweep.close({ waitMs: 10_000 });
    }
  }
  const sum = (x: number[], d = 3) => roundSummary(summarize(x), d);
  return {
    backend,
    params: f.params,
    chunkSize: f.chunkSize,
    workMs: f.workMs,
    workers: f.workers,
    startConcurrency,
    idealSeconds: sig(ideal),
    efficiencyAllUp: sum(samples.allUp),
    efficiencyWithStartup: sum(samples.withStartup),
    allUpSeconds: sum(samples.allUpS),
    firstUpSeconds: sum(samples.firstUpS),
    windowSeconds: sum(samples.window),
    workersSeen: sum(samples.seen),
    workersStarted: sum(samples.started),
    workBeforeAllUp: sum(samples.before),
    wallSeconds: sum(samples.wall),
    leftSeconds: sum(samples.left),
    duplicates,
    workerCores: samples.wc.length ? sum(samples.wc) : null,
    coordinatorCores: samples.cc.length ? sum(samples.cc) : null,
    otherCores: samples.oc.length ? sum(samples.oc) : null,
    definition: FLEET_DEFINITION,
  };
}
