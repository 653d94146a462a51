// The idle-cost phase's arithmetic and the broker counters' parsers, on fixed inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { infoField, procCpuTicks, receivedSegments } from "../bench/lib/broker-counters.ts";
import { checkAllThere, project, rates } from "../bench/lib/idle-cost.ts";
import { keyOwner, redisKeys } from "../lib/backends/redis/redis-keys.ts";

test("broker counters: Redis INFO fields, /proc stat CPU ticks, the broker's received data segments from ss", () => {
  const info = "# Stats\r\ntotal_commands_processed:12345\r\n# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\n";
  assert.equal(infoField(info, "total_commands_processed"), 12345);
  assert.equal(infoField(info, "used_cpu_sys") + infoField(info, "used_cpu_user"), 3.75);
  assert.throws(() => infoField(info, "missing_field"), /Cannot read missing_field/);
  // A command with spaces and parentheses in its name: fields are counted after the last ")".
  const stat = "4242 (beam.smp (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 100 0 0";
  assert.equal(procCpuTicks(stat), 325);
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

test("idle cost: rates over a window, per-worker figures projected linearly from the largest size", () => {
  const w = rates({ commands: 100, cpuSeconds: 1, connections: 66, at: 0 }, { commands: 1100, cpuSeconds: 1.5, connections: 65, at: 10_000 });
  assert.deepEqual(w, { commandsPerSecond: 100, brokerCores: 0.05, connections: 65 });
  const baseline = { commandsPerSecond: 2, brokerCores: 0.001, connections: 2 };
  const points = [
    { workers: 8, commandsPerSecond: 20, brokerCores: 0.005, connections: 10, perWorkerCommandsPerSecond: 2.25, perWorkerCores: 0.0005 },
    { workers: 64, commandsPerSecond: 50, brokerCores: 0.009, connections: 66, perWorkerCommandsPerSecond: 0.75, perWorkerCores: 0.000125 },
  ];
  assert.deepEqual(project(baseline, points, 1000), { workers: 1000, commandsPerSecond: 752, brokerCorePercent: 12.6 });
});

test("idle cost: a window counts only when every worker stayed and was connected throughout", () => {
  const baseline = { commandsPerSecond: 1, brokerCores: 0.003, connections: 2 };
  assert.doesNotThrow(() => checkAllThere(32, baseline, { commandsPerSecond: 9, brokerCores: 0.01, connections: 34 }, []));
  assert.throws(() => checkAllThere(32, baseline, { commandsPerSecond: 1, brokerCores: 0.003, connections: 10 }, []), /saw 8 of their connections/);
  assert.throws(() => checkAllThere(32, baseline, { commandsPerSecond: 9, brokerCores: 0.01, connections: 34 }, ["worker 3 exited (code 1)"]), /worker 3 exited/);
});

test("the run's reclaimer lease key is one of the run's keys", () => {
  const keys = redisKeys("ttg", "run-1");
  assert.equal(keys.reclaimer, "ttg:run:run-1:reclaimer");
  assert.deepEqual(keyOwner(keys.reclaimer, "ttg"), { kind: "run", runId: "run-1" });
});
