// Worker start-up, split into its steps: spawn -> first log line (the program is loaded),
// -> INITIALIZED (compute thread ready), -> first chunk taken; for workers started together.
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { parseLogLine } from "../../lib/log/parse-log-line.ts";
import type { WorkerCommand } from "../../lib/platforms/worker-command.ts";
import { BenchSweep } from "./queue-sweep.ts";
import { waitUntil, type Say } from "./progress.ts";
import { roundSummary, summarize, type Summary } from "./stats.ts";

export type WorkerStartup = {
  worker: string;
  /** Spawn -> the worker's first log line (STARTING): node, the loader and the module graph. */
  loadedSeconds: number;
  /** Spawn -> INITIALIZED: the compute thread is ready. */
  readySeconds: number;
  /** Spawn -> the worker's first chunk taken. */
  firstChunkSeconds: number;
};

/** Starts `workers` workers at once on a queue of 10 ms chunks and stops them once each has taken one. */
export async function measureWorkerStartup(backend: BackendName, url: string, workers: number, command?: WorkerCommand): Promise<WorkerStartup[]> {
  const sweep = new BenchSweep({ backend, url, params: 200 * workers, chunkSize: 1, workMs: 10, label: "startup", env: { HEARTBEAT_SECONDS: "0" }, ...(command ? { command } : {}) });
  const logged = new Map<string, { starting?: number; initialized?: number }>();
  sweep.platform.onLine((id, line) => {
    const e = parseLogLine(line);
    if (!e?.time) return;
    const seen = logged.get(id) ?? {};
    if (e.event === "STARTING") seen.starting = e.time.getTime();
    if (e.event === "INITIALIZED") seen.initialized = e.time.getTime();
    logged.set(id, seen);
  });
  try {
    await sweep.load();
    await sweep.startWorkers(workers);
    const firstTaken = await waitUntil(async () => {
      await sweep.collect();
      const first = new Map<string, number>();
      for (const r of sweep.accepted.values()) first.set(r.worker, Math.min(first.get(r.worker) ?? Infinity, Date.parse(r.takenAt)));
      return first.size === workers && first;
    }, `first chunk from each of ${workers} workers`, 60_000);
    return sweep.platform.workers().map((w) => {
      const spawned = w.startedAt.getTime();
      const seen = logged.get(w.id) ?? {};
      const since = (t: number | undefined) => (t === undefined ? Number.NaN : (t - spawned) / 1000);
      return { worker: w.id, loadedSeconds: since(seen.starting), readySeconds: since(seen.initialized), firstChunkSeconds: since(firstTaken.get(w.id)) };
    });
  } finally {
    await sweep.close({ waitMs: 0 });
  }
}

export type StartupFigure = {
  trials: number;
  /** Spawn -> first chunk taken, one local worker per trial. */
  firstChunkSeconds: Summary;
  loadedSeconds: Summary;
  readySeconds: Summary;
  command: string;
};

/** Spawn to first chunk taken for one local worker at a time (a worker started alone, as a replacement is). */
export async function measureStartup(backend: BackendName, url: string, trials: number, say: Say): Promise<StartupFigure> {
  const samples: WorkerStartup[] = [];
  for (let t = 0; t < trials; t++) {
    const [one] = await measureWorkerStartup(backend, url, 1);
    if (one) samples.push(one);
    say(`${backend} start-up trial ${t + 1}/${trials}: first chunk ${one?.firstChunkSeconds.toFixed(3)} s`);
  }
  const of = (pick: (s: WorkerStartup) => number) => roundSummary(summarize(samples.map(pick)), 3);
  return {
    trials,
    firstChunkSeconds: of((s) => s.firstChunkSeconds),
    loadedSeconds: of((s) => s.loadedSeconds),
    readySeconds: of((s) => s.readySeconds),
    command: "node <prebuilt worker bundle> (no tsx), as local workers and the image run it",
  };
}
