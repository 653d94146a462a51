// The same sweep with no broker: real worker processes in static mode, each computing its own
// slice (WORKER_ID of TOTAL_WORKERS) in batches of the queue run's chunk size. Start-up, the
// compute thread's hop per batch and the cores the machine gives are the same as in queue mode;
// the broker, the coordinator's reads and the chunks taken in turn are absent. What a CPU-bound
// queue run gets beside this is what the queue costs; what this gets beside the ideal is the
// machine's and the worker program's own ceiling.
import { parseLogLine } from "../../lib/log/parse-log-line.ts";
import { LocalPlatform } from "../../lib/platforms/local-platform.ts";
import { CpuAccounting, type CpuShare } from "./cpu-accounting.ts";
import { pause } from "./progress.ts";

export type StaticSweepSpec = { params: number; batchSize: number; computeModule: string; workers: number; watchEveryMs: number };

export type StaticTiming = {
  /** First worker spawned -> the last worker's summary (its slice done). */
  wallSeconds: number;
  /** First worker spawned -> first worker running its slice. */
  startupSeconds: number;
  /** The first slice done -> the last: the slices' own imbalance. */
  tailSeconds: number;
  cpu: CpuShare | null;
};

type Slice = { worker: string; runningAt?: number; doneAt?: number; status?: unknown; params?: unknown };

function workerEnv(spec: StaticSweepSpec): Record<string, string> {
  return {
    TOTAL_PARAMETERS: String(spec.params),
    TOTAL_WORKERS: String(spec.workers),
    BATCH_SIZE: String(spec.batchSize),
    COMPUTE_MODULE: spec.computeModule,
    HEARTBEAT_SECONDS: "0",
    LOG_FORMAT: "json",
  };
}

/** The timing once every slice has its summary; throws when a slice failed or did not cover its share. */
export function staticTiming(spawnedAt: number, slices: Slice[], params: number, cpu: CpuShare | null): StaticTiming {
  const done = slices.filter((s) => s.doneAt !== undefined);
  const failed = slices.find((s) => s.status !== "completed");
  if (failed) throw new Error(`Cannot time the static sweep: worker ${failed.worker} ended with status ${String(failed.status)}`);
  const covered = slices.reduce((n, s) => n + Number(s.params), 0);
  if (covered !== params) throw new Error(`Cannot time the static sweep: the slices covered ${covered} of ${params} params`);
  const times = (pick: (s: Slice) => number | undefined) => done.map(pick).filter((t): t is number => t !== undefined);
  const finished = times((s) => s.doneAt);
  return {
    wallSeconds: (Math.max(...finished) - spawnedAt) / 1000,
    startupSeconds: (Math.min(...times((s) => s.runningAt)) - spawnedAt) / 1000,
    tailSeconds: (Math.max(...finished) - Math.min(...finished)) / 1000,
    cpu,
  };
}

/** Runs the sweep as static slices on `spec.workers` local worker processes; always stops them. */
export async function runStaticSweep(spec: StaticSweepSpec, timeoutMs: number): Promise<StaticTiming> {
  const platform = new LocalPlatform({ baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const slices = new Map<string, Slice>();
  const accounting = new CpuAccounting();
  platform.onLine((worker, line) => {
    const parsed = parseLogLine(line);
    if (!parsed) return;
    const slice = slices.get(worker) ?? { worker };
    slices.set(worker, slice);
    if (parsed.event === "RUNNING") slice.runningAt ??= Date.now();
    if (parsed.event === "SUMMARY") Object.assign(slice, { doneAt: Date.now(), status: parsed.fields.status, params: parsed.fields.params });
  });
  try {
    await platform.prepare();
    await platform.prepareComputeModule(spec.computeModule);
    const spawnedAt = Date.now();
    accounting.start(() => platform.workers().map((w) => Number(w.handle)), spec.watchEveryMs);
    for (let i = 0; i < spec.workers; i++) await platform.startWorker({ id: String(i), env: workerEnv(spec) });
    const deadline = spawnedAt + timeoutMs;
    const summaries = () => [...slices.values()].filter((s) => s.doneAt !== undefined).length;
    while (summaries() < spec.workers) {
      const gone = platform.workers().every((w) => w.status === "exited");
      if (gone && summaries() < spec.workers) throw new Error(`Cannot finish the static sweep: every worker exited with ${summaries()} of ${spec.workers} summaries`);
      if (Date.now() > deadline) throw new Error(`Cannot finish the static sweep: ${summaries()} of ${spec.workers} slices done after ${timeoutMs} ms`);
      await pause(spec.watchEveryMs);
    }
    return staticTiming(spawnedAt, [...slices.values()], spec.params, accounting.stop());
  } finally {
    accounting.stop();
    await platform.stopAll(3000).catch(() => undefined);
  }
}
