// What idle workers cost the broker: a private broker (so only this run's traffic is counted), a
// run whose every chunk is held by the bench itself (the run is not settled, so the workers stay
// and find nothing to take), then 8, 32 and 64 workers; commands/s, broker CPU and broker wake-ups
// over a few windows at each size (medians), minus the same with no worker, per worker, and
// projected to 1,000 workers. A few dozen idle workers add well under 1 % of a core, about what a
// busy machine's noise moves one window by: hence the repeated windows, the spread beside each
// median, and the wake-ups, a count the machine's load does not inflate. Last, the bench finishes
// the chunks it holds and times how soon the largest idle fleet hears of the end and leaves.
import { openWorkerQueue, type BackendName } from "../../lib/backends/open-backend.ts";
import { IDLE_PROBE_MS, type ChunkResult, type Delivery, type WorkerQueue } from "../../lib/backends/backend.ts";
import { emptyAggregate } from "../../lib/compute/aggregate.ts";
import { parseLogLine } from "../../lib/log/parse-log-line.ts";
import type { BrokerCounters, BrokerSample } from "./broker-counters.ts";
import { startPrivateBroker } from "./brokers.ts";
import { pause, waitUntil, type Say } from "./progress.ts";
import { BenchSweep } from "./queue-sweep.ts";
import { fitLine, median, sig } from "./stats.ts";

const HOLD_MS = 3_600_000;

export type IdleCostPlan = { workers: number[]; windowSeconds: number; windows: number; projectTo: number };

/**
 * connections: the fewest clients connected at the window's start or end (the sampler's own excluded).
 * wakeupsPerSecond: the broker's voluntary context switches per second.
 */
export type IdleWindow = { commandsPerSecond: number; brokerCores: number; wakeupsPerSecond: number; connections: number };

/** The medians of a size's windows, with the lowest and highest broker CPU of one window. */
export type IdleWindows = IdleWindow & { windows: number; brokerCoresMin: number; brokerCoresMax: number };

export type IdlePoint = IdleWindows & {
  workers: number;
  /** (this size's median - the median with no worker) / workers. */
  perWorkerCommandsPerSecond: number;
  perWorkerCores: number;
  perWorkerWakeupsPerSecond: number;
};

export type IdleCostResult = {
  source: string;
  broker: string;
  windowSeconds: number;
  baseline: IdleWindows;
  points: IdlePoint[];
  projection: IdleProjection;
  /** The largest idle fleet told of the run's end (absent in older reports). */
  end?: EndTold;
};

/**
 * The cost at `workers` idle workers. With two sizes or more: a least-squares line through the sizes'
 * medians, `fixed + workers x perWorker`, where `fixed` is what the run costs once it has any worker
 * (its one reclaimer) and `perWorker` what each more worker adds; the CPU's spread is the lowest and
 * highest of that line and the same line through each size's lowest, and through each size's
 * highest, window. With one size (older reports' method): that size's per-worker cost times
 * `workers`, plus the baseline, which counts the run's fixed cost once per worker. `fromLargest`
 * keeps that method's figures beside the line's.
 */
export type IdleProjection = {
  workers: number;
  commandsPerSecond: number;
  brokerCorePercent: number;
  brokerCorePercentMin: number;
  brokerCorePercentMax: number;
  wakeupsPerSecond: number;
  /** Absent in older reports, which projected from the largest size only. */
  method?: "line" | "largest";
  /** The line's intercept and slope (method "line"). */
  line?: { fixedCommandsPerSecond: number; perWorkerCommandsPerSecond: number; fixedCorePercent: number; perWorkerCorePercent: number };
  fromLargest?: { commandsPerSecond: number; brokerCorePercent: number };
};

/**
 * The run settled under `workers` idle workers (the bench completed the chunks it held and proved it):
 * seconds from that proof to each worker's COMPLETED line (its own clock: it heard, and closed its
 * connection), median and last, and to the last process's exit as the bench saw it (a worker still
 * there after END_WAIT_MS counts as that). On a machine shared by all of them, every one of these
 * includes the other workers' shutdowns.
 */
