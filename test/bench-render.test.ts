// The bench's Markdown is a pure rendering of its JSON, and targets are judged from the figures.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BenchReport } from "../bench/lib/bench-model.ts";
import { evaluateTargets, overheadReason } from "../bench/lib/evaluate-targets.ts";
import type { OverheadResult } from "../bench/lib/overhead.ts";
import { renderBenchMarkdown, spread } from "../bench/lib/render-bench-markdown.ts";
import type { Summary } from "../bench/lib/stats.ts";

const s = (median: number, min = median, max = median, n = 3): Summary => ({ n, median, min, max, p25: min, p75: max });
const NO_RABBIT = { unavailable: "the RabbitMQ backend is not usable: lib/backends/rabbitmq/index.ts does not exist yet" };

function overhead(): OverheadResult {
  return {
    chunks: 4000,
    rawLimit: { method: "XREADGROUP COUNT 200", oneConsumer: s(90_000), fourConsumers: s(120_000), limitPerSecond: 120_000, perMessageMethod: "COUNT 1", perMessage: s(4000) },
    endToEnd: [1, 2, 4].map((w) => ({ workers: w, chunksPerSecond: s(1000 * w, 900 * w, 1100 * w), chunksPerSecondWithStartup: s(500), ratioToRawLimit: (1000 * w) / 120_000, cores: w === 1 ? null : { workers: 1.5, coordinator: 0.1, other: 0.4 } })),
    profile: { loopBatch: 256, backendLoop: s(3000), backendLoopSingle: s(2000), singleChunkMs: 0.6, computeHopMicros: s(100), quietLogsOneWorker: s(1400), perChunkMs: { total: 1, broker: 0.33, computeHop: 0.1, logLines: 0.29, rest: 0.28 } },
  };
}

