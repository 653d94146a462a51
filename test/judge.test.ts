// The verdict: judge() lists every problem of a finished run, and buildReport passes a run
// only when that list is empty. Every kind of problem makes the run fail on its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AggregateBuilder, type Aggregate } from "../lib/compute/aggregate.ts";
import { buildReport, judge, type ResultsWritten, type RunDescription } from "../lib/report/build-report.ts";
import { RunLedger } from "../lib/report/run-ledger.ts";

const PARAMS = 40;
const CHUNK = 10;
const CHUNKS = PARAMS / CHUNK;

function aggregateOf(start: number, end: number): Aggregate {
  const a = new AggregateBuilder();
  for (let p = start; p < end; p++) a.add(p);
  return a.build();
}

function acceptChunk(ledger: RunLedger, chunkId: number, range = { start: chunkId * CHUNK, end: (chunkId + 1) * CHUNK }): void {
  ledger.accept({ chunkId, ...range, worker: "0", aggregate: aggregateOf(range.start, range.end) });
}

/** A ledger of a clean run: every chunk accepted once, with the values its range holds. */
function cleanLedger(): RunLedger {
  const ledger = new RunLedger(CHUNKS);
  for (let id = 0; id < CHUNKS; id++) acceptChunk(ledger, id);
  return ledger;
}

const description: RunDescription = {
  runId: "judge-test",
  platform: "local",
  backend: "redis",
  workers: 1,
  config: { scale: "small", params: PARAMS, chunkSize: CHUNK, workMs: 0, computeModule: null, faultDemo: false, maxDeliveries: 3 },
  startedAt: new Date("2026-01-01T00:00:00Z"),
  finishedAt: new Date("2026-01-01T00:00:01Z"),
};

const results = (chunksWithoutValues: number): ResultsWritten => ({ file: "results.jsonl", granularity: "params", format: "jsonl", chunks: CHUNKS, chunksWithoutValues });

type Case = { kind: string; ledger: () => RunLedger; results?: ResultsWritten; says: RegExp };

const PROBLEM_KINDS: Case[] = [
  {
    kind: "a chunk with no accepted result",
    ledger: () => {
      const ledger = new RunLedger(CHUNKS);
      for (let id = 0; id < CHUNKS - 1; id++) acceptChunk(ledger, id);
      return ledger;
    },
    says: /1 of 4 chunks have no accepted result \(ids 3\)/,
  },
  {
    kind: "parameters not covered although every chunk id is accepted",
    ledger: () => {
      const ledger = new RunLedger(CHUNKS);
      for (let id = 0; id < CHUNKS; id++) acceptChunk(ledger, id, { start: id * CHUNK, end: id * CHUNK + CHUNK - 1 });
      return ledger;
    },
    says: /36 of 40 parameters covered/,
  },
  {
    kind: "an aggregate that counts more values than the covered parameters",
    ledger: () => {
      const ledger = new RunLedger(CHUNKS);
      for (let id = 0; id < CHUNKS; id++) {
        const start = id * CHUNK;
        ledger.accept({ chunkId: id, start, end: start + CHUNK, worker: "0", aggregate: aggregateOf(start, start + CHUNK + (id === 0 ? 1 : 0)) });
      }
      return ledger;
    },
    says: /aggregate counts 41 values for 40 covered parameters/,
  },
  {
    kind: "a dead-lettered chunk",
    ledger: () => {
      const ledger = new RunLedger(CHUNKS);
      for (let id = 0; id < CHUNKS - 1; id++) acceptChunk(ledger, id);
      ledger.deadLetters.push({ chunkId: 3, start: 30, end: 40, attempts: 3, error: "cannot evaluate parameter 33" });
      return ledger;
    },
    says: /chunk 3 \(params 30-39\) dead-lettered after 3 attempts: cannot evaluate parameter 33/,
  },
  {
    kind: "a parameter without a value in an accepted chunk",
    ledger: () => {
      const ledger = new RunLedger(CHUNKS);
      for (let id = 0; id < CHUNKS - 1; id++) acceptChunk(ledger, id);
      const values = new AggregateBuilder();
      for (let p = 30; p < 40; p++) if (p !== 33) values.add(p);
      ledger.accept({ chunkId: 3, start: 30, end: 40, worker: "0", aggregate: values.build(), failed: [{ param: 33, cause: "crash", error: "its process was killed by SIGKILL", attempts: 1 }] });
      return ledger;
    },
    says: /^1 of 40 parameters have no value: 33 \(crash: its process was killed by SIGKILL\)$/,
  },
  {
    kind: "a chunk outside the plan (an anomaly)",
    ledger: () => {
      const ledger = cleanLedger();
      acceptChunk(ledger, CHUNKS, { start: 0, end: 0 });
      return ledger;
    },
    says: /chunk 4 is outside the plan \(0\.\.3\)/,
  },
  {
    kind: "accepted chunks missing from the results file",
    ledger: cleanLedger,
    results: results(2),
    says: /2 accepted chunk\(s\) arrived without their values; the results file lacks them/,
  },
];

test("a clean run has no problems and passes", () => {
  assert.deepEqual(judge(cleanLedger(), PARAMS, results(0)), []);
  const report = buildReport(description, cleanLedger(), results(0));
  assert.equal(report.verdict, "pass");
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.results, { file: "results.jsonl", granularity: "params", format: "jsonl", chunks: CHUNKS });
  assert.equal(buildReport(description, cleanLedger()).verdict, "pass", "no results file is no problem");
});

for (const c of PROBLEM_KINDS) {
  test(`${c.kind}: judged a problem, and the run fails`, () => {
    const problems = judge(c.ledger(), PARAMS, c.results);
    assert.ok(problems.some((p) => c.says.test(p)), `expected ${c.says} among ${JSON.stringify(problems)}`);
    const report = buildReport(description, c.ledger(), c.results);
    assert.equal(report.verdict, "fail", JSON.stringify(report.problems));
    assert.deepEqual(report.problems, problems, "the report lists exactly what judge() found");
  });
}

test("a report never says pass with a problem: the verdict and the problems agree for every kind", () => {
  const reports = [buildReport(description, cleanLedger()), ...PROBLEM_KINDS.map((c) => buildReport(description, c.ledger(), c.results))];
  for (const r of reports) assert.equal(r.verdict === "pass", r.problems.length === 0, `${r.verdict} with ${JSON.stringify(r.problems)}`);
});

test("a failed parameter: covered counts values only, the report lists it, and no other problem is claimed", () => {
  const kind = PROBLEM_KINDS.find((c) => c.kind.startsWith("a parameter without a value"))!;
  const report = buildReport(description, kind.ledger());
  assert.deepEqual(report.params, { total: PARAMS, covered: PARAMS - 1, failed: 1 });
  assert.deepEqual(report.failedParams, [{ param: 33, cause: "crash", error: "its process was killed by SIGKILL", attempts: 1 }]);
  assert.equal(report.aggregate.count, PARAMS - 1);
  assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
});
