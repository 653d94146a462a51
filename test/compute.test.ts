import assert from "node:assert/strict";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { ComputeEngine } from "../lib/compute/compute-engine.ts";
import { ComputeSandbox } from "../lib/compute/compute-sandbox.ts";
import { ExactSum } from "../lib/compute/exact-sum.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import { batches, staticSlice } from "../lib/sweep/static-slice.ts";
import { setEnv } from "./helpers/test-env.ts";
import { waitFor } from "./helpers/wait-for.ts";

test("exact sums do not depend on order or on how the values were cut into chunks", () => {
  const values = Array.from({ length: 5000 }, (_, i) => simulatedValue(i) * 1e-3 + 1e10 * (i % 3 === 0 ? 1 : -1));
  const whole = new ExactSum();
  for (const v of values) whole.add(v);
  const merged = new AggregateBuilder();
  for (let start = 0; start < values.length; start += 37) {
    const part = new AggregateBuilder();
    for (const v of values.slice(start, start + 37).reverse()) part.add(v);
    merged.merge(part.build());
  }
  assert.equal(merged.build().sum, whole.value());
});

test("static slices tile [0, total) exactly, as the original's 3333/3333/3334", () => {
  for (const [workers, total] of [[3, 10000], [7, 10], [5, 3], [1, 1], [64, 1_000_003]] as const) {
    let next = 0;
    for (let i = 0; i < workers; i++) {
      const s = staticSlice(i, workers, total);
      assert.equal(s.start, next);
      next = s.end;
    }
    assert.equal(next, total);
  }
  assert.deepEqual([0, 1, 2].map((i) => staticSlice(i, 3, 10000).end - staticSlice(i, 3, 10000).start), [3333, 3333, 3334]);
  assert.deepEqual([...batches({ start: 5, end: 17 }, 5)], [{ start: 5, end: 10 }, { start: 10, end: 15 }, { start: 15, end: 17 }]);
});

test("the compute thread evaluates a range, reports progress, and can be aborted mid-range", async (t) => {
  const engine = new ComputeEngine({ module: undefined, simulateWorkMs: 0 });
  t.after(() => engine.close());
  const outcome = await engine.run(0, 1000, { collectValues: true });
  assert.equal(outcome.aggregate.count, 1000);
  // The original's arithmetic: (p*7+13) % 1000 + float(f"0.{p%100}"), so p = 1 adds 0.1 and p = 2 adds 0.2.
  assert.deepEqual(outcome.values?.slice(0, 3), [13, 20.1, 27.2]);

  const slow = new ComputeEngine({ module: undefined, simulateWorkMs: 50 });
  t.after(() => slow.close());
  const progress: number[] = [];
  const running = slow.run(0, 1000, { onProgress: (n) => progress.push(n) });
  const rejected = assert.rejects(running, /aborted/);
  await waitFor(() => progress.length > 0, "the first progress report", 15_000, 20);
  await slow.abort();
  await rejected;
});

