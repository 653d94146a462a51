// chooseChunkSize is pure; calibrateEvalCost is driven with a fake range runner and clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { calibrateEvalCost, chooseChunkSize, roundDownTwoDigits, wholeRounds } from "../lib/sweep/adaptive-chunk-size.ts";

describe("chooseChunkSize", () => {
  test("aims at the target chunk duration, evened out to whole rounds", () => {
    // 0.007 ms per evaluation, 0.5 s chunks: 71,428 -> 71,000, 140.8 chunks on 2 workers -> 71 rounds of 2.
    const c = chooseChunkSize(0.007, 0.5, { totalParams: 10_000_000, workers: 2, perChunkOverheadMs: 1 });
    assert.equal(c.chunkSize, 70_423);
    assert.equal(c.limitedBy, "target");
    assert.equal(Math.ceil(10_000_000 / c.chunkSize), 142);
    assert.ok(Math.abs(c.chunkSeconds - 0.492961) < 1e-9);
  });

  test("a short run gets chunks short enough that its tail stays under 1 %", () => {
    // The bench's CPU-bound sweep: 2.49 µs per evaluation, ~10 s per worker; 0.5 s chunks would leave
    // 41 chunks (21 rounds for 20.2 rounds of work) and a worker idle for up to half a second at the end.
    const c = chooseChunkSize(0.00249, 0.5, { totalParams: 8_074_713, workers: 2, perChunkOverheadMs: 0.39 });
    assert.equal(c.limitedBy, "tail");
    assert.equal(c.chunkSize, 79_164);
    assert.equal(Math.ceil(8_074_713 / c.chunkSize), 102); // 51 whole rounds
    assert.ok(c.chunkSeconds / 2 <= 0.01 * ((8_074_713 * 0.00249) / 1000 / 2));
  });

  test("never so small that the fixed per-chunk cost exceeds its share", () => {
    // 0.001 ms evaluations, a 1 ms target would give 1000; 2 ms overhead at 2% needs 100,000.
    const c = chooseChunkSize(0.001, 0.001, { totalParams: 1e9, workers: 2, perChunkOverheadMs: 2, maxOverheadShare: 0.02 });
    assert.equal(c.chunkSize, 100_000);
    assert.equal(c.limitedBy, "overhead");
    assert.ok(c.overheadShare <= 0.0197);
  });

  test("the fixed per-chunk cost wins over the tail", () => {
    // 1000 x 10 ms on 4 workers: the tail alone asks for 5 params; 2 ms of fixed cost at 2 % needs 10.
    const c = chooseChunkSize(10, 60, { totalParams: 1000, workers: 4 });
    assert.equal(c.chunkSize, 10);
    assert.equal(c.limitedBy, "overhead");
  });

  test("keeps a few chunks per worker, so the tail is short (balance wins over overhead)", () => {
    const c = chooseChunkSize(10, 60, { totalParams: 1000, workers: 4, perChunkOverheadMs: 200 });
    assert.equal(c.chunkSize, 63); // ceil(1000 / (4 * 4))
    assert.equal(c.limitedBy, "balance");
  });

  test("wholeRounds evens chunks out to whole rounds of workers, never growing them", () => {
    assert.equal(wholeRounds(200_000, 8_074_713, 2), 192_256); // 41 chunks -> 42 (21 rounds either way)
    assert.equal(wholeRounds(100, 10_000, 3), 99); // 100 chunks -> 102 (34 rounds either way)
    assert.equal(wholeRounds(5, 10, 4), 3); // 2 chunks (2 workers idle) -> 4, one each
    assert.equal(wholeRounds(1, 7, 3), 1);
  });

  test("stays within [1, maxChunkSize]", () => {
    assert.equal(chooseChunkSize(5000, 0.1, { totalParams: 100, workers: 1 }).chunkSize, 1);
    const big = chooseChunkSize(1e-6, 10, { totalParams: 1e12, workers: 1, maxChunkSize: 5_000_000 });
    assert.equal(big.chunkSize, 5_000_000);
    assert.equal(big.limitedBy, "bounds");
  });

  test("rejects costs and targets that are not positive numbers", () => {
    assert.throws(() => chooseChunkSize(0, 1, { totalParams: 10, workers: 1 }), /Cannot choose a chunk size: evalCostMs/);
    assert.throws(() => chooseChunkSize(1, Number.NaN, { totalParams: 10, workers: 1 }), /targetChunkSeconds/);
    assert.throws(() => chooseChunkSize(1, 1, { totalParams: 10, workers: 0 }), /workers/);
  });

  test("roundDownTwoDigits", () => {
    assert.deepEqual([0.4, 7, 99, 142_857, 1005].map(roundDownTwoDigits), [1, 7, 99, 140_000, 1000]);
  });
});

describe("calibrateEvalCost", () => {
  test("grows the sample until it takes minSampleMs, then divides", async () => {
    let clock = 0;
    const ranges: [number, number][] = [];
    const cal = await calibrateEvalCost(
      async (s, e) => {
        ranges.push([s, e]);
        clock += (e - s) * 0.25; // 0.25 ms per evaluation
      },
      { totalParams: 1_000_000, minSampleMs: 100, now: () => clock },
    );
    assert.equal(cal.evalCostMs, 0.25);
    assert.ok(((ranges.at(-1)?.[1] ?? 0) - (ranges.at(-1)?.[0] ?? 0)) * 0.25 >= 100);
    // Consecutive, non-overlapping ranges.
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]?.[0], ranges[i - 1]?.[1]);
  });

  test("stops at the end of a small sweep", async () => {
    let clock = 0;
    const cal = await calibrateEvalCost(async (s, e) => void (clock += (e - s) * 0.01), { totalParams: 50, minSampleMs: 100, now: () => clock });
    assert.equal(cal.sampledParams, 50);
    assert.ok(cal.evalCostMs > 0);
  });
});
