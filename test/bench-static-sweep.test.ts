// The bench's static reference run: timed from the workers' own lines, refused when a slice is missing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { staticTiming } from "../bench/lib/static-sweep.ts";

const slice = (worker: string, runningAt: number, doneAt: number, params: number, status = "completed") => ({ worker, runningAt, doneAt, params, status });

test("wall runs from the spawn to the last slice done; start-up to the first slice running; the tail between the slices' ends", () => {
  const t = staticTiming(1000, [slice("0", 1180, 9100, 60), slice("1", 1150, 9300, 40)], 100, null);
  assert.equal(t.wallSeconds, 8.3);
  assert.equal(t.startupSeconds, 0.15);
  assert.ok(Math.abs(t.tailSeconds - 0.2) < 1e-9);
});

test("a failed slice, or slices that do not cover the sweep, give no timing", () => {
  assert.throws(() => staticTiming(0, [slice("0", 1, 9, 50), slice("1", 1, 9, 50, "failed")], 100, null), /worker 1 ended with status failed/);
  assert.throws(() => staticTiming(0, [slice("0", 1, 9, 50), slice("1", 1, 9, 49)], 100, null), /the slices covered 99 of 100 params/);
});
