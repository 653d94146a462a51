// COMPUTE_COMMAND through the real compute thread and a real python3 program: one window of
// requests spans every chunk of a batch, and a program's error, end or hang still costs only the
// parameter that caused it, with every other outcome in its own chunk.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { ComputeEngine, type Range, type RangeOutcome } from "../lib/compute/compute-engine.ts";
import { setEnv } from "./helpers/test-env.ts";

/** The interpreter itself, not a version manager's shim: its start (seconds on a busy machine) would count against the time limit. */
const PYTHON = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).stdout.trim() || "python3";
const HELD = `"${PYTHON}" test/fixtures/compute-commands/held-answers.py`;

/** Ranges of `size` parameters from 0 to `total`: a batch of chunks. */
function chunks(total: number, size: number): Range[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, i) => ({ start: i * size, end: Math.min(total, (i + 1) * size) }));
}

/** The program answers id + held / 1000: the id back, and how many requests it held at once. */
const idOf = (v: number) => Math.floor(v);
const heldWith = (v: number) => Math.round((v - Math.floor(v)) * 1000);

function engine(t: { after: (fn: () => Promise<void>) => void }, options: { paramRetries?: number; paramTimeoutMs?: number } = {}): ComputeEngine {
  const e = new ComputeEngine({ module: undefined, simulateWorkMs: 0, command: HELD, ...options });
  t.after(() => e.close());
  return e;
}

/** Every range's values are its own parameters, in order, except `failed`; aggregates match them. */
function assertOutcomes(ranges: readonly Range[], outcomes: readonly RangeOutcome[], failed: readonly number[] = []): void {
  assert.equal(outcomes.length, ranges.length);
  ranges.forEach((r, i) => {
    const o = outcomes[i]!;
    const expected = Array.from({ length: r.end - r.start }, (_, k) => r.start + k).filter((p) => !failed.includes(p));
    assert.deepEqual(o.values?.map(idOf), expected, `range ${r.start}-${r.end}`);
    assert.equal(o.aggregate.count, expected.length);
    assert.ok(Math.abs(o.aggregate.sum - (o.values ?? []).reduce((a, b) => a + b, 0)) < 1e-9);
  });
}

test("a batch of one-parameter chunks is one window: the program holds 32 requests at once, each value lands in its chunk", async (t) => {
  const e = engine(t);
  const ranges = chunks(200, 1);
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes);
  const held = outcomes.flatMap((o) => o.values ?? []).map(heldWith);
  // One request per chunk at a time would leave the program one request, answered after 50 ms of silence.
  assert.equal(Math.max(...held), 32);
});

test("chunks of 10 with empty ranges between them keep their own outcomes", async (t) => {
  const e = engine(t);
  const ranges = [...chunks(40, 10), { start: 40, end: 40 }, { start: 100, end: 105 }, { start: 105, end: 105 }];
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes);
  assert.deepEqual(outcomes[4], { aggregate: { count: 0, sum: 0, sumPartials: [], min: null, max: null }, values: [] });
  assert.ok(outcomes.flatMap((o) => o.values ?? []).some((v) => heldWith(v) > 10), "requests of several chunks were in flight together");
});

test("an error answer is retried in place and recorded in its own chunk; the rest of the batch has values", async (t) => {
  setEnv(t, { CMD_ERROR_ON: "13" });
  const e = engine(t, { paramRetries: 1 });
  const ranges = chunks(60, 5);
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes, [13]);
  assert.deepEqual(outcomes[2]?.failed, [{ param: 13, cause: "error", error: "unlucky", attempts: 2 }]);
  assert.equal(outcomes.filter((o) => o.failed).length, 1);
});

test("a program that ends on one parameter with many in flight: only that one is a crash, the others are evaluated again", async (t) => {
  setEnv(t, { CMD_EXIT_ON: "57" });
  const e = engine(t);
  const ranges = chunks(100, 5);
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes, [57]);
  assert.equal(outcomes[11]?.failed?.length, 1);
  assert.equal(outcomes[11]?.failed?.[0]?.param, 57);
  assert.equal(outcomes[11]?.failed?.[0]?.cause, "crash");
  assert.match(outcomes[11]?.failed?.[0]?.error ?? "", /exited with code 9/);
});

test("PARAM_TIMEOUT: a parameter that never answers is named though later ones were in flight; the batch goes on", async (t) => {
  setEnv(t, { CMD_HANG_ON: "23" });
  const e = engine(t, { paramTimeoutMs: 1500 });
  const ranges = chunks(50, 1);
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes, [23]);
  assert.deepEqual(outcomes[23]?.failed, [{ param: 23, cause: "timeout", error: "timed out after 1.5 s (PARAM_TIMEOUT_SECONDS)", attempts: 1 }]);
});

test("PARAM_TIMEOUT starts at the program's first line: a start-up longer than the limit costs no parameter", async (t) => {
  setEnv(t, { CMD_START_SECONDS: "2.5" });
  const e = engine(t, { paramTimeoutMs: 1000 });
  const ranges = chunks(20, 5);
  const outcomes = await e.runMany(ranges, { collectValues: true });
  assertOutcomes(ranges, outcomes);
});
