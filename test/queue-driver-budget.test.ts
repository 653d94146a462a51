// A coordinator behind its workers: each progress read accepts results for a bounded time and says
// it is behind, so progress moves and the bounded read never takes the busy coordinator for a broker
// that does not answer; the final read still keeps every result. A read given a mark stops there
// (the fault demo's moment), however many results wait behind it, and loses none of them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { QueueDriver } from "../lib/sweep/queue-driver.ts";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
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

for (const backend of ["redis", "rabbitmq"] as const) {
  test(`${backend}: a read with a mark stops once that many parameters are done, holds the rest, and loses none of it`, { timeout: 90_000 }, async (t) => {
    // The whole run done before the coordinator reads: 12 results wait for it.
    const run = await createQueueRun(t, backend, { params: 60, chunkSize: 5, env: { MAX_BATCH_CHUNKS: "1" } });
    const exit = await run.start("0").exitedWithin(60_000);
    assert.equal(exit.code, 0, "the worker settles the run and leaves");
    const driver = new QueueDriver({ ledger: run.ledger, runId: run.runId }, run.observer, { backend, plan: run.plan, brokerEnv: {}, pollBudgetMs: 60_000 });

    const paused = await driver.poll(18);
    assert.equal(paused.paramsDone, 20, "the read stops at the first chunk that reaches 18 parameters");
    assert.equal(driver.behind, true, "results wait behind the mark: read on at once");
    assert.equal((await driver.poll(18)).paramsDone, 60, "a mark already passed holds nothing back");
    assert.ok(driver.isSettled());

    await driver.finish();
    const expected = new AggregateBuilder();
    for (let p = 0; p < 60; p++) expected.add(simulatedValue(p));
    assert.deepEqual(run.ledger.aggregate.build(), expected.build(), "every parameter once: the aggregate of a single-process run");
    assert.equal(run.ledger.acceptedCount, 12);
    assert.equal(run.ledger.duplicatesDiscarded, 0, "the results held back were kept once");
  });
}
