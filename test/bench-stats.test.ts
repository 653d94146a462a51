// The bench's pure helpers: medians and spreads, and the parsers of broker and /proc figures.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRabbitmqStatusMemory, parseRedisMemory } from "../bench/lib/brokers.ts";
import { nodeStartCpu, parseRedisVersion } from "../bench/lib/machine-info.ts";
import { parseProcStatus } from "../bench/lib/proc-memory.ts";
import { busiestThreadSeconds, parsePidStat, parseProcStat, threadJiffies } from "../bench/lib/cpu-accounting.ts";
import { rankPoints } from "../bench/lib/chunk-size.ts";
import { attributeCost } from "../bench/lib/overhead.ts";
import { anotherCpuTrial, coresLeftBound, granularityBound, judgeCpuTrial, SPEED_TOLERANCE } from "../bench/lib/efficiency.ts";
import { fleetWindow } from "../bench/lib/fleet-efficiency.ts";
import { resultStamp } from "../bench/lib/run-bench.ts";
import { median, quantile, sig, summarize } from "../bench/lib/stats.ts";

describe("stats", () => {
  test("median of odd and even counts, order ignored", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test("summarize gives median, min, max and quartiles; non-finite samples are dropped", () => {
    assert.deepEqual(summarize([5, 1, 4, 2, 3, Number.NaN]), { n: 5, median: 3, min: 1, max: 5, p25: 2, p75: 4 });
    assert.deepEqual(summarize([7]), { n: 1, median: 7, min: 7, max: 7, p25: 7, p75: 7 });
  });

  test("no samples is an error, not a zero", () => {
    assert.throws(() => summarize([]), /no finite samples/);
    assert.throws(() => quantile([], 0.5), /no samples/);
  });

  test("sig keeps significant digits", () => {
    assert.equal(sig(1234.5678, 3), 1230);
    assert.equal(sig(0.0123456, 2), 0.012);
  });
});

describe("parsers", () => {
  test("Redis INFO memory and server", () => {
    assert.deepEqual(parseRedisMemory("# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nused_memory_peak:2097152\r\n"), { used: 1048576, peak: 2097152 });
    assert.equal(parseRedisVersion("# Server\r\nredis_version:7.0.15\r\n"), "7.0.15");
  });

  test("rabbitmqctl status JSON", () => {
    assert.deepEqual(parseRabbitmqStatusMemory(JSON.stringify({ memory: { total: { erlang: 120, rss: 150 } } })), { total: 120, rss: 150 });
    assert.deepEqual(parseRabbitmqStatusMemory(JSON.stringify({ memory: { total: 99 } })), { total: 99, rss: null });
    assert.deepEqual(parseRabbitmqStatusMemory("not json"), { total: null, rss: null });
  });

  test("/proc/<pid>/status peak RSS", () => {
    assert.deepEqual(parseProcStatus("Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"), { peakRss: 204800 * 1024, rss: 102400 * 1024 });
  });

  test("/proc/stat and /proc/<pid>/stat CPU time", () => {
    assert.deepEqual(parseProcStat("cpu  100 5 50 800 20 3 2 1 0 0\ncpu0 1 2 3\n"), { busy: 161, total: 981 });
    assert.equal(parseProcStat("intr 1 2"), null);
    // A command name with spaces and a parenthesis must not shift the fields.
    assert.equal(parsePidStat("42 (node (x) y) S 1 42 42 0 -1 4194304 125 0 0 0 70 30 0 0 20 0 1 0"), 100);
  });

  test("the busiest thread is the one that gained the most, threads born meanwhile counted from zero", () => {
    const hz = 100 / busiestThreadSeconds(new Map(), new Map([[1, 100]])); // 100 jiffies in seconds, whatever CLK_TCK is
    assert.equal(busiestThreadSeconds(new Map([[1, 500], [2, 10]]), new Map([[1, 550], [2, 200], [3, 120]])) * hz, 190);
    assert.equal(busiestThreadSeconds(new Map([[1, 5]]), new Map()), 0);
  });

  test("this process's threads are read from /proc (Linux)", { skip: process.platform !== "linux" }, () => {
    const threads = threadJiffies("self");
    assert.ok(threads.has(process.pid), "the main thread's id is the pid");
    assert.equal(threadJiffies(2 ** 22 + 1).size, 0); // beyond pid_max: no such process
  });

  test("result file stamp is UTC YYYY-MM-DD-HHMMSS", () => {
    assert.equal(resultStamp(new Date("2026-01-02T03:04:05Z")), "2026-01-02-030405");
  });
});

describe("figures", () => {
  const s = (median: number) => ({ n: 1, median, min: median, max: median, p25: median, p75: median });

  test("rankPoints finds the best and the smallest swept size within 5% of it", () => {
    const r = rankPoints([
      { chunkSize: 10, chunks: 100, adaptive: false, paramsPerSecond: s(100) },
      { chunkSize: 100, chunks: 10, adaptive: false, paramsPerSecond: s(960) },
      { chunkSize: 300, chunks: 4, adaptive: true, paramsPerSecond: s(990) },
      { chunkSize: 1000, chunks: 1, adaptive: false, paramsPerSecond: s(1000) },
    ]);
    assert.equal(r.best, 1000);
    assert.equal(r.knee, 100);
    assert.deepEqual(r.points.map((p) => p.relativeToBest), [0.1, 0.96, 0.99, 1]);
  });

  test("granularityBound: 100 chunks on 3 workers take 34 rounds", () => {
    assert.equal(granularityBound(10_000, 100, 3), 10_000 / 3 / (34 * 100));
    assert.equal(granularityBound(1000, 100, 2), 1);
    assert.equal(granularityBound(1050, 100, 2), 1050 / 2 / 600); // 11 chunks: 6 rounds
  });

  describe("judgeCpuTrial", () => {
    const base = (cpuSeconds: number, computeThreadSeconds = cpuSeconds * 0.98) => ({ params: 1000, cpuSeconds, wallSeconds: cpuSeconds, computeThreadSeconds });
    const trial = (wallSeconds: number, workerComputeThreadSeconds: number | null) => ({ wallSeconds, steadySeconds: wallSeconds - 0.5, workerComputeThreadSeconds });

    test("the ideal is the mean of the baselines around the trial over the cores used", () => {
      const t = judgeCpuTrial(base(20), base(20.8), trial(11, 19.992), 2);
      assert.equal(t.idealSeconds, 10.2);
      assert.equal(t.efficiency, 10.2 / 11);
      assert.equal(t.efficiencyWithoutStartup, 10.2 / 10.5);
      assert.ok(Math.abs(t.baselineChange - 0.04) < 1e-12);
      assert.ok(Math.abs(t.workDrift!) < 1e-12, "the workers' threads spent the baselines' mean compute-thread CPU (19.6 and 20.384 s)");
      assert.equal(t.invalid, null);
    });

    test("at the trial's own speed: a trial on a machine 3% faster than its baselines is not flattered", () => {
      const t = judgeCpuTrial(base(20), base(20), trial(10, 19.6 * 0.97), 2);
      assert.equal(t.efficiency, 1);
      assert.ok(Math.abs(t.atTrialSpeed! - 0.97) < 1e-12);
      assert.equal(t.invalid, null, "within the tolerance the trial counts");
      assert.equal(judgeCpuTrial(base(20), base(20), trial(10, null), 2).atTrialSpeed, null, "not measured without the workers' threads");
    });

    test("baselines that moved more than the tolerance across the trial void it", () => {
      const t = judgeCpuTrial(base(20), base(20 * (1 + SPEED_TOLERANCE) + 0.1), trial(11, 20), 2);
      assert.match(t.invalid ?? "", /baseline changed by 5\.\d%/);
    });

    test("workers spending more CPU than the baselines for the same evaluations void it", () => {
      // The run of 3.97 µs baselines beside 2.85 µs runs: a trial above 1 that says nothing of TTG.
      const t = judgeCpuTrial(base(20.33, 20), base(20.33, 20), trial(9.67, 14.4), 2);
      assert.ok(t.efficiency > 1);
      assert.match(t.invalid ?? "", /compute threads spent -28\.0% CPU/);
    });

    test("without the workers' thread CPU only the baselines judge", () => {
      const t = judgeCpuTrial(base(20), base(20.2), trial(10.5, null), 2);
      assert.equal(t.workDrift, null);
      assert.equal(t.invalid, null);
    });
  });

  test("CPU-bound trials go on until the wanted number count, up to the most allowed", () => {
    const rule = { wanted: 3, max: 6 };
    assert.equal(anotherCpuTrial(0, 0, rule), true);
    assert.equal(anotherCpuTrial(3, 3, rule), false, "three run, three counted");
    assert.equal(anotherCpuTrial(3, 1, rule), true, "two of three voided: more run");
    assert.equal(anotherCpuTrial(5, 2, rule), true);
    assert.equal(anotherCpuTrial(6, 2, rule), false, "never past the most allowed");
    assert.equal(anotherCpuTrial(2, 2, { wanted: 3, max: 1 }), true, "a maximum below the wanted number still runs the wanted number");
    assert.equal(anotherCpuTrial(3, 0, { wanted: 3, max: 1 }), false);
  });

  test("nodeStartCpu: real Node processes report what their start and a worker thread's cost", async () => {
    const n = await nodeStartCpu(3);
    assert.ok(n, "measured");
    assert.equal(n.runs, 3);
    assert.equal(n.processCpuMs.n, 3);
    assert.equal(n.workerThreadCpuMs.n, 3);
    assert.ok(n.processCpuMs.min > 0 && n.processCpuMs.max < 10_000, `process start ${JSON.stringify(n.processCpuMs)}`);
    assert.ok(n.workerThreadCpuMs.min > 0 && n.workerThreadCpuMs.max < 10_000, `thread start ${JSON.stringify(n.workerThreadCpuMs)}`);
  });

  test("coresLeftBound: the ideal's cores less what the bench and everything else took", () => {
    assert.equal(coresLeftBound({ coordinatorCores: 0.03, otherCores: 0.05 }, 2, 2), 0.96);
    assert.equal(coresLeftBound({ coordinatorCores: 0, otherCores: 0 }, 2, 2), 1);
    assert.equal(coresLeftBound({ coordinatorCores: 0.2, otherCores: 0.5 }, 4, 2), 1, "fewer workers than cores: the others' load fits on the spare cores");
    assert.equal(coresLeftBound({ coordinatorCores: 0.5, otherCores: 1 }, 3, 2), 0.75);
    assert.equal(coresLeftBound({ coordinatorCores: 1, otherCores: 2 }, 2, 2), 0, "never below nothing");
  });

  test("fleetWindow: each worker counts from its own first chunk to the last result", () => {
    // 2 workers, 10 params x 10 ms a chunk (100 ms). w0 is up at 0 and works without a gap; w1 comes up at 150.
    const spans = [
      { worker: "w0", params: 10, takenAt: 0, finishedAt: 100 },
      { worker: "w0", params: 10, takenAt: 100, finishedAt: 200 }, // half of it after 150
      { worker: "w1", params: 10, takenAt: 150, finishedAt: 250 },
      { worker: "w0", params: 10, takenAt: 200, finishedAt: 300 },
      { worker: "w1", params: 10, takenAt: 260, finishedAt: 360 }, // 10 ms idle before it
    ];
    const w = fleetWindow(spans, 10);
    assert.deepEqual([w.workersSeen, w.firstUpAt, w.allUpAt, w.endAt], [2, 0, 150, 360]);
    assert.equal(w.workInWindowMs, 50 + 100 + 100 + 100);
    assert.equal(w.upMs, 360 + 210);
    assert.equal(w.efficiency, 500 / 570); // w0 idle 60 ms at the end, w1 10 ms in the middle
  });

  test("fleetWindow: no figure when no worker was up before the end", () => {
    const w = fleetWindow([{ worker: "a", params: 1, takenAt: 5, finishedAt: 5 }], 10);
    assert.equal(w.efficiency, null);
    assert.equal(w.workInWindowMs, 0);
  });

  test("attributeCost splits one worker's time per chunk", () => {
    // 500/s end to end = 2 ms; broker loop 1000/s = 1 ms; hop 100 µs; 800/s without logs = 1.25 ms.
    assert.deepEqual(attributeCost(500, 1000, 100, 800), { total: 2, broker: 1, computeHop: 0.1, logLines: 0.75, rest: 0.15 });
  });
});
