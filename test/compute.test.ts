import assert from "node:assert/strict";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { ComputeEngine } from "../lib/compute/compute-engine.ts";
import { ExactSum } from "../lib/compute/exact-sum.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import { batches, staticSlice } from "../lib/sweep/static-slice.ts";
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
  assert.ok(outcome.ok);
  assert.equal(outcome.aggregate.count, 1000);
  assert.deepEqual(outcome.values?.slice(0, 3), [13, 20.01, 27.02]);

  const slow = new ComputeEngine({ module: undefined, simulateWorkMs: 50 });
  t.after(() => slow.close());
  const progress: number[] = [];
  const running = slow.run(0, 1000, { onProgress: (n) => progress.push(n) });
  const rejected = assert.rejects(running, /aborted/);
  await waitFor(() => progress.length > 0, "the first progress report", 15_000, 20);
  await slow.abort();
  await rejected;
});

test("a compute module that throws fails the range with the parameter named", async (t) => {
  process.env.THROW_ON = "7";
  const engine = new ComputeEngine({ module: "test/fixtures/throwing-compute.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  // The fixture's value is the parameter itself: 0..4 are computed, 7 is not among them.
  const expected = new AggregateBuilder();
  for (let p = 0; p < 5; p++) expected.add(p);
  assert.deepEqual(await engine.run(0, 5), { ok: true, aggregate: expected.build() });
  const outcome = await engine.run(0, 10);
  assert.deepEqual(outcome, { ok: false, error: "cannot evaluate parameter 7", paramId: 7 });
});

test("a compute module that cannot be loaded is reported, not crashed on", async (t) => {
  const engine = new ComputeEngine({ module: "test/fixtures/does-not-exist.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  await assert.rejects(engine.start(), /Cannot load COMPUTE_MODULE test\/fixtures\/does-not-exist.ts/);
});

test("a batch of ranges crosses to the compute thread and back whole: a failed range in the middle loses no other range's values", async (t) => {
  process.env.THROW_ON = "7";
  const engine = new ComputeEngine({ module: "test/fixtures/throwing-compute.ts", simulateWorkMs: 0 });
  t.after(() => engine.close());
  const ranges = [{ start: 0, end: 4 }, { start: 4, end: 9 }, { start: 9, end: 9 }, { start: 9, end: 12 }];
  const [first, failed, empty, last] = await engine.runMany(ranges, { collectValues: true });
  const alone = await engine.run(9, 12, { collectValues: true });
  assert.deepEqual(last, alone);
  assert.ok(first?.ok && last?.ok && empty?.ok);
  assert.equal(first.values?.length, 4);
  assert.equal(first.aggregate.count, 4);
  assert.deepEqual(failed, { ok: false, error: "cannot evaluate parameter 7", paramId: 7 });
  assert.deepEqual(empty, { ok: true, aggregate: { count: 0, sum: 0, sumPartials: [], min: null, max: null }, values: [] });
  assert.equal(last.values?.length, 3);
  assert.equal(last.aggregate.sum, last.values?.reduce((a, b) => a + b, 0));
});
