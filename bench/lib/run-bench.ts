// The whole bench: machine and versions, then each phase per backend, targets, and the results
// written as <stamp>.json (the source of truth) and <stamp>.md (rendered from it).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BackendName } from "../../lib/backends/open-backend.ts";
import { isUnavailable, type BackendStatus, type BenchReport, type Maybe, type Unavailable } from "./bench-model.ts";
import { chooseChunkSize } from "../../lib/sweep/adaptive-chunk-size.ts";
import { WORKER_VARIABLES } from "../../lib/config/worker-variables.ts";
import { benchPlan, type BenchPlan, type Mode } from "./bench-plan.ts";
import { rabbitmqBackendStatus, rabbitmqServerVersion, redisServerVersion, SHARED_URLS } from "./brokers.ts";
import { measureChunkSizes } from "./chunk-size.ts";
import { measureComputeCmd } from "./compute-cmd.ts";
import { measureCpuBound, measureSleepBound } from "./efficiency.ts";
import { measureFleet } from "./fleet-efficiency.ts";
import { evaluateTargets } from "./evaluate-targets.ts";
import { codeVersion, currentLoad, denoVersion, nodeStartCpu, staticMachineInfo } from "./machine-info.ts";
import { measureIdleCost } from "./idle-cost.ts";
import { measureOverhead } from "./overhead.ts";
import type { Say } from "./progress.ts";
import { measureRecovery } from "./recovery.ts";
import { renderBenchMarkdown } from "./render-bench-markdown.ts";
import { measureResultsMemory, measureScale, type ScaleFigure } from "./scale.ts";
import { measureStartup } from "./worker-startup.ts";
import { measureSweepScale, type SweepScaleFigure } from "./sweep-scale.ts";

// efficiency-cpu: the CPU-bound part of efficiency alone (which "efficiency" runs as well).
export const PHASES = ["overhead", "startup", "idle-cost", "efficiency", "efficiency-cpu", "recovery", "chunk-size", "scale", "results-memory", "sweep-scale", "compute-cmd"] as const;
export type Phase = (typeof PHASES)[number];

export type BenchOptions = { mode: Mode; backends: BackendName[]; phases: Phase[]; outDir: string; command: string };

export function resultStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

const skipped = (why: string): Unavailable => ({ unavailable: why });

async function guarded<T>(what: string, say: Say, run: () => Promise<T>): Promise<Maybe<T>> {
  try {
    return await run();
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? String(error);
    say(`${what} failed: ${message}`);
    return skipped(`failed: ${message}`);
  }
}

async function backendStatuses(backends: BackendName[]): Promise<Record<BackendName, BackendStatus>> {
  const redisVersion = await redisServerVersion(SHARED_URLS.redis);
  const rabbit = await rabbitmqBackendStatus();
  const rabbitVersion = await rabbitmqServerVersion(SHARED_URLS.rabbitmq);
  const status = (b: BackendName, available: boolean, reason: string): BackendStatus =>
    !backends.includes(b) ? { available: false, url: SHARED_URLS[b], reason: "not selected (--backends)" } : available ? { available, url: SHARED_URLS[b] } : { available, url: SHARED_URLS[b], reason };
  return {
    redis: status("redis", redisVersion !== null, `nothing answers at ${SHARED_URLS.redis}`),
    rabbitmq: status("rabbitmq", rabbit.available && rabbitVersion !== null, rabbit.available ? `nothing answers at ${SHARED_URLS.rabbitmq}` : `the RabbitMQ backend is not usable: ${rabbit.reason}`),
  };
}

