// The best points without a broker: each chunk's own selection, the coordinator's tracker that
// merges them, the wire form that carries them, the packed compute-thread reply, and the live line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BEST_K, ChunkBestBuilder, chunkBestOfValues, type ChunkBest, type IdValue } from "../lib/compute/chunk-best.ts";
import { OutcomePacker, unpackOutcomes } from "../lib/compute/packed-outcomes.ts";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { BestTracker, bestSoFarText, parseBestPoints, shortNumber } from "../lib/results/best-points.ts";
import type { ChunkResult } from "../lib/backends/backend.ts";
import { decodeResultBatch, encodeResultBatch } from "../lib/backends/result-batch.ts";
import { createProgressView, progressLine } from "../lib/demo/progress-view.ts";
import { emptySnapshot } from "../lib/sweep/progress-snapshot.ts";
import { RunLedger } from "../lib/report/run-ledger.ts";
import { bestPointsSection } from "../lib/report/best-points-section.ts";
import type { RunReport } from "../lib/report/report-model.ts";

/** The reference: every (id, value) sorted, value then id; the highest by value descending then id. */
function bruteForce(pairs: readonly IdValue[], k = BEST_K): ChunkBest {
  const lowest = [...pairs].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, k);
  const highest = [...pairs].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
  return { lowest, highest };
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("a chunk's best is its k lowest and k highest, ties to the lower id, for any length", () => {
  const next = random(7);
  for (const length of [1, 2, 9, 10, 11, 50, 1000]) {
    // Few distinct values, so ties are everywhere.
    const pairs: IdValue[] = Array.from({ length }, (_, i) => [100 + i, Math.floor(next() * 20) - 10]);
    const builder = new ChunkBestBuilder();
    for (const [id, v] of pairs) builder.add(id, v);
    assert.deepEqual(builder.build(), bruteForce(pairs), `length ${length}`);
  }
  assert.equal(new ChunkBestBuilder().build(), undefined, "no value, no best");
});

test("the best of published values skips the failed parameters' ids", () => {
  const best = chunkBestOfValues(10, [5, 1, 7], new Set([11]));
  assert.deepEqual(best, { lowest: [[12, 1], [10, 5], [13, 7]], highest: [[13, 7], [10, 5], [12, 1]] });
});

test("the tracker merges chunks' bests in any order into the run's best, a chunk offered twice counting once", () => {
  const next = random(11);
  const chunks: IdValue[][] = [];
  for (let c = 0; c < 60; c++) chunks.push(Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => [c * 100 + i, Math.round(next() * 1000) / 10]));
  const all = chunks.flat();
  const expected = bruteForce(all);
  for (const seed of [1, 2, 3]) {
    const order = [...chunks].sort(() => random(seed)() - 0.5);
    const tracker = new BestTracker();
    for (const chunk of order) {
      const best = chunkBestOfValues(chunk[0]![0], chunk.map(([, v]) => v), undefined)!;
      tracker.offerChunk(best);
      tracker.offerChunk(best); // a duplicate result of the same chunk
    }
    const got = tracker.points();
    assert.deepEqual(got.lowest.map((e) => [e.id, e.value]), expected.lowest, `order ${seed}`);
    assert.deepEqual(got.highest.map((e) => [e.id, e.value]), expected.highest, `order ${seed}`);
  }
});

test("the tracker holds 2k entries whatever it is offered, gives points, and moves its version only on a change", () => {
  const tracker = new BestTracker(3);
  const values = [5, 1, 9, 1, 7, 3, 9, 0];
  values.forEach((v, id) => tracker.offer(id, v));
  const best = tracker.points((id) => ({ x: id * 2 }));
  assert.deepEqual(best.lowest.map((e) => [e.id, e.value]), [[7, 0], [1, 1], [3, 1]]);
  assert.deepEqual(best.highest.map((e) => [e.id, e.value]), [[2, 9], [6, 9], [4, 7]]);
  assert.deepEqual(best.lowest[0]?.point, { x: 14 });
  const version = tracker.version;
  tracker.offer(5, 3);
  tracker.offer(7, 0);
  assert.equal(tracker.version, version, "nothing new: same version");
  const many = new BestTracker();
  for (let id = 0; id < 100_000; id++) many.offer(id, Math.sin(id));
  assert.equal(many.points().lowest.length, 10);
  assert.equal(many.points().highest.length, 10);
});