export type EndTold = { workers: number; completedMedianSeconds: number; completedLastSeconds: number; lastSeconds: number; stillThere: number };

/** How long the bench waits for the idle fleet to leave once the run settled. */
export const END_WAIT_MS = 30_000;

export async function measureIdleCost(backend: BackendName, plan: IdleCostPlan, say: Say): Promise<IdleCostResult> {
  say(`${backend} idle cost: starting a private broker`);
  const broker = await startPrivateBroker(backend);
  try {
    // A threshold of an hour: the bench's hold never looks abandoned, so it renews nothing either.
    const sweep = new BenchSweep({ backend, url: broker.url, params: 16, chunkSize: 1, workMs: 0, label: "idle", env: { STALE_THRESHOLD_MS: String(HOLD_MS) } });
    const running = new Set<string>();
    const exits: string[] = [];
    const completedAt = new Map<string, number>();
    sweep.platform.onLine((id, line) => {
      const event = parseLogLine(line);
      if (event?.event === "RUNNING") running.add(id);
      if (event?.event === "COMPLETED" && event.time) completedAt.set(id, event.time.getTime());
    });
    // A worker that leaves stops costing anything (and takes its frame count with it): the figure
    // would flatter the backend, so an exit ends the measurement.
    sweep.platform.onExit((exit) => exits.push(`worker ${exit.id} exited (code ${exit.code ?? exit.signal ?? "?"})`));
    let holder: WorkerQueue | undefined;
    try {
      await sweep.load();
      const hold = await holdEveryChunk(backend, broker.url, sweep);
      holder = hold.queue;
      const baseline = await measureWindows(broker.counters, plan);
      say(`${backend} idle cost, no worker: ${baseline.commandsPerSecond} commands/s`);
      const points: IdlePoint[] = [];
      for (const workers of plan.workers) {
        await sweep.startWorkers(workers - running.size, running.size);
        await waitUntil(() => running.size >= workers, `${workers} workers running`, 180_000, 100);
        // Past the first seconds of idleness, when a worker still looks often for the run's end.
        await pause(2 * IDLE_PROBE_MS + 1000);
        const w = await measureWindows(broker.counters, plan, baseline.connections + workers, (one) => checkAllThere(workers, baseline, one, exits));
        const point = {
          workers,
          ...w,
          perWorkerCommandsPerSecond: sig((w.commandsPerSecond - baseline.commandsPerSecond) / workers, 3),
          perWorkerCores: sig((w.brokerCores - baseline.brokerCores) / workers, 3),
          perWorkerWakeupsPerSecond: sig((w.wakeupsPerSecond - baseline.wakeupsPerSecond) / workers, 3),
        };
        say(
          `${backend} idle cost, ${workers} workers: ${point.commandsPerSecond} commands/s, ${point.perWorkerCommandsPerSecond} per worker; ` +
            `broker ${(point.brokerCores * 100).toFixed(2)} % of a core (${(w.brokerCoresMin * 100).toFixed(2)}-${(w.brokerCoresMax * 100).toFixed(2)}), ${point.perWorkerWakeupsPerSecond} wake-ups/s per worker`,
        );
        points.push(point);
      }
      const end = await tellTheEnd(sweep, hold, completedAt);
      say(`${backend} idle cost: the run settled under ${end.workers} idle workers; they logged COMPLETED ${end.completedMedianSeconds} s later (median), the last ${end.completedLastSeconds} s; the last process gone ${end.lastSeconds} s${end.stillThere ? `, ${end.stillThere} still there` : ""}`);
      return { source: broker.counters.source, broker: broker.note, windowSeconds: plan.windowSeconds, baseline, points, projection: project(baseline, points, plan.projectTo), end };
    } finally {
      await sweep.close({ waitMs: 0 });
      await holder?.close().catch(() => undefined);
    }
  } finally {
    await broker.stop();
  }
}