function fixture(): Omit<BenchReport, "targets"> {
  return {
    schema: "ttg-bench/1",
    mode: "full",
    command: "npm run bench",
    startedAt: "2026-01-02T03:04:05.000Z",
    finishedAt: "2026-01-02T03:14:05.000Z",
    durationSeconds: 600,
    machine: { cpuModel: "Test CPU", cores: 2, memoryGiB: 8, os: "linux", node: "v20.0.0", deno: "2.0.0", redis: "7.0.15", rabbitmq: null, nodeStart: { runs: 7, processCpuMs: { n: 7, median: 42, min: 40, max: 51, p25: 41, p75: 44 }, workerThreadCpuMs: { n: 7, median: 30, min: 28, max: 33, p25: 29, p75: 31 } }, loadAverage: { start: 2.5, end: 1 } },
    code: { commit: "abc1234", modified: ["worker/queue-mode.ts"] },
    conditions: ["Other load was present."],
    backends: { redis: { available: true, url: "redis://127.0.0.1:6379" }, rabbitmq: { available: false, url: "amqp://x", reason: NO_RABBIT.unavailable } },
    overhead: { redis: overhead(), rabbitmq: NO_RABBIT },
    efficiency: {
      startupCounting: "Start-up is counted.",
      sleepBound: {
        redis: { backend: "redis", params: 10_000, chunkSize: 100, workers: 3, idealSeconds: 33.33, granularityBound: 0.98, wallSeconds: s(34.5, 34.1, 35), efficiency: s(0.966, 0.952, 0.977), efficiencyWithoutStartup: s(0.99), startupSeconds: s(0.8), workerCores: s(0.12), coordinatorCores: s(0.05), otherCores: s(0.4) },
        rabbitmq: NO_RABBIT,
      },
      cpuBound: { unavailable: "failed: boom" },
      fleet: {
        redis: { backend: "redis", params: 12_800, chunkSize: 10, workMs: 25, workers: 64, startConcurrency: 2, idealSeconds: 5, efficiencyAllUp: s(0.93, 0.91, 0.95), efficiencyWithStartup: s(0.6), allUpSeconds: s(2.5), firstUpSeconds: s(0.3), windowSeconds: s(3.1), workersSeen: s(64), workBeforeAllUp: s(0.4), wallSeconds: s(8.3), leftSeconds: s(0.12, 0.1, 0.15), duplicates: 0, workerCores: s(1.2), coordinatorCores: s(0.1), otherCores: s(0.3), definition: "start-up excluded: from the last worker's first chunk." },
        rabbitmq: NO_RABBIT,
      },
    },
    recovery: {
      settings: "defaults",
      byBackend: {
        redis: [
          { signal: "SIGKILL", platformReclaim: false, seconds: s(1.7, 1.6, 2.3), failures: 0, trials: 3, notes: [] },
          { signal: "SIGKILL", platformReclaim: true, seconds: s(0.2, 0.1, 0.3), failures: 0, trials: 3, notes: [] },
          { signal: "SIGSTOP", platformReclaim: false, seconds: s(1.8), failures: 0, trials: 3, notes: [] },
        ],
        rabbitmq: NO_RABBIT,
      },
    },
    scale: {
      chunkSizeReason: "chunk 10,000",
      byBackend: {
        redis: [{ backend: "redis", results: "chunks", params: 10_000_000, chunkSize: 10_000, workers: 2, verdict: "pass", chunksAccepted: 1000, paramsCovered: 10_000_000, wallSeconds: 20, paramsPerSecond: 500_000, coordinatorPeakRssMiB: 180, broker: { usedBytes: 2 ** 20 * 10, peakBytes: 2 ** 20 * 12, source: "INFO", note: "private" }, exitCode: 0 }],
        rabbitmq: NO_RABBIT,
      },
    },
    chunkSize: { unavailable: "phase not selected (--phases)" },
    idleCost: {
      redis: {
        source: "INFO", broker: "private redis-server", windowSeconds: 12,
        baseline: { commandsPerSecond: 0.5, brokerCores: 0.002, wakeupsPerSecond: 10, connections: 1, windows: 3, brokerCoresMin: 0.001, brokerCoresMax: 0.003 },
        points: [{ workers: 64, commandsPerSecond: 50, brokerCores: 0.009, wakeupsPerSecond: 57, connections: 65, windows: 3, brokerCoresMin: 0.008, brokerCoresMax: 0.01, perWorkerCommandsPerSecond: 0.773, perWorkerCores: 0.0001, perWorkerWakeupsPerSecond: 0.73 }],
        projection: {
          workers: 1000, commandsPerSecond: 517, brokerCorePercent: 6.77, brokerCorePercentMin: 6, brokerCorePercentMax: 7.5, wakeupsPerSecond: 740, method: "line",
          line: { fixedCommandsPerSecond: 17.7, perWorkerCommandsPerSecond: 0.5, fixedCorePercent: 0.44, perWorkerCorePercent: 0.0063 },
          fromLargest: { commandsPerSecond: 773, brokerCorePercent: 10.1 },
        },
        end: { workers: 64, completedMedianSeconds: 0.31, completedLastSeconds: 0.62, lastSeconds: 0.74, stillThere: 0 },
      },
      rabbitmq: NO_RABBIT,
    },
    sweepScale: {
      redis: { backend: "redis", axes: [250, 200, 200], points: 10_000_000, chunkSize: 10_000, workers: 2, verdict: "pass", chunksAccepted: 1000, paramsCovered: 10_000_000, wallSeconds: 4.9, paramsPerSecond: 2_040_000, coordinatorPeakRssMiB: 160, exitCode: 0 },
      rabbitmq: NO_RABBIT,
    },
    computeCmd: {
      backend: "redis", workers: 2, trials: 3, module: "zero-work.ts", command: "python3 zero-work.py",
      points: [
        { chunkSize: 1, chunks: 30_000, module: { chunksPerSecond: s(5000), paramsPerSecond: s(5000) }, command: { chunksPerSecond: s(1000), paramsPerSecond: s(1000) }, ratio: 0.2 },
        { chunkSize: 10, chunks: 30_000, module: { chunksPerSecond: s(4418), paramsPerSecond: s(44_180) }, command: { chunksPerSecond: s(2868, 2700, 2900), paramsPerSecond: s(28_680) }, ratio: 0.649 },
      ],
    },
  };
}

