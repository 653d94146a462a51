// Local workers start a few at a time: a start storm on a small machine no longer starves the
// workers already up. The gate alone, then the local platform with real child processes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FleetStart } from "../lib/platforms/fleet-start.ts";
import { LocalPlatform } from "../lib/platforms/local-platform.ts";
import { StartGate } from "../lib/platforms/start-gate.ts";
import { within } from "./helpers/wait-for.ts";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test("the gate lets `limit` in, and the next one only when one leaves", async () => {
  const gate = new StartGate(2, 60_000);
  const a = (await gate.enter())!;
  const b = (await gate.enter())!;
  let thirdIn = false;
  const third = gate.enter().then((leave) => {
    thirdIn = true;
    return leave;
  });
  await tick();
  assert.equal(thirdIn, false);
  assert.equal(gate.starting, 2);
  a();
  a(); // leaving twice frees one place only
  await third;
  assert.equal(thirdIn, true);
  assert.equal(gate.starting, 2);
  b();
  (await third)!();
  assert.equal(gate.starting, 0);
});

test("a holder that never leaves gives up its place after the hold limit", async () => {
  const gate = new StartGate(1, 50);
  await gate.enter();
  let secondIn = false;
  const second = gate.enter().then(() => (secondIn = true));
  // Measured on the timers' own clock (libuv's loop time, which a busy machine lets lag behind
  // performance.now()): a 40 ms timer set after the gate's 50 ms one comes first while the place is held.
  await sleep(40);
  assert.equal(secondIn, false, "the place is still held 40 ms in");
  await second;
  assert.equal(secondIn, true, "and is given up once the hold limit passes");
});

test("Infinity or a nonsense limit lets everyone in", async () => {
  for (const limit of [Number.POSITIVE_INFINITY, 0, Number.NaN]) {
    const gate = new StartGate(limit);
    const leaves: (() => void)[] = [];
    for (let i = 0; i < 50; i++) leaves.push((await gate.enter())!);
    assert.equal(gate.starting, 50);
    for (const leave of leaves) leave();
  }
});

// A stand-in worker: says RUNNING (as the logger writes it) after STARTUP_MS, then stays a while;
// worker "bad" exits at once without a word.
const FAKE_WORKER = `
const id = process.env.WORKER_ID;
if (id === "bad") process.exit(3);
setTimeout(() => console.log(JSON.stringify({ ts: new Date().toISOString(), level: "INFO", worker: id, event: "RUNNING", msg: "queue mode" })), Number(process.env.STARTUP_MS));
setTimeout(() => {}, 1500);
`;

