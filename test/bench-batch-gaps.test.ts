// The bench's between-batches measure: a batch is the chunks one worker took at the same moment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { batchGaps } from "../bench/lib/batch-gaps.ts";

const at = (ms: number) => new Date(Date.UTC(2026, 10, 27, 12, 0, 0, ms)).toISOString();
const result = (worker: string, taken: number, finished: number) => ({ worker, takenAt: at(taken), finishedAt: at(finished) });

test("gaps are per worker, from a batch's last finish to the worker's next take", () => {
  const gaps = batchGaps([
    // a: a batch of two chunks (0-100), then 104-200, then 210-300 (out of order on purpose)
    result("a", 210, 300),
    result("a", 0, 90),
    result("a", 0, 100),
    result("a", 104, 200),
    // b: one batch 5-150, then 156-250
    result("b", 156, 250),
    result("b", 5, 150),
  ]);
  assert.deepEqual(gaps, { gaps: 3, medianMs: 6, perWorkerSeconds: (4 + 10 + 6) / 1000 / 2 });
});

test("no worker with two batches: nothing to say", () => {
  assert.equal(batchGaps([result("a", 0, 100), result("b", 0, 100)]), null);
  assert.equal(batchGaps([]), null);
});
