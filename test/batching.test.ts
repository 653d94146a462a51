// The pieces of batching that need no broker: how many chunks a worker asks for, and how a
// batch's chunk ids travel in log lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkIdsOf, formatIdRanges, parseIdRanges } from "../lib/log/chunk-ids.ts";
import { formatText } from "../lib/log/format-log.ts";
import { parseLogLine } from "../lib/log/parse-log-line.ts";
import type { ChunkResult } from "../lib/backends/backend.ts";
import { decodeResultBatch, encodeResultBatch } from "../lib/backends/result-batch.ts";
import { mixedParamLines } from "../lib/results/result-records.ts";
import { BatchSizer, MAX_BATCH_PARAMS_WITH_VALUES, STALL_MS, TARGET_BATCH_MS } from "../worker/batch-sizer.ts";

test("the batch starts at one chunk and at most doubles while chunks are short", () => {
  const sizer = new BatchSizer({ maxChunks: 256, chunkSize: 1, publishValues: false });
  const sizes = [sizer.chunksPerTake];
  for (let i = 0; i < 10; i++) {
    sizer.record(sizer.chunksPerTake, sizer.chunksPerTake * 0.01); // 10 µs per chunk
    sizes.push(sizer.chunksPerTake);
  }
  assert.deepEqual(sizes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256]);
});

test("long chunks are taken one at a time, and the batch shrinks at once when chunks get long", () => {
  const sizer = new BatchSizer({ maxChunks: 256, chunkSize: 100, publishValues: false });
  sizer.record(1, 1000);
  assert.equal(sizer.chunksPerTake, 1, "a 1 s chunk: one at a time");
  for (let i = 0; i < 8; i++) sizer.record(sizer.chunksPerTake, sizer.chunksPerTake * 0.05);
  assert.equal(sizer.chunksPerTake, 256);
  sizer.record(256, 256 * 10); // 10 ms per chunk now
  assert.equal(sizer.chunksPerTake, Math.floor(TARGET_BATCH_MS / 10));
});

test("a batch stretched by a busy machine does not shrink the size; one that ran past STALL_MS does, at once", () => {
  const sizer = new BatchSizer({ maxChunks: 1024, chunkSize: 1, publishValues: false });
  for (let i = 0; i < 12; i++) sizer.record(sizer.chunksPerTake, sizer.chunksPerTake * 0.01);
  assert.equal(sizer.chunksPerTake, 1024);
  sizer.record(1024, 120); // descheduled for ~110 ms: 0.12 ms per chunk on paper
  sizer.record(1024, 35);
  assert.equal(sizer.chunksPerTake, 1024, "stalls under STALL_MS are noise");
  sizer.record(1024, STALL_MS + 100); // the chunks got slower
  const shrunk = Math.floor(TARGET_BATCH_MS / ((STALL_MS + 100) / 1024));
  assert.equal(sizer.chunksPerTake, shrunk);
  sizer.record(shrunk, shrunk * ((STALL_MS + 100) / 1024));
  assert.equal(sizer.chunksPerTake, shrunk, "and the earlier, faster batches no longer count");
});

test("MAX_BATCH_CHUNKS and, with per-parameter values, the batch's size in parameters cap it", () => {
  const capped = new BatchSizer({ maxChunks: 3, chunkSize: 1, publishValues: false });
  for (let i = 0; i < 5; i++) capped.record(capped.chunksPerTake, 0);
  assert.equal(capped.chunksPerTake, 3);
  const values = new BatchSizer({ maxChunks: 256, chunkSize: 10_000, publishValues: true });
  for (let i = 0; i < 10; i++) values.record(values.chunksPerTake, 0);
  assert.equal(values.chunksPerTake, Math.floor(MAX_BATCH_PARAMS_WITH_VALUES / 10_000));
  const huge = new BatchSizer({ maxChunks: 256, chunkSize: 1_000_000, publishValues: true });
  huge.record(1, 0);
  assert.equal(huge.chunksPerTake, 1, "never below one chunk");
});

test("a batch's chunk ids are written as ranges and read back, in text and JSON log lines", () => {
  const ids = [7, 5, 6, 9, 12, 13, 14];
  assert.equal(formatIdRanges(ids), "5-7,9,12-14");
  assert.deepEqual(parseIdRanges("5-7,9,12-14"), [5, 6, 7, 9, 12, 13, 14]);
  assert.deepEqual(parseIdRanges("banana,3"), [3]);
  const line = formatText({ time: new Date(), level: "INFO", worker: "w", component: "queue", message: "took 7 chunks", fields: { chunks: formatIdRanges(ids) } });
  const parsed = parseLogLine(line);
  assert.ok(parsed);
  assert.deepEqual(chunkIdsOf(parsed.fields), [5, 6, 7, 9, 12, 13, 14]);
  assert.deepEqual(chunkIdsOf({ chunk: 4 }), [4]);
  assert.deepEqual(chunkIdsOf({ chunks: "8" }), [8]);
  assert.deepEqual(chunkIdsOf({}), []);
});

