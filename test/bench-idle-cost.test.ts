// The idle-cost phase's arithmetic and the broker counters' parsers, on fixed inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { infoField, procCpuTicks, receivedSegments, voluntarySwitches } from "../bench/lib/broker-counters.ts";
import { checkAllThere, medianWindow, project, rates } from "../bench/lib/idle-cost.ts";
import { fitLine, sig } from "../bench/lib/stats.ts";
import { keyOwner, redisKeys } from "../lib/backends/redis/redis-keys.ts";

test("broker counters: Redis INFO fields, /proc stat CPU ticks, the broker's received data segments from ss", () => {
  const info = "# Stats\r\ntotal_commands_processed:12345\r\n# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\n";
  assert.equal(infoField(info, "total_commands_processed"), 12345);
  assert.equal(infoField(info, "used_cpu_sys") + infoField(info, "used_cpu_user"), 3.75);
  assert.throws(() => infoField(info, "missing_field"), /Cannot read missing_field/);
  // A command with spaces and parentheses in its name: fields are counted after the last ")".
  const stat = "4242 (beam.smp (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 100 0 0";
  assert.equal(procCpuTicks(stat), 325);
  const status = "Name:\t1_scheduler\nvoluntary_ctxt_switches:\t64165\nnonvoluntary_ctxt_switches:\t812\n";
  assert.equal(voluntarySwitches(status), 64165);
  const ss = [
    "Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
    "0      0          127.0.0.1:5672    127.0.0.1:45178",
    "\t bbr wscale:10,10 rto:212 segs_out:57 segs_in:75 data_segs_out:48 data_segs_in:62 send 521564275bps",
    "0      280        127.0.0.1:5672    127.0.0.1:44166",
    "\t cubic rto:220 segs_in:53 data_segs_in:33 lastrcv:4",
    "0      0          127.0.0.1:40000   127.0.0.1:5672",
    "\t cubic rto:220 segs_in:9 data_segs_in:1000",
    "0      0          127.0.0.1:5672    127.0.0.1:44180",
    "\t cubic rto:204 segs_in:1",
  ].join("\n");
  // The broker's ends only (not a client's socket to it); a socket with no data segment counts as a connection.
  assert.deepEqual(receivedSegments(ss, 5672), { sum: 95, rows: 3 });
});

test("idle cost: rates over a window, medians of windows, per-worker figures, projected on a line through the sizes or from the one size", () => {
  const w = rates({ commands: 100, cpuSeconds: 1, wakeups: 500, connections: 66, at: 0 }, { commands: 1100, cpuSeconds: 1.5, wakeups: 1300, connections: 65, at: 10_000 });
  assert.deepEqual(w, { commandsPerSecond: 100, brokerCores: 0.05, wakeupsPerSecond: 80, connections: 65 });
  const one = (brokerCores: number, connections: number) => ({ commandsPerSecond: 10 * brokerCores, brokerCores, wakeupsPerSecond: 1000 * brokerCores, connections });
  // The middle window's figures, the fewest connections of any, and the CPU's whole spread.
  assert.deepEqual(medianWindow([one(0.02, 66), one(0.01, 65), one(0.05, 66)]), {
    commandsPerSecond: 0.2, brokerCores: 0.02, wakeupsPerSecond: 20, connections: 65, windows: 3, brokerCoresMin: 0.01, brokerCoresMax: 0.05,
  });
  const baseline = { commandsPerSecond: 2, brokerCores: 0.001, wakeupsPerSecond: 30, connections: 2 };
  const spread = { windows: 3, brokerCoresMin: 0.005, brokerCoresMax: 0.009 };
  const largest = { workers: 64, commandsPerSecond: 50, brokerCores: 0.009, wakeupsPerSecond: 94, connections: 66, ...spread, perWorkerCommandsPerSecond: 0.75, perWorkerCores: 0.000125, perWorkerWakeupsPerSecond: 1 };
  // One size: its per-worker figures x 1000 plus the baseline. CPU: 0.1 % + 1000 x 0.0125 %; its
  // spread from the size's lowest (0.5 %) and highest (0.9 %) window.
  assert.deepEqual(project(baseline, [largest], 1000), {
    workers: 1000, commandsPerSecond: 752, brokerCorePercent: 12.6, brokerCorePercentMin: 6.35, brokerCorePercentMax: 12.6, wakeupsPerSecond: 1030, method: "largest",
  });
  // Three sizes on one line: 17 commands/s, 0.4 % of a core and 40 wake-ups/s for the run (its one
  // reclaimer), plus 0.5 commands/s, 0.005 % and 0.5 wake-ups/s per worker. The line gives the run's
  // cost once; the largest size's per-worker figure counts it once per worker.
  const point = (workers: number) => {
    const cores = 0.004 + 0.00005 * workers;
    const commandsPerSecond = 17 + 0.5 * workers;
    const wakeupsPerSecond = 40 + 0.5 * workers;
    return {
      workers, commandsPerSecond, brokerCores: cores, wakeupsPerSecond, connections: workers + 2, windows: 3, brokerCoresMin: cores - 0.0004, brokerCoresMax: cores + 0.001,
      perWorkerCommandsPerSecond: sig((commandsPerSecond - 2) / workers, 3), perWorkerCores: sig((cores - 0.001) / workers, 3), perWorkerWakeupsPerSecond: sig((wakeupsPerSecond - 30) / workers, 3),
    };
  };
  assert.deepEqual(project(baseline, [point(8), point(32), point(64)], 1000), {
    workers: 1000, commandsPerSecond: 517, brokerCorePercent: 5.4, brokerCorePercentMin: 5.36, brokerCorePercentMax: 5.5, wakeupsPerSecond: 540, method: "line",
    line: { fixedCommandsPerSecond: 17, perWorkerCommandsPerSecond: 0.5, fixedCorePercent: 0.4, perWorkerCorePercent: 0.005 },
    fromLargest: { commandsPerSecond: 736, brokerCorePercent: 9.79 },
  });
});

test("a least-squares line through points, and none through points at one x", () => {
  assert.deepEqual(fitLine([[0, 1], [2, 5], [4, 9]]), { intercept: 1, slope: 2 });
  const l = fitLine([[1, 1], [2, 3], [3, 2]]);
  assert.ok(Math.abs(l.slope - 0.5) < 1e-12 && Math.abs(l.intercept - 1) < 1e-12);
  assert.throws(() => fitLine([[3, 1], [3, 2]]), /two different x/);
});

test("idle cost: a window counts only when every worker stayed and was connected throughout", () => {
  const baseline = { commandsPerSecond: 1, brokerCores: 0.003, wakeupsPerSecond: 30, connections: 2 };
  const window = (connections: number) => ({ commandsPerSecond: 9, brokerCores: 0.01, wakeupsPerSecond: 60, connections });
  assert.doesNotThrow(() => checkAllThere(32, baseline, window(34), []));
  assert.throws(() => checkAllThere(32, baseline, window(10), []), /saw 8 of their connections/);
  assert.throws(() => checkAllThere(32, baseline, window(34), ["worker 3 exited (code 1)"]), /worker 3 exited/);
});

test("the run's reclaimer lease key is one of the run's keys", () => {
  const keys = redisKeys("ttg", "run-1");
  assert.equal(keys.reclaimer, "ttg:run:run-1:reclaimer");
  assert.deepEqual(keyOwner(keys.reclaimer, "ttg"), { kind: "run", runId: "run-1" });
});