export async function runBench(o: BenchOptions, say: Say): Promise<{ report: BenchReport; json: string; md: string }> {
  const plan = benchPlan(o.mode);
  const startedAt = new Date();
  const t0 = performance.now();
  const base = staticMachineInfo();
  say(`${o.mode} bench on ${base.cores} cores (${base.cpuModel}), load ${base.loadAverage.start}; phases ${o.phases.join(", ")}`);
  const backends = await backendStatuses(o.backends);
  const machine = {
    ...base,
    deno: await denoVersion(),
    redis: await redisServerVersion(SHARED_URLS.redis),
    rabbitmq: await rabbitmqServerVersion(SHARED_URLS.rabbitmq),
    nodeStart: await nodeStartCpu(),
  };
  if (machine.nodeStart) say(`Node's start here: ${machine.nodeStart.processCpuMs.median} ms of CPU to a script's first line, ${machine.nodeStart.workerThreadCpuMs.median} ms more for a worker thread (medians of ${machine.nodeStart.runs})`);
  const code = await codeVersion();
  const on = (p: Phase) => o.phases.includes(p);
  const per = async <T>(phase: Phase, run: (b: BackendName, url: string) => Promise<Maybe<T>>): Promise<Record<BackendName, Maybe<T>>> => {
    const out = {} as Record<BackendName, Maybe<T>>;
    for (const b of ["redis", "rabbitmq"] as const) {
      const s = backends[b];
      if (!on(phase)) out[b] = skipped("phase not selected (--phases)");
      else if (!s.available) out[b] = skipped(s.reason ?? "unavailable");
      else {
        say(`== ${phase}: ${b}`);
        out[b] = await guarded(`${phase} ${b}`, say, () => run(b, s.url));
      }
    }
    return out;
  };

  const overhead = await per("overhead", (b, url) => measureOverhead(b, url, plan.overhead, say));
  const redisOverhead = overhead.redis;
  // Chunk sizing weighs the fixed cost of a chunk long enough to be taken alone.
  const perChunkMs = isUnavailable(redisOverhead) ? 2 : redisOverhead.profile.singleChunkMs;
  const startup = !on("startup") ? skipped("phase not selected (--phases)") : !backends.redis.available ? skipped(backends.redis.reason ?? "Redis unavailable")
    : await guarded("start-up", say, () => (say("== start-up: spawn to first chunk on redis"), measureStartup("redis", backends.redis.url, plan.startup.trials, say)));
  const idleCost = await per("idle-cost", (b) => measureIdleCost(b, plan.idleCost, say));
  const sleepBound = await per("efficiency", (b, url) => measureSleepBound(b, url, plan.efficiency, say));
  const cpuBound = !on("efficiency") && !on("efficiency-cpu") ? skipped("phase not selected (--phases)") : !backends.redis.available ? skipped(backends.redis.reason ?? "Redis unavailable")
    : await guarded("cpu-bound efficiency", say, () => (say("== efficiency: cpu-bound on redis"), measureCpuBound("redis", backends.redis.url, plan.efficiency, perChunkMs, say)));
  const fleet = await per("efficiency", (b, url) => (say(`${plan.efficiency.fleet.workers} workers, sleep-bound`), measureFleet(b, url, plan.efficiency, say)));
  const recovery = await per("recovery", (b, url) => measureRecovery(b, url, plan.recovery, say));
  const chunkSize = !on("chunk-size") ? skipped("phase not selected (--phases)") : !backends.redis.available ? skipped(backends.redis.reason ?? "Redis unavailable")
    : await guarded("chunk sizes", say, () => (say("== chunk sizes on redis"), measureChunkSizes("redis", backends.redis.url, plan.chunkSize, perChunkMs, say)));
  const scalePlan = plan.scale;
  const scale = await per<ScaleFigure[]>("scale", async (b) => (scalePlan.backends.includes(b) ? measureScale(b, scalePlan, say) : skipped(`skipped in --${o.mode}: a private broker takes ~10 s to start and stop`)));

  const resultsMemory = !on("results-memory") ? skipped("phase not selected (--phases)") : !backends.redis.available ? skipped(backends.redis.reason ?? "Redis unavailable")
    : await guarded("results writer memory", say, () => (say("== results writer memory on redis"), measureResultsMemory(plan.resultsMemory, say)));

  const sweepPlan = plan.sweepScale;
  const sweepScale = await per<SweepScaleFigure>("sweep-scale", async (b) => (sweepPlan.backends.includes(b) ? measureSweepScale(b, sweepPlan, say) : skipped(`skipped in --${o.mode}: a private broker takes ~10 s to start and stop`)));
  const computeCmd = !on("compute-cmd") ? skipped("phase not selected (--phases)") : !backends.redis.available ? skipped(backends.redis.reason ?? "Redis unavailable")
    : await guarded("compute-cmd", say, () => (say("== compute-cmd beside the module path on redis"), measureComputeCmd("redis", backends.redis.url, plan.computeCmd, say)));

  const loadEnd = currentLoad();
  const partial: Omit<BenchReport, "targets"> = {
    schema: "ttg-bench/1",
    mode: o.mode,
    command: o.command,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    machine: { ...machine, loadAverage: { start: base.loadAverage.start, end: loadEnd } },
    code,
    conditions: conditions(base.cores, base.loadAverage.start, loadEnd),
    backends,
    overhead,
    efficiency: {
      startupCounting:
        "Chunks are loaded by the coordinator first; wall time runs from the first worker process being spawned to the last result finished, so worker start-up (runtime, loading the bundled worker, compute thread, broker connection) is counted; the bundle is prepared before that. The figure without start-up runs from the first chunk taken.",
      sleepBound,
      cpuBound,
      fleet,
    },
    recovery: {
      settings: `Worker defaults (STALE_THRESHOLD_MS ${WORKER_VARIABLES.STALE_THRESHOLD_MS.default}, STALE_CHECK_INTERVAL_SECONDS ${WORKER_VARIABLES.STALE_CHECK_INTERVAL_SECONDS.default}; RABBITMQ_HEARTBEAT_SECONDS ${WORKER_VARIABLES.RABBITMQ_HEARTBEAT_SECONDS.default}); 2 workers, chunks of ${plan.recovery.chunkSize} params x ${plan.recovery.workMs} ms, so the survivor finishes its own chunk (up to ${(plan.recovery.chunkSize * plan.recovery.workMs) / 1000} s) before it can take the victim's. Times come from the workers' own "took chunk" log lines (ms resolution).`,
      byBackend: recovery,
    },
    scale: {
      chunkSizeReason: scaleReason(scalePlan, perChunkMs),
      byBackend: scale,
    },
    chunkSize,
    resultsMemory,
    idleCost,
    startup,
    sweepScale,
    computeCmd,
  };
  const report: BenchReport = { ...partial, targets: evaluateTargets(partial) };
  mkdirSync(o.outDir, { recursive: true });
  const stamp = resultStamp(startedAt);
  const json = join(o.outDir, `${stamp}.json`);
  const md = join(o.outDir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, renderBenchMarkdown(report));
  return { report, json, md };
}

