// When a worker asks for its next batch while the current one computes (worker/take-ahead.ts).
// The whole worker with early asks runs in every queue test; these pin the rule and the bookkeeping.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { MAX_LEAD_MS, MIN_LEAD_MS, TakeAhead, takeAheadDelayMs } from "../worker/take-ahead.ts";

test("the next batch is asked for a tenth of the batch's expected time before its end, within the lead's bounds", () => {
  assert.equal(takeAheadDelayMs(1, 150, false), 135, "150 ms: 15 ms ahead");
  assert.equal(takeAheadDelayMs(4, 50, false), 200 - MAX_LEAD_MS, "200 ms: the longest lead");
  assert.equal(takeAheadDelayMs(1, 2000, false), 2000 - MAX_LEAD_MS, "a long chunk waits no longer behind it than a short one");
  assert.equal(takeAheadDelayMs(2, 5, false), 10 - MIN_LEAD_MS, "10 ms: the shortest lead");
  assert.equal(takeAheadDelayMs(1, 1, false), 0, "a batch shorter than the lead: asked at once");
});

test("nothing is asked early before a chunk time is known, for redelivered chunks, or for an empty batch", () => {
  assert.equal(takeAheadDelayMs(1, undefined, false), undefined);
  assert.equal(takeAheadDelayMs(1, 150, true), undefined, "the crash sandbox's process start is not in the chunk time");
  assert.equal(takeAheadDelayMs(0, 150, false), undefined);
  assert.equal(takeAheadDelayMs(1, 0, false), undefined);
  assert.equal(takeAheadDelayMs(1, Number.NaN, false), undefined);
});

/** A TakeAhead over a counting take. */
function counted(allowed = () => true) {
  const calls = { n: 0 };
  const ahead = new TakeAhead(async () => ++calls.n, allowed);
  return { ahead, calls };
}

test("one take at most is in flight, and it is handed over once", async () => {
  const { ahead, calls } = counted();
  ahead.askAfter(undefined);
  assert.equal(calls.n, 0, "no delay: nothing asked until now()");
  ahead.now();
  ahead.now();
  ahead.askAfter(0);
  assert.equal(calls.n, 1, "asked once however often it is asked for");
  assert.equal(await ahead.claim(), 1);
  assert.equal(ahead.claim(), undefined, "handed over once");
  ahead.askAfter(0);
  assert.equal(calls.n, 2, "a delay of 0 asks at once, afresh after a claim");
  assert.equal(await ahead.claim(), 2);
});

test("a delayed ask comes by itself, and a claim or an ask now before it cancels the timer", async () => {
  const { ahead, calls } = counted();
  ahead.askAfter(5);
  assert.equal(calls.n, 0);
  await sleep(40);
  assert.equal(calls.n, 1, "the timer asked");
  assert.equal(await ahead.claim(), 1);

  ahead.askAfter(20);
  assert.equal(ahead.claim(), undefined, "claimed before the timer: nothing was asked");
  ahead.askAfter(20);
  ahead.now();
  await sleep(50);
  assert.equal(calls.n, 2, "the ask now replaced the timer's");
});

test("nothing is asked once the worker is stopping", async () => {
  let stopping = false;
  const { ahead, calls } = counted(() => !stopping);
  stopping = true;
  ahead.askAfter(0);
  ahead.now();
  ahead.askAfter(5);
  await sleep(30);
  assert.equal(calls.n, 0);
  assert.equal(ahead.claim(), undefined);
});