test("a synchronous compute of 40 ms reports progress after each evaluation, not a block of them later", async (t) => {
  setEnv(t, { BUSY_MS: "40" });
  const engine = new ComputeEngine({ module: "test/fixtures/busy-compute.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  const progress: number[] = [];
  const outcome = await engine.run(0, 12, { collectValues: true, onProgress: (n) => progress.push(n) });
  assert.equal(outcome.aggregate.count, 12);
  assert.deepEqual(outcome.values, Array.from({ length: 12 }, (_, p) => p % 7), "values in parameter order");
  // Progress is posted at most every 100 ms: with 40 ms evaluations that is every 3rd, not once at the end.
  const before = progress.filter((n) => n < 12);
  assert.ok(before.length >= 2, `progress during the range: ${progress.join(", ")}`);
  assert.ok(before.every((n, i) => i === 0 || n > before[i - 1]!), `progress only goes up: ${progress.join(", ")}`);
});

test("a parameter that throws is retried in place, then recorded as failed; the rest of the range keeps its values", async (t) => {
  setEnv(t, { THROW_ON: "7", FLAKY_ON: "3" });
  const engine = new ComputeEngine({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0, paramRetries: 2 });
  t.after(() => engine.close());
  const outcome = await engine.run(0, 10, { collectValues: true });
  assert.deepEqual(outcome.failed, [{ param: 7, cause: "error", error: "cannot evaluate parameter 7", attempts: 3 }]);
  assert.deepEqual(outcome.values, [0, 1, 2, 3, 4, 5, 6, 8, 9], "the flaky parameter 3 succeeded on its retry");
  assert.equal(outcome.aggregate.count, 9);
  assert.equal(outcome.aggregate.sum, 45 - 7);
});

test("a compute module that cannot be loaded is reported, not crashed on", async (t) => {
  const engine = new ComputeEngine({ module: "test/fixtures/does-not-exist.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  await assert.rejects(engine.start(), /Cannot load COMPUTE_MODULE test\/fixtures\/does-not-exist.ts/);
});

test("a batch of ranges crosses to the compute thread and back whole: a failed parameter in the middle loses no other value", async (t) => {
  setEnv(t, { THROW_ON: "7" });
  const engine = new ComputeEngine({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  const ranges = [{ start: 0, end: 4 }, { start: 4, end: 9 }, { start: 9, end: 9 }, { start: 9, end: 12 }];
  const [first, failed, empty, last] = await engine.runMany(ranges, { collectValues: true });
  const alone = await engine.run(9, 12, { collectValues: true });
  assert.deepEqual(last, alone);
  assert.equal(first?.values?.length, 4);
  assert.equal(first?.aggregate.count, 4);
  assert.deepEqual(failed?.failed, [{ param: 7, cause: "error", error: "cannot evaluate parameter 7", attempts: 1 }]);
  assert.deepEqual(failed?.values, [4, 5, 6, 8]);
  assert.deepEqual(empty, { aggregate: { count: 0, sum: 0, sumPartials: [], min: null, max: null }, values: [] });
  assert.equal(last?.values?.length, 3);
  assert.equal(last?.aggregate.sum, last?.values?.reduce((a, b) => a + b, 0));
});

test("PARAM_TIMEOUT: a parameter that never returns is stopped, named, and the range goes on in a new thread", async (t) => {
  setEnv(t, { HANG_ON: "5" });
  const engine = new ComputeEngine({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0, paramTimeoutMs: 500 });
  t.after(() => engine.close());
  const began = performance.now();
  const [a, b] = await engine.runMany([{ start: 0, end: 8 }, { start: 8, end: 10 }], { collectValues: true });
  assert.ok(performance.now() - began < 5000, "stopped near the limit");
  assert.deepEqual(a?.failed, [{ param: 5, cause: "timeout", error: "timed out after 0.5 s (PARAM_TIMEOUT_SECONDS)", attempts: 1 }]);
  assert.deepEqual(a?.values, [0, 1, 2, 3, 4, 6, 7]);
  assert.deepEqual(b?.values, [8, 9]);
  assert.deepEqual((await engine.run(20, 22)).aggregate.count, 2, "the new thread keeps working");
});

test("a parameter that ends the compute thread (process.exit) is recorded as a crash with its exit code", async (t) => {
  setEnv(t, { EXIT_ON: "2" });
  const engine = new ComputeEngine({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  const outcome = await engine.run(0, 5, { collectValues: true });
  assert.deepEqual(outcome.failed, [{ param: 2, cause: "crash", error: "ended the compute thread (exit code 3)", attempts: 1 }]);
  assert.deepEqual(outcome.values, [0, 1, 3, 4]);
});

test("the crash sandbox names the parameter that SIGKILLs its process and computes the rest of the ranges", async (t) => {
  setEnv(t, { KILL_ON: "4", THROW_ON: "11" });
  const sandbox = new ComputeSandbox({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0, paramRetries: 1 });
  t.after(() => sandbox.abort());
  const progress: number[] = [];
  const [a, b] = await sandbox.runMany([{ start: 0, end: 6 }, { start: 10, end: 13 }], { collectValues: true, onProgress: (n) => progress.push(n) });
  assert.deepEqual(a?.failed, [{ param: 4, cause: "crash", error: "its process was killed by SIGKILL", attempts: 1 }]);
  assert.deepEqual(a?.values, [0, 1, 2, 3, 5]);
  assert.deepEqual(b?.failed, [{ param: 11, cause: "error", error: "cannot evaluate parameter 11", attempts: 2 }]);
  assert.deepEqual(b?.values, [10, 12]);
  assert.equal(b?.aggregate.sum, 22);
  assert.equal(progress.at(-1), 9);
});

test("the crash sandbox stops a parameter past the time limit", async (t) => {
  setEnv(t, { HANG_ON: "1" });
  const sandbox = new ComputeSandbox({ module: "test/fixtures/faulty-compute.ts", simulateWorkMs: 0, paramTimeoutMs: 500 });
  t.after(() => sandbox.abort());
  const [a] = await sandbox.runMany([{ start: 0, end: 3 }]);
  assert.deepEqual(a?.failed?.map((f) => [f.param, f.cause]), [[1, "timeout"]]);
  assert.equal(a?.aggregate.sum, 2);
});
