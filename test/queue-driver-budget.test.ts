// A coordinator behind its workers: each progress read accepts results for a bounded time and says
// it is behind, so progress moves and the bounded read never takes the busy coordinator for a broker
// that does not answer; the final read still keeps every result.
import assert from "node:assert/strict";
import { test } from "node:test";
import { QueueDriver } from "../lib/sweep/queue-driver.ts";
import { createQueueRun } from "./helpers/queue-run.ts";

test("polls with no time left accept one page at a time, say they are behind, and finish() reads the rest", { timeout: 90_000 }, async (t) => {
  // One chunk per results entry: the Redis observer hands over a few entries per read.
  const run = await createQueueRun(t, "redis", { params: 60, chunkSize: 1, env: { MAX_BATCH_CHUNKS: "1" } });
  const worker = run.start("0");
  const exit = await worker.exitedWithin(60_000);
  assert.equal(exit.code, 0, "the worker settles the run and leaves");
  const driver = new QueueDriver({ ledger: run.ledger, runId: run.runId }, run.observer, { backend: "redis", plan: run.plan, brokerEnv: {}, pollBudgetMs: 0 });

  const first = await driver.poll();
  assert.equal(driver.behind, true);
  assert.ok(first.chunksDone > 0 && first.chunksDone < 60, `one read's worth accepted, not all 60 (got ${first.chunksDone})`);
  const second = await driver.poll();
  assert.ok(second.chunksDone > first.chunksDone, "the next poll goes on where the last stopped");
  assert.equal(driver.isSettled(), false);

  await driver.finish();
  assert.equal(run.ledger.acceptedCount, 60, "finish() keeps everything the broker still holds");
  assert.equal(driver.isSettled(), true);
  const last = await driver.poll();
  assert.equal(last.chunksDone, 60);
  assert.equal(driver.behind, false, "nothing left to read: caught up");
});