/** Linear in the workers: see IdleProjection. */
export function project(baseline: IdleWindow, points: readonly IdlePoint[], workers: number): IdleProjection {
  const fromLargest = projectFromLargest(baseline, points, workers);
  if (new Set(points.map((p) => p.workers)).size < 2) return { ...fromLargest, method: "largest" };
  const at = (pick: (p: IdlePoint) => number) => {
    const l = fitLine(points.map((p) => [p.workers, pick(p)] as const));
    return { fixed: l.intercept, perWorker: Math.max(0, l.slope), value: l.intercept + workers * Math.max(0, l.slope) };
  };
  const commands = at((p) => p.commandsPerSecond);
  const cores = at((p) => p.brokerCores);
  const spread = [at((p) => p.brokerCoresMin).value, at((p) => p.brokerCoresMax).value];
  const percent = (x: number) => sig(Math.max(0, x) * 100, 3);
  return {
    workers,
    commandsPerSecond: sig(Math.max(0, commands.value), 3),
    brokerCorePercent: percent(cores.value),
    brokerCorePercentMin: percent(Math.min(cores.value, ...spread)),
    brokerCorePercentMax: percent(Math.max(cores.value, ...spread)),
    wakeupsPerSecond: sig(Math.max(0, at((p) => p.wakeupsPerSecond).value), 3),
    method: "line",
    line: { fixedCommandsPerSecond: sig(commands.fixed, 3), perWorkerCommandsPerSecond: sig(commands.perWorker, 3), fixedCorePercent: sig(cores.fixed * 100, 3), perWorkerCorePercent: sig(cores.perWorker * 100, 3) },
    fromLargest: { commandsPerSecond: fromLargest.commandsPerSecond, brokerCorePercent: fromLargest.brokerCorePercent },
  };
}

/** The largest size's per-worker cost times `workers`, plus the baseline; the CPU's spread from that size's lowest and highest window. */
function projectFromLargest(baseline: IdleWindow, points: readonly IdlePoint[], workers: number): IdleProjection {
  const last = points.at(-1);
  const perWorker = (x: number) => Math.max(0, x);
  const cores = (size: number | undefined) => (last && size !== undefined ? perWorker((size - baseline.brokerCores) / last.workers) : 0);
  const percent = (perWorkerCores: number) => sig((baseline.brokerCores + workers * perWorkerCores) * 100, 3);
  return {
    workers,
    commandsPerSecond: sig(baseline.commandsPerSecond + workers * perWorker(last?.perWorkerCommandsPerSecond ?? 0), 3),
    brokerCorePercent: percent(perWorker(last?.perWorkerCores ?? 0)),
    brokerCorePercentMin: percent(cores(last?.brokerCoresMin)),
    brokerCorePercentMax: percent(cores(last?.brokerCoresMax)),
    wakeupsPerSecond: sig(baseline.wakeupsPerSecond + workers * perWorker(last?.perWorkerWakeupsPerSecond ?? 0), 3),
  };
}

/** plan.windows back-to-back windows, each checked by `check`, summed up as medians. */
async function measureWindows(counters: BrokerCounters, plan: IdleCostPlan, connections = 0, check: (w: IdleWindow) => void = () => undefined): Promise<IdleWindows> {
  const windows: IdleWindow[] = [];
  let a = await sampleAll(counters, connections);
  for (let i = 0; i < plan.windows; i++) {
    await pause(plan.windowSeconds * 1000);
    const b = await sampleAll(counters, connections);
    const w = rates(a, b);
    check(w);
    windows.push(w);
    a = b;
  }
  return medianWindow(windows);
}

export function medianWindow(windows: readonly IdleWindow[]): IdleWindows {
  const of = (field: (w: IdleWindow) => number) => windows.map(field);
  const cores = of((w) => w.brokerCores);
  return {
    commandsPerSecond: sig(median(of((w) => w.commandsPerSecond)), 4),
    brokerCores: sig(median(cores), 3),
    wakeupsPerSecond: sig(median(of((w) => w.wakeupsPerSecond)), 4),
    connections: Math.min(...of((w) => w.connections)),
    windows: windows.length,
    brokerCoresMin: Math.min(...cores),
    brokerCoresMax: Math.max(...cores),
  };
}

/**
 * A sample that sees at least `connections` clients, if a few tries get one: on a loaded machine
 * rabbitmqctl leaves out connections that do not answer its query in time, and their frames with them.
 */