test("a result batch round-trips through its wire form, values and exact sums included", () => {
  const base = { runId: "r1", worker: "w0", takenAt: "2026-11-23T06:00:00.000Z", finishedAt: "2026-11-23T06:00:00.050Z" };
  const results: ChunkResult[] = [
    { ...base, chunkId: 3, start: 30, end: 40, attempt: 1, busySeconds: 0.01, aggregate: { count: 10, sum: 0.30000000000000004, sumPartials: [0.1, 0.2], min: 0.1, max: 0.2 } },
    { ...base, chunkId: 9, start: 90, end: 92, attempt: 2, busySeconds: 0.01, aggregate: { count: 2, sum: 3, sumPartials: [3], min: 1, max: 2 }, values: [1, 2], best: { lowest: [[90, 1], [91, 2]], highest: [[91, 2], [90, 1]] } },
    // Failure records, with and without the values of the other parameters.
    { ...base, chunkId: 10, start: 100, end: 103, attempt: 1, busySeconds: 0.01, aggregate: { count: 2, sum: 3, sumPartials: [3], min: 1, max: 2 }, values: [1, 2], best: { lowest: [[100, 1], [102, 2]], highest: [[102, 2], [100, 1]] }, failed: [{ param: 101, cause: "timeout", error: "timed out after 2 s (PARAM_TIMEOUT_SECONDS)", attempts: 1 }] },
    { ...base, chunkId: 11, start: 110, end: 111, attempt: 2, busySeconds: 0.01, aggregate: { count: 0, sum: 0, sumPartials: [], min: null, max: null }, failed: [{ param: 110, cause: "crash", error: "its process was killed by SIGKILL", attempts: 1 }] },
  ];
  const wire = encodeResultBatch(results);
  assert.deepEqual(decodeResultBatch(wire), results);
  assert.ok(wire.length < JSON.stringify(results).length / 2, "the wire form is much smaller than the objects");
  assert.throws(() => encodeResultBatch([results[0]!, { ...results[1]!, worker: "w1" }]), /share run, worker and times/);
  assert.throws(() => decodeResultBatch('{"chunkId":1}'), /not a TTG result batch/);
  assert.throws(() => decodeResultBatch('{"v":1,"runId":"r","worker":"w","chunks":[[1,2]]}'), /malformed chunk/);  assert.throws(() => decodeResultBatch('{"v":1,"runId":"r","worker":"w","chunks":[[1,0,1,1,0,0,0,[],null,null,null,[{"param":"x"}]]]}'), /malformed failure records/);
});
test("a chunk with failed parameters gives a record per parameter, the failed ones with their error instead of a value", () => {
  const failed = [{ param: 6, cause: "error" as const, error: 'bad, "really"', attempts: 3 }];
  const jsonl = mixedParamLines({ start: 5, end: 8 }, [5, 7], failed, 1, "w", "jsonl")!.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(jsonl, [
    { param: 5, value: 5, chunk: 1, worker: "w" },
    { param: 6, chunk: 1, worker: "w", cause: "error", error: 'bad, "really"', attempts: 3 },
    { param: 7, value: 7, chunk: 1, worker: "w" },
  ]);
  assert.equal(mixedParamLines({ start: 5, end: 8 }, [5, 7], failed, 1, "w", "csv"), '5,5,1,w,,\n6,,1,w,error,"bad, ""really"""\n7,7,1,w,,\n');
  assert.equal(mixedParamLines({ start: 5, end: 8 }, [5], failed, 1, "w", "jsonl"), undefined, "values missing: no records");
});


test("sandboxed batches (redelivered chunks) grow the size while their chunks are short, and never set it from their time", () => {
  const sizer = new BatchSizer({ maxChunks: 64, chunkSize: 1, publishValues: false });
  // A fresh worker's first batches are a dead worker's chunks: ~400 ms each is the sandbox, not the chunk.
  for (const expected of [2, 4, 8, 16, 32, 64, 64]) {
    sizer.recordSandboxed(sizer.chunksPerTake, 400 * sizer.chunksPerTake);
    assert.equal(sizer.chunksPerTake, expected);
  }
  const long = new BatchSizer({ maxChunks: 64, chunkSize: 1, publishValues: false });
  long.recordSandboxed(1, 5000);
  assert.equal(long.chunksPerTake, 1, "a long redelivered chunk keeps the batch at one");
  // A normal batch afterwards sizes as always.
  sizer.record(64, 64 * STALL_MS);
  assert.equal(sizer.chunksPerTake, 1);
});
