// A large fleet's idle workers probe less often each, so the fleet as a whole keeps about 32 probes
// a second; the user's IDLE_PROBE_SECONDS always wins.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fleetIdleProbeEnv, fleetIdleProbeSeconds } from "../lib/config/fleet-idle-probe.ts";
import { readWorkerConfig } from "../lib/config/worker-config.ts";

test("up to 64 workers keep the default 2 s; beyond, 2 s x workers / 64, at most 60 s", () => {
  assert.deepEqual([1, 3, 64, 65, 128, 256, 1000, 1920, 5000].map(fleetIdleProbeSeconds), [2, 2, 2, 2.03125, 4, 8, 31.25, 60, 60]);
  for (const workers of [128, 256, 1000]) assert.equal(workers / fleetIdleProbeSeconds(workers), 32, `${workers} workers probe 32 times a second in all`);
});

test("a run adds the pace to its workers' environment only above 64 workers and only when the user set none", () => {
  assert.deepEqual(fleetIdleProbeEnv(3, {}), {});
  assert.deepEqual(fleetIdleProbeEnv(64, {}), {});
  assert.deepEqual(fleetIdleProbeEnv(256, {}), { IDLE_PROBE_SECONDS: "8" });
  assert.deepEqual(fleetIdleProbeEnv(256, { IDLE_PROBE_SECONDS: "0.2" }), {}, "the user's value stays");
  // What a worker makes of it: the value is one its own validation accepts.
  const config = readWorkerConfig({ QUEUE_MODE: "true", TOTAL_PARAMETERS: "10", RUN_ID: "r-1", ...fleetIdleProbeEnv(256, {}) });
  assert.equal(config.idleProbeMs, 8000);
});