/** A local platform whose workers are the stand-in above, at most `startConcurrency` starting at once; removed after the test. */
function fakeWorkerPlatform(t: TestContext, startConcurrency: number): LocalPlatform {
  const dir = mkdtempSync(join(tmpdir(), "ttg-start-gate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "fake-worker.mjs");
  writeFileSync(script, FAKE_WORKER);
  const platform = new LocalPlatform({ command: { command: process.execPath, args: [script] }, baseEnv: { PATH: process.env.PATH }, startConcurrency });
  t.after(() => platform.stopAll(1000));
  return platform;
}

test("the local platform has at most startConcurrency workers starting at once; an exit frees a place", async (t) => {
  const platform = fakeWorkerPlatform(t, 2);
  const runningAt = new Map<string, number>();
  platform.onLine((id, line) => {
    if (line.includes('"RUNNING"')) runningAt.set(id, Date.now());
  });
  const ids = ["bad", "1", "2", "3", "4", "5"];
  const t0 = Date.now();
  for (const id of ids) await platform.startWorker({ id, env: { STARTUP_MS: "300" } });
  const spawnedAt = new Map(platform.workers().map((w) => [w.id, w.startedAt.getTime()]));
  await within(Promise.all(ids.map((id) => platform.waitForExit(id))), 30_000, "the stand-in workers to exit");
  assert.equal(runningAt.size, 5, "every good worker said RUNNING");
  // At each spawn, count the workers spawned before it and not yet RUNNING (the bad one exits at once).
  for (const id of ids) {
    const at = spawnedAt.get(id)!;
    const starting = ids.filter((o) => o !== id && o !== "bad" && spawnedAt.get(o)! <= at && (runningAt.get(o) ?? Infinity) > at);
    assert.ok(starting.length <= 1, `worker ${id} spawned while ${starting.join(", ")} were starting`);
  }
  // Five good workers of 300 ms, two at a time: three waves, so the last spawn waits at least two.
  assert.ok(spawnedAt.get("5")! - t0 >= 550, `the last worker spawned ${spawnedAt.get("5")! - t0} ms after the first`);
});

test("cancelWaiting: the starts waiting get no place, the holders keep theirs, and later starts wait as usual", async () => {
  const gate = new StartGate(1, 60_000);
  const held = (await gate.enter())!;
  const waiting = [gate.enter(), gate.enter()];
  await tick();
  assert.equal(gate.cancelWaiting(), 2);
  assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
  assert.equal(gate.starting, 1, "the holder keeps its place");
  let laterIn = false;
  const later = gate.enter().then((leave) => {
    laterIn = true;
    return leave;
  });
  await tick();
  assert.equal(laterIn, false, "a start asked for after the cancel waits for a place");
  held();
  (await later)!();
  assert.equal(gate.starting, 0);
});

test("the local platform: a start dropped by cancelPendingStarts, or waiting when stopAll begins, spawns nothing", async (t) => {
  const platform = fakeWorkerPlatform(t, 1);
  // Worker 1 stays "starting" for 10 s: the others wait for its place.
  assert.equal(await platform.startWorker({ id: "1", env: { STARTUP_MS: "10000" } }), true);
  const second = platform.startWorker({ id: "2", env: { STARTUP_MS: "0" } });
  await sleep(50);
  platform.cancelPendingStarts();
  assert.equal(await within(second, 5_000, "the dropped start to return"), false);
  const third = platform.startWorker({ id: "3", env: { STARTUP_MS: "0" } });
  await sleep(50);
  await within(platform.stopAll(1000), 10_000, "stopAll");
  assert.equal(await within(third, 5_000, "the start waiting at stopAll to return"), false);
  await sleep(200);
  assert.deepEqual(platform.workers().map((w) => [w.id, w.status]), [["1", "exited"]], "only worker 1 was ever spawned");
});

/** A platform that records starts and fails the one named `failOn` (no processes: FleetStart's own logic). */
function recordingPlatform(failOn?: string) {
  const started: string[] = [];
  let cancels = 0;
  const platform = {
    name: "local" as const,
    async startWorker(spec: { id: string }) {
      await tick();
      if (spec.id === failOn) throw new Error(`Cannot start worker ${spec.id}: its bundle is gone`);
      started.push(spec.id);
      return true;
    },
    cancelPendingStarts: () => void cancels++,
    workers: () => [],
    kill: async () => {},
    stopAll: async () => {},
    onExit: () => {},
    onLine: () => {},
  };
  return { platform, started, cancels: () => cancels };
}

test("a fleet start asks enough() before each start, keeps the first failure and starts nothing after it", async () => {
  let settled = false;
  const a = recordingPlatform();
  const envs: string[] = [];
  const fleet = new FleetStart(a.platform, ["1", "2", "3", "4"], (id) => (envs.push(id), { WORKER_ID: id }), () => settled);
  while (a.started.length < 2) await tick();
  settled = true;
  await fleet.done;
  assert.deepEqual(fleet.started, a.started);
  assert.ok(fleet.started.length >= 2 && fleet.started.length < 4, `started ${fleet.started.join(",")}`);
  assert.deepEqual(envs, fleet.started, "a worker's environment is made when its turn comes");
  assert.equal(fleet.finished, true);

  const b = recordingPlatform("2");
  const failing = new FleetStart(b.platform, ["1", "2", "3"], (id) => ({ WORKER_ID: id }));
  await failing.done;
  assert.deepEqual(failing.started, ["1"]);
  assert.match(failing.error?.message ?? "", /Cannot start worker 2: its bundle is gone/);

  const c = recordingPlatform();
  const stopped = new FleetStart(c.platform, ["1", "2", "3"], (id) => ({ WORKER_ID: id }));
  await stopped.stop();
  assert.ok(c.started.length <= 1, "stop() ends the starting");
  assert.ok(c.cancels() >= 1, "and drops a start waiting for its turn");
});
