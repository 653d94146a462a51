// The idle-cost phase's arithmetic and the broker counters' parsers, on fixed inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { infoField, procCpuTicks, sumCounts } from "../bench/lib/broker-counters.ts";
import { project, rates } from "../bench/lib/idle-cost.ts";
import { keyOwner, redisKeys } from "../lib/backends/redis/redis-keys.ts";

test("broker counters: Redis INFO fields, /proc stat CPU ticks, rabbitmqctl's one-column counts", () => {
  const info = "# Stats\r\ntotal_commands_processed:12345\r\n# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\n";
  assert.equal(infoField(info, "total_commands_processed"), 12345);
  assert.equal(infoField(info, "used_cpu_sys") + infoField(info, "used_cpu_user"), 3.75);
  assert.throws(() => infoField(info, "missing_field"), /Cannot read missing_field/);
  // A command with spaces and parentheses in its name: fields are counted after the last ")".
  const stat = "4242 (beam.smp (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 100 0 0";
  assert.equal(procCpuTicks(stat), 325);
  assert.equal(sumCounts("recv_cnt\n12\n30\n\n"), 42);
});

test("idle cost: rates over a window, per-worker figures projected linearly from the largest size", () => {
  const w = rates({ commands: 100, cpuSeconds: 1, at: 0 }, { commands: 1100, cpuSeconds: 1.5, at: 10_000 });
  assert.deepEqual(w, { commandsPerSecond: 100, brokerCores: 0.05 });
  const baseline = { commandsPerSecond: 2, brokerCores: 0.001 };
  const points = [
    { workers: 8, commandsPerSecond: 20, brokerCores: 0.005, perWorkerCommandsPerSecond: 2.25, perWorkerCores: 0.0005 },
    { workers: 64, commandsPerSecond: 50, brokerCores: 0.009, perWorkerCommandsPerSecond: 0.75, perWorkerCores: 0.000125 },
  ];
  assert.deepEqual(project(baseline, points, 1000), { workers: 1000, commandsPerSecond: 752, brokerCorePercent: 12.6 });
});

test("the run's reclaimer lease key is one of the run's keys", () => {
  const keys = redisKeys("ttg", "run-1");
  assert.equal(keys.reclaimer, "ttg:run:run-1:reclaimer");
  assert.deepEqual(keyOwner(keys.reclaimer, "ttg"), { kind: "run", runId: "run-1" });
});