describe("evaluateTargets", () => {
  const targets = evaluateTargets(fixture());
  const byId = (id: string) => targets.find((t) => t.id === id);

  test("a low overhead ratio is missed, with what each chunk costs as the reason", () => {
    const t = byId("overhead-redis");
    assert.equal(t?.met, false);
    // The best row (4 workers, 4000 chunks/s) used 2 cores in all: 500 µs of CPU per chunk.
    assert.match(t?.reason ?? "", /at 4 worker\(s\) the machine's \d+ cores are the limit \(2\.00 busy\): a chunk costs 500\.0 µs of CPU in all, 375\.0 µs in the workers/);
    assert.match(overheadReason({ workers: 1, chunksPerSecond: s(1000), chunksPerSecondWithStartup: s(900), ratioToRawLimit: 0.01, cores: null }, 120_000, 2, 1), /a chunk costs 1000 µs of one worker's time/);
  });

  test("recovery is judged on the max over trials", () => {
    assert.equal(byId("recovery-sigkill-redis-backend-alone")?.met, false, "max 2.3 s > 2 s");
    assert.equal(byId("recovery-sigkill-redis-with-platform")?.met, true);
    assert.equal(byId("recovery-sigkill-redis-with-platform")?.reason, undefined);
  });

  test("an unavailable backend is never a figure: met is null and the reason says why", () => {
    for (const id of ["overhead-rabbitmq", "efficiency-sleep-rabbitmq", "recovery-sigkill-rabbitmq-backend-alone", "scale-rabbitmq"]) {
      assert.equal(byId(id)?.met, null, id);
      assert.equal(byId(id)?.figure, "not measured");
      assert.match(byId(id)?.reason ?? "", /does not exist yet/);
    }
  });

  test("efficiency and scale targets met", () => {
    assert.equal(byId("efficiency-sleep-redis")?.met, true);
    assert.equal(byId("efficiency-cpu")?.met, null);
    assert.equal(byId("efficiency-fleet-redis")?.met, true);
    assert.equal(byId("efficiency-fleet-redis")?.target, "Redis: 64 local workers, sleep-bound, start-up excluded: efficiency >= 0.9");
    assert.equal(byId("efficiency-fleet-redis")?.figure, "0.930 (0.910-0.950); 0.600 with start-up counted");
    assert.equal(byId("efficiency-fleet-rabbitmq")?.met, null);
    assert.equal(byId("scale-redis-chunks")?.met, true);
  });

  test("a sweep file of ten million points is judged on its verdict and the coordinator's peak RSS", () => {
    assert.equal(byId("sweep-scale-redis")?.met, true);
    assert.match(byId("sweep-scale-redis")?.figure ?? "", /^10,000,000 points \(250 x 200 x 200\): pass in 4\.9 s, coordinator peak 160 MiB$/);
    assert.equal(byId("sweep-scale-rabbitmq")?.met, null);
    const big = structuredClone(fixture());
    const redis = big.sweepScale?.redis;
    assert.ok(redis && !("unavailable" in redis));
    redis.coordinatorPeakRssMiB = 300;
    assert.equal(evaluateTargets(big).find((t) => t.id === "sweep-scale-redis")?.met, false);
  });

  test("CPU-bound: judged on the trials whose baselines and workers agree, invalid when none do", () => {
    const base = (cpuSeconds: number) => ({ params: 5_000_000, cpuSeconds, wallSeconds: cpuSeconds, computeThreadSeconds: cpuSeconds * 0.98 });
    const trial = (efficiency: number, invalid: string | null) => ({ idealSeconds: 10, wallSeconds: 10 / efficiency, efficiency, efficiencyWithoutStartup: efficiency + 0.03, baselineChange: 0.01, workDrift: 0.01, atTrialSpeed: efficiency * 1.01, invalid });
    const withCpu = (trials: ReturnType<typeof trial>[]) => {
      const r = structuredClone(fixture());
      const counted = trials.filter((t) => t.invalid === null);
      r.efficiency.cpuBound = {
        backend: "redis", params: 5_000_000, chunkSize: 50_000, workers: 2, idealSeconds: 10, granularityBound: 1, wallSeconds: s(10.3),
        efficiency: s(0.975, 0.97, 0.98, counted.length || trials.length), efficiencyWithoutStartup: s(1), startupSeconds: s(0.3), tailSeconds: s(0.05),
        workerCores: s(1.95), coordinatorCores: s(0.01), otherCores: s(0.02), singleThread: base(20), cores: 2, evalCostMs: 0.004, chunkChoice: "chooseChunkSize: 50000",
        resizedFrom: { params: 8_000_000, cpuSeconds: 32, plannedCpuSeconds: 20 },
        baselines: [base(20), base(20.1), base(20.2), base(20.1)], baselineCpuSeconds: s(20.1, 20, 20.2, 4), trials, validTrials: counted.length, trialRule: { wanted: 3, max: 6 }, efficiencyAtTrialSpeed: s(0.982, 0.98, 0.985, 2),
        threadsAtOnce: { threads: 2, cpuSeconds: 21, wallSeconds: 10.6, cpuOverSingle: 0.05 }, coresLeftBound: s(0.985, 0.98, 0.99, 2),
        staticSlices: {
          trials: trials.map((t) => ({ ...t, wallSeconds: 10.1, efficiency: 0.99, efficiencyWithoutStartup: 1, invalid: null })),
          validTrials: trials.length, efficiency: s(0.99, 0.985, 0.995, trials.length), startupSeconds: s(0.2), tailSeconds: s(0.03), queueOverStatic: s(0.985, 0.98, 0.99, 2),
          efficiencyAtTrialSpeed: s(0.99, 0.985, 0.995, 3),
        },
      };
      return r;
    };
    const good = withCpu([trial(0.975, null), trial(0.97, null), trial(0.9, "the single-thread baseline changed by 7.0% across the trial")]);
    const t = evaluateTargets(good).find((x) => x.id === "efficiency-cpu");
    assert.equal(t?.met, true);
    assert.match(t?.figure ?? "", /2 of 3 trials counted$/);
    const md = renderBenchMarkdown({ ...good, targets: evaluateTargets(good) });
    assert.match(md, /It took 20\.1 \(20–20\.2, n=4\) s CPU over the 4 runs\./);
    assert.match(md, /2 of 3 trials counted \(trials go on until 3 count, 6 at most\)\./);
    assert.match(md, /chooseChunkSize: 50000\. Sized to about 20 s of single-thread CPU: the calibration's 8,000,000 params took 32 s, so the sweep was resized to 5,000,000 from that run\./);
    assert.match(md, /on 2 compute threads at once in the bench process took 21 s CPU \(\+5% beside the first baseline, 10\.6 s wall\)/);
    assert.match(md, /\| 3 \| queue \| 10 \| 11\.1 \| 0\.9 \| 0\.93 \| \+1% \| \+1% \| 0\.909 \| no: the single-thread baseline changed by 7\.0% across the trial \|/);
    assert.match(md, /\| 3 \| static slices \| 10 \| 10\.1 \| 0\.99 \| 1 \| \+1% \| \+1% \| 0\.909 \| yes \|/);
    assert.match(md, /took cores enough meanwhile to leave the workers at most 0\.985 \(0\.98–0\.99, n=2\) of the ideal's 2 cores: no run could pass that/);
    assert.match(md, /At the trial's own speed .*: 0\.982 \(0\.98–0\.985, n=2\) over the counted trials\. A diagnostic; the target reads the efficiency column\./);
    assert.match(md, /Static slices: .* Efficiency 0\.99 \(0\.985–0\.995, n=3\) \(3 of 3 counted; at their own speed 0\.99 \(0\.985–0\.995, n=3\)\), start-up 0\.2 .* The queue runs got 0\.985 \(0\.98–0\.99, n=2\) of the static runs' efficiency/);
    const short = withCpu([trial(0.95, null), trial(0.95, null)]);
    short.efficiency.cpuBound = { ...short.efficiency.cpuBound, efficiency: s(0.95) } as typeof short.efficiency.cpuBound;
    const missed = evaluateTargets(short).find((x) => x.id === "efficiency-cpu");
    assert.equal(missed?.met, false);
    assert.match(missed?.reason ?? "", /everything else \(broker, other people's processes\) 0\.02, which left the workers at most 0\.985 \(0\.980-0\.990\) of the ideal's cores, the ceiling before any start-up/);
    assert.match(missed?.reason ?? "", /the same workers with no broker \(static slices\) got 0\.990 \(0\.985-0\.995\), the queue runs 0\.985 of that; at the trials' own speed \(from the workers' compute threads' CPU\) 0\.982 \(0\.980-0\.985\);/);
    const none = withCpu([trial(1.05, "the workers' compute threads spent -28.0% CPU beside the baselines' for the same evaluations")]);
    const bad = evaluateTargets(none).find((x) => x.id === "efficiency-cpu");
    assert.equal(bad?.met, false);
    assert.match(bad?.reason ?? "", /^not a valid figure: the CPU an evaluation costs was not the same around and during any trial \(the workers' compute threads spent -28\.0% CPU/);
  });

  test("--compute-cmd must reach a quarter of the module path at every chunk size measured", () => {
    const t = byId("compute-cmd");
    assert.equal(t?.met, false, "chunk 1 is at 0.2x");
    assert.equal(t?.figure, "chunk 1: 0.20x (1000 vs 5000 chunks/s); chunk 10: 0.65x (2868 vs 4418 chunks/s)");
    assert.match(t?.reason ?? "", /at chunk 1 each parameter crosses two pipes/);
  });
});

describe("renderBenchMarkdown", () => {
  const report: BenchReport = { ...fixture(), targets: [] };
  report.targets = evaluateTargets(report);
  const md = renderBenchMarkdown(report);

  test("is pure: the same JSON renders the same text", () => {
    assert.equal(renderBenchMarkdown(structuredClone(report)), md);
  });

  test("states machine, versions and conditions", () => {
    for (const text of ["Test CPU, 2 cores", "8 GiB", "v20.0.0 / 2.0.0", "7.0.15 / not reachable", "2.5 at the start", "Other load was present.", "commit abc1234 with uncommitted changes in worker/queue-mode.ts", "| Node's start (CPU) | 42 (40–51, n=7) ms to a bare script's first line, then 30 (28–33, n=7) ms for a worker thread to start (7 processes, one after another) |"]) {
      assert.ok(md.includes(text), text);
    }
  });

  test("figures are medians with their spread, matching the JSON", () => {
    assert.equal(spread(s(0.966, 0.952, 0.977)), "0.966 (0.952–0.977, n=3)");
    assert.ok(md.includes("| 2 | 2,000 (1,800–2,200, n=3) |"));
    assert.ok(md.includes("0.966 (0.952–0.977, n=3)"));
    assert.ok(md.includes("**120,000/s**"));
    assert.ok(md.includes("| Redis | 12,800 params of 25 ms, chunk 10, 64 workers, 2 starting at a time | 5 s | 0.93 (0.91–0.95, n=3) | 0.6 (0.6–0.6, n=3) |"));
    assert.ok(md.includes("| 0.4 (0.4–0.4, n=3) | 0.12 (0.1–0.15, n=3) | 1.2"), "the fleet's workers gone after the last result, beside the cores");
  });

  test("shows the idle fleet's 1,000-worker line, its two parts, and the largest size's figure beside it", () => {
    assert.ok(md.includes("| Redis | 1000 (projected, line) | 517 |  | 6.77 % (6-7.5) |  | 740 |  |"), md);
    assert.ok(md.includes("| Redis | 1000 (projected, 64 workers' per-worker figure) | 773 |  | 10.1 % |"));
    assert.ok(md.includes("The line: 17.7 commands/s and 0.44 % of a core for the run, plus 0.5 commands/s and 0.0063 % per worker."));
  });

  test("shows how soon the largest idle fleet heard of the run's end", () => {
    assert.ok(md.includes("| Redis | 64 | 0.31 s | 0.62 s | 0.74 s | 0 |"));
  });

  test("every target is listed with met / missed / not measured", () => {
    for (const t of report.targets) assert.ok(md.includes(t.target), t.target);
    assert.match(md, /\| Redis: zero-work chunks\/s >= 0\.5x the raw broker limit \| .* \| \*\*missed\*\* \|/);
    assert.match(md, /\| RabbitMQ: zero-work .* \| not measured \| not measured \| the RabbitMQ backend is not usable/);
  });

  test("shows the sweep-scale run and both compute paths with their ratio", () => {
    assert.ok(md.includes("| Redis | 250 x 200 x 200 = 10,000,000 | chunk 10,000 / 2 workers | pass, 1,000 chunks, 10,000,000 params | 4.9 s (2,040,000 params/s) | 160 MiB |"));
    assert.ok(md.includes("| 10 | 30,000 | 4,418 (4,418–4,418, n=3) | 44,180 (44,180–44,180, n=3) | 2,868 (2,700–2,900, n=3) | 28,680 (28,680–28,680, n=3) | 0.649x |"), md);
  });

  test("says plainly where RabbitMQ figures are missing", () => {
    assert.ok(md.includes("RabbitMQ figures were not measured: the RabbitMQ backend is not usable"));
    assert.ok(md.includes("not measured: the RabbitMQ backend is not usable"));
  });
});