async function sampleAll(counters: BrokerCounters, connections: number): Promise<BrokerSample> {
  let s = await counters.sample();
  for (let retry = 0; retry < 4 && s.connections < connections; retry++) {
    await pause(500);
    s = await counters.sample();
  }
  return s;
}

export function rates(a: BrokerSample, b: BrokerSample): IdleWindow {
  const s = (b.at - a.at) / 1000;
  return {
    commandsPerSecond: sig((b.commands - a.commands) / s, 4),
    brokerCores: sig((b.cpuSeconds - a.cpuSeconds) / s, 3),
    wakeupsPerSecond: sig((b.wakeups - a.wakeups) / s, 4),
    connections: Math.min(a.connections, b.connections),
  };
}

/** Every worker still running and connected through the window, or the figure means nothing. */
export function checkAllThere(workers: number, baseline: IdleWindow, w: IdleWindow, exits: readonly string[]): void {
  if (exits.length > 0) throw new Error(`Cannot measure ${workers} idle workers: ${exits.slice(0, 3).join("; ")}`);
  if (w.connections < baseline.connections + workers) {
    throw new Error(`Cannot measure ${workers} idle workers: the broker saw ${w.connections - baseline.connections} of their connections during the window`);
  }
}

/** The bench's hold on every chunk of the run: its queue and the deliveries it keeps. */
type Hold = { queue: WorkerQueue; held: Delivery[] };

/** Completes every chunk the bench holds, proves the run settled, and times the idle workers' exits from then. */
async function tellTheEnd(sweep: BenchSweep, hold: Hold, completedAt: ReadonlyMap<string, number>): Promise<EndTold> {
  const now = new Date().toISOString();
  const aggregate = emptyAggregate();
  await hold.queue.complete(
    hold.held.map((d) => {
      const result: ChunkResult = { ...d.task!, worker: "bench-holder", attempt: d.deliveryCount, aggregate, takenAt: now, finishedAt: now, busySeconds: 0 };
      return { delivery: d, result };
    }),
  );
  if (!(await hold.queue.settled(sweep.plan))) throw new Error("Cannot time the run's end: every chunk is complete but the run does not read as settled");
  const settledAt = Date.now();
  // workers() is a snapshot: asked again for each look.
  await waitUntil(() => sweep.platform.workers().every((w) => w.status === "exited"), "every idle worker gone", END_WAIT_MS, 50).catch(() => undefined);
  const workers = sweep.platform.workers();
  const gone = workers.map((w) => ((w.status === "exited" && w.exitedAt ? w.exitedAt.getTime() : Date.now()) - settledAt) / 1000);
  const completed = workers.map((w) => ((completedAt.get(w.id) ?? Date.now()) - settledAt) / 1000);
  return {
    workers: workers.length,
    completedMedianSeconds: sig(median(completed), 3),
    completedLastSeconds: sig(Math.max(...completed), 3),
    lastSeconds: sig(Math.max(...gone), 3),
    stillThere: workers.filter((w) => w.status !== "exited").length,
  };
}

/** Takes every chunk of the sweep's run as one more consumer and keeps them until closed. */
async function holdEveryChunk(backend: BackendName, url: string, sweep: BenchSweep): Promise<Hold> {
  const queue = await openWorkerQueue(backend, {
    url,
    namespace: sweep.ns.namespace,
    runId: sweep.ns.runId,
    consumer: "bench-holder",
    maxDeliveries: 3,
    retryDelayMs: 500,
    staleThresholdMs: HOLD_MS,
    staleCheckIntervalMs: 100,
    // RabbitMQ: a bench process starved for a few seconds on a loaded machine must not lose its hold
    // (its chunks would go to the workers, which would finish the run and leave mid-measurement).
    heartbeatSeconds: 60,
  });
  const held: Delivery[] = [];
  await waitUntil(async () => {
    held.push(...(await queue.next(200, sweep.plan.totalChunks - held.length)));
    return held.length >= sweep.plan.totalChunks;
  }, "every chunk held by the bench", 20_000, 0);
  return { queue, held };
}