test("a chunk's best crosses the wire in every case: sent, derived from the values, derived from a one-parameter chunk", () => {
  const base = { runId: "r", worker: "w", takenAt: "2026-11-27T00:00:00.000Z", finishedAt: "2026-11-27T00:00:01.000Z", attempt: 1, busySeconds: 0.1 };
  const agg = (values: number[]) => {
    const a = new AggregateBuilder();
    for (const v of values) a.add(v);
    return a.build();
  };
  const big = Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const small = [3, 1, 2];
  const results: ChunkResult[] = [
    { ...base, chunkId: 0, start: 0, end: 30, aggregate: agg(big), best: chunkBestOfValues(0, big, undefined)! },
    { ...base, chunkId: 1, start: 30, end: 33, aggregate: agg(small), best: chunkBestOfValues(30, small, undefined)! },
    { ...base, chunkId: 2, start: 33, end: 34, aggregate: agg([4.5]), best: { lowest: [[33, 4.5]], highest: [[33, 4.5]] } },
    { ...base, chunkId: 3, start: 34, end: 37, aggregate: agg(small), values: small, best: chunkBestOfValues(34, small, undefined)! },
    { ...base, chunkId: 4, start: 37, end: 38, aggregate: agg([]) },
  ];
  const wire = encodeResultBatch(results);
  assert.deepEqual(decodeResultBatch(wire), results);
  const tuples = (JSON.parse(wire) as { chunks: unknown[][] }).chunks;
  assert.equal(tuples[2]!.length, 10, "a one-parameter chunk sends no best: its min is it");
  assert.equal(tuples[3]!.length, 11, "a chunk whose values travel sends no best");
  assert.equal((tuples[1]![12] as unknown[]).length, 1, "at most k values: one side is enough");
  assert.throws(() => decodeResultBatch('{"v":1,"runId":"r","worker":"w","chunks":[[1,0,2,1,0,2,3,[3],1,2,null,null,[[1,"x"]]]]}'), /malformed best/);
});

test("the compute thread's packed reply carries each range's best", () => {
  const packer = new OutcomePacker(false);
  const a = new AggregateBuilder();
  const best = new ChunkBestBuilder();
  [[5, 2], [6, -1], [7, 8]].forEach(([id, v]) => {
    a.add(v!);
    best.add(id!, v!);
  });
  packer.ok(a, best);
  packer.ok(new AggregateBuilder(), new ChunkBestBuilder());
  const [first, empty] = unpackOutcomes(packer.finish(), 2);
  assert.deepEqual(first?.best, { lowest: [[6, -1], [5, 2], [7, 8]], highest: [[7, 8], [5, 2], [6, -1]] });
  assert.equal(empty?.best, undefined);
  assert.equal(empty?.aggregate.count, 0);
});

test("the ledger's best counts accepted chunks only: a duplicate result never adds to it", () => {
  const ledger = new RunLedger(2, { pointOf: (id) => ({ x: id / 10 }) });
  const chunk = { start: 0, end: 2, worker: "0", aggregate: { count: 2, sum: 3, sumPartials: [3], min: 1, max: 2 } };
  ledger.accept({ ...chunk, chunkId: 0, best: { lowest: [[0, 1], [1, 2]], highest: [[1, 2], [0, 1]] } });
  // The same chunk id again, with other values (it cannot happen with a deterministic compute, but must not count).
  ledger.accept({ ...chunk, chunkId: 0, best: { lowest: [[0, -50]], highest: [[0, 50]] } });
  assert.deepEqual(ledger.bestSoFar(), { lowest: { id: 0, point: { x: 0 }, value: 1 }, highest: { id: 1, point: { x: 0.1 }, value: 2 } });
});

test("the live line shows the best so far compactly, and still fits one terminal row", () => {
  const snap = { ...emptySnapshot(10, 100), chunksDone: 4, paramsDone: 40, pending: 6 };
  snap.best = { lowest: { id: 12, point: { x: 0.5, y: 0.01 }, value: 0.012345678 }, highest: { id: 99, point: { x: 1, y: 1000 }, value: 9.87 } };
  const line = progressLine(snap, 20, { bar: false });
  assert.match(line, /\| min 0\.01235 @ x=0\.5 y=0\.01 · max 9\.87 @ x=1 y=1000$/);
  const noSweep = { ...snap, best: { lowest: { id: 123, point: {}, value: -2 }, highest: { id: 7, point: {}, value: 1e21 } } };
  assert.equal(bestSoFarText(noSweep.best), "min -2 @ id 123 · max 1e+21 @ id 7");
  assert.equal(shortNumber(123456), "123500");
  const written: string[] = [];
  const view = createProgressView({ isTTY: true, columns: 80, write: (s: string) => written.push(s) });
  view.update(snap, 20);
  const drawn = (written.at(-1) ?? "").replace("\r\x1b[2K", "");
  assert.equal(drawn.length, 79);
  assert.ok(drawn.endsWith("…"));
});

test("published best points are read back, and anything else is not taken for them", () => {
  const best = { lowest: [{ id: 1, point: { x: 1 }, value: 0 }], highest: [{ id: 2, point: {}, value: 3 }] };
  assert.deepEqual(parseBestPoints(JSON.stringify(best)), best);
  for (const bad of ["", "{", "[]", '{"lowest":[{"id":"1"}],"highest":[]}']) assert.equal(parseBestPoints(bad), undefined, bad);
});

test("report.md: without per-parameter values the best points say the pictures need --results params", () => {
  const r = { best: { lowest: [{ id: 1, point: {}, value: 0 }], highest: [{ id: 2, point: {}, value: 3 }] } } as unknown as RunReport;
  const md = bestPointsSection(r).join("\n");
  assert.match(md, /## Best points/);
  assert.match(md, /need every value: run with `--results params` \(this run kept no results file\)/);
});