/** Why the scale run's chunk size, with what chooseChunkSize would pick for throughput alone. */
function scaleReason(p: BenchPlan["scale"], perChunkMs: number): string {
  const evalMs = 0.00025; // the built-in function with no sleep, through the compute thread
  const auto = chooseChunkSize(evalMs, 0.25, { totalParams: p.params, workers: p.workers, perChunkOverheadMs: perChunkMs });
  const share = perChunkMs / (perChunkMs + p.chunkSize * evalMs);
  return `Chunk ${p.chunkSize.toLocaleString("en-US")} gives ${Math.ceil(p.params / p.chunkSize).toLocaleString("en-US")} chunks: progress and recovery stay fine-grained (a killed worker loses ~${(p.chunkSize * evalMs).toFixed(1)} ms of work), the broker and the coordinator keep one small record per chunk, and a result carrying every parameter's value (--results params) stays ~0.2 MB. Its fixed cost (~${perChunkMs.toFixed(1)} ms per chunk, measured above) is ~${Math.round(share * 100)}% of a chunk's time at ~0.25 µs per evaluation; chooseChunkSize would pick ${auto.chunkSize.toLocaleString("en-US")} (limited by ${auto.limitedBy}) for throughput alone, at the price of ~${Math.round((auto.chunkSize * 15) / 1e6)} MB result messages with per-parameter values`;
}

export function conditions(cores: number, loadStart: number, loadEnd: number): string[] {
  const busy = Math.max(loadStart, loadEnd) > cores * 0.5;
  return [
    "Brokers are local (127.0.0.1): throughput, efficiency, recovery and chunk-size figures use the machine's own Redis and RabbitMQ with a random namespace per measurement, removed afterwards; the scale figures use private servers started for the bench (their memory is the run's alone).",
    "Workers are local processes started the way the demo starts them (node and the prebuilt worker bundle), with the defaults users get unless a figure says otherwise.",
    busy
      ? `Other load was present: the 1-minute load average was ${loadStart} at the start and ${loadEnd} at the end on ${cores} cores (other engineers' tests share this machine), so figures are lower and noisier than on an idle machine.`
      : `The machine was otherwise quiet (1-minute load ${loadStart} at the start, ${loadEnd} at the end, on ${cores} cores).`,
  ];
}
