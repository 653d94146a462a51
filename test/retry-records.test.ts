// The pieces of --retry-failed without a broker: rewriting a results file (JSONL, CSV, chunk
// records) and the report judged again.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { rangesOf } from "../lib/compute/evaluate-params.ts";
import type { ParamFailure } from "../lib/compute/param-failure.ts";
import { describeFailedParams } from "../lib/report/build-report.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { retriedReport } from "../lib/report/retried-report.ts";
import { CSV_HEADERS } from "../lib/results/result-records.ts";
import { rewriteFailedRecords } from "../lib/results/rewrite-failed-records.ts";

const failure = (param: number, attempts = 1): ParamFailure => ({ param, cause: "error", error: `bad ${param}`, attempts });

function file(t: TestContext, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-retry-records-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("rangesOf joins consecutive parameters", () => {
  assert.deepEqual(rangesOf([9, 3, 5, 4]), [{ start: 3, end: 6 }, { start: 9, end: 10 }]);
});

test("a JSONL params file: a fixed record gets its value, a failing one its new attempts, the aggregate counts every value", async (t) => {
  const path = file(t, "results.jsonl", [
    { param: 0, value: 0.5, chunk: 0, worker: "1" },
    { param: 1, chunk: 0, worker: "1", cause: "error", error: "bad 1", attempts: 3 },
    { param: 2, chunk: 1, worker: "0", cause: "crash", error: "killed", attempts: 1 },
  ].map((r) => `${JSON.stringify(r)}\n`).join(""));
  const agg = await rewriteFailedRecords(path, { granularity: "params", format: "jsonl" }, new Map<number, number | ParamFailure>([[1, 0.25], [2, failure(2, 2)]]));
  const lines = readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines[1], { param: 1, value: 0.25, chunk: 0, worker: "retry-failed" });
  assert.deepEqual(lines[2], { param: 2, chunk: 1, worker: "0", cause: "error", error: "bad 2", attempts: 2 });
  assert.equal(agg?.count, 2);
  assert.equal(agg?.sum, 0.75);
});

test("a CSV params file keeps its header and gets the value in place of the error", async (t) => {
  const path = file(t, "results.csv", `${CSV_HEADERS.params}\n0,5,0,1,,\n1,,0,1,error,"bad, really"\n`);
  await rewriteFailedRecords(path, { granularity: "params", format: "csv" }, new Map([[1, 7]]));
  assert.equal(readFileSync(path, "utf8"), `${CSV_HEADERS.params}\n0,5,0,1,,\n1,7,0,retry-failed,,\n`);
});

test("a sweep's JSONL file keeps each record's axis keys, and every value reaches the sink in file order", async (t) => {
  const path = file(t, "results.jsonl", [
    { param: 0, x: 1, label: "a", value: 2, chunk: 0, worker: "1" },
    { param: 1, x: 2, label: "b", chunk: 0, worker: "1", cause: "error", error: "bad 1", attempts: 1 },
    { param: 2, x: 3, label: "c", chunk: 0, worker: "1", cause: "error", error: "bad 2", attempts: 1 },
  ].map((r) => `${JSON.stringify(r)}\n`).join(""));
  const seen: [number, number][] = [];
  await rewriteFailedRecords(path, { granularity: "params", format: "jsonl" }, new Map<number, number | ParamFailure>([[1, -4], [2, failure(2, 2)]]), (param, value) => seen.push([param, value]));
  const text = readFileSync(path, "utf8").trimEnd().split("\n");
  assert.equal(text[1], JSON.stringify({ param: 1, x: 2, label: "b", value: -4, chunk: 0, worker: "retry-failed" }), "the axes stay between param and value");
  assert.equal(text[2], JSON.stringify({ param: 2, x: 3, label: "c", chunk: 0, worker: "1", cause: "error", error: "bad 2", attempts: 2 }));
  assert.deepEqual(seen, [[0, 2], [1, -4]]);
});

test("a sweep's CSV file: quoted axis cells (a comma, a quote, a line break) are kept, the value goes in its column", async (t) => {
  const header = "param,x,label,value,chunk,worker,cause,error";
  const rows = ['0,1,"a, b",5,0,1,,', '1,2,"say ""hi""",,0,1,error,"bad, really"', '2,3,"two\nlines",,0,1,error,bad', "3,4,d,,1,0,crash,killed"];
  const path = file(t, "results.csv", `${header}\n${rows.join("\n")}\n`);
  const seen: [number, number][] = [];
  const agg = await rewriteFailedRecords(path, { granularity: "params", format: "csv" }, new Map<number, number | ParamFailure>([[1, 7], [2, 8], [3, failure(3, 2)]]), (param, value) => seen.push([param, value]));
  assert.equal(readFileSync(path, "utf8"), `${header}\n${rows[0]}\n1,2,"say ""hi""",7,0,retry-failed,,\n2,3,"two\nlines",8,0,retry-failed,,\n3,4,d,,1,0,error,bad 3\n`);
  assert.deepEqual(seen, [[0, 5], [1, 7], [2, 8]]);
  assert.equal(agg?.sum, 20);
});

test("a chunks file: the chunk holding a fixed parameter counts its value", async (t) => {
  const path = file(t, "results.jsonl", `${JSON.stringify({ chunk: 0, start: 0, end: 3, worker: "1", count: 2, sum: 3, min: 1, max: 2 })}\n`);
  const agg = await rewriteFailedRecords(path, { granularity: "chunks", format: "jsonl" }, new Map([[0, 10]]));
  assert.equal(agg, undefined);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { chunk: 0, start: 0, end: 3, worker: "1", count: 3, sum: 13, min: 1, max: 10 });
});

test("the report judged again: fixed parameters pass, other problems stay", () => {
  const failed = [failure(3, 2), failure(5)];
  const base = {
    params: { total: 10, covered: 8, failed: 2 },
    failedParams: failed,
    aggregate: { count: 8, sum: 40, min: 0, max: 9 },
    timeline: [],
    verdict: "fail",
    problems: [describeFailedParams(failed, 10)],
  } as unknown as RunReport;
  const at = new Date("2026-01-01T00:00:00Z");
  const fixed = retriedReport(base, { outcomes: new Map([[3, 3], [5, 5]]), at });
  assert.equal(fixed.verdict, "pass");
  assert.deepEqual(fixed.params, { total: 10, covered: 10, failed: 0 });
  assert.deepEqual(fixed.aggregate, { count: 10, sum: 48, min: 0, max: 9 });
  assert.equal(fixed.timeline[0]?.event, "retried");
  const half = retriedReport({ ...base, problems: [...base.problems, "chunk 1 dead-lettered"] }, { outcomes: new Map<number, number | ParamFailure>([[3, 3], [5, failure(5, 2)]]), at });
  assert.equal(half.verdict, "fail");
  assert.deepEqual(half.problems, [describeFailedParams([failure(5, 2)], 10), "chunk 1 dead-lettered"]);
});

test("the retried report's best points take in the new values, with their sweep points", () => {
  const base = {
    params: { total: 10, covered: 9, failed: 1 },
    failedParams: [failure(4)],
    aggregate: { count: 9, sum: 40, min: 1, max: 9 },
    best: { lowest: [{ id: 1, point: { x: 0.1 }, value: 1 }, { id: 2, point: { x: 0.2 }, value: 2 }], highest: [{ id: 9, point: { x: 0.9 }, value: 9 }, { id: 2, point: { x: 0.2 }, value: 2 }] },
    timeline: [],
    verdict: "fail",
    problems: [describeFailedParams([failure(4)], 10)],
  } as unknown as RunReport;
  const retried = retriedReport(base, { outcomes: new Map([[4, -3]]), at: new Date(), pointOf: (id) => ({ x: id / 10 }) });
  assert.deepEqual(retried.best?.lowest.map((e) => [e.id, e.value, e.point]), [[4, -3, { x: 0.4 }], [1, 1, { x: 0.1 }], [2, 2, { x: 0.2 }], [9, 9, { x: 0.9 }]]);
  assert.deepEqual(retried.best?.highest[0], { id: 9, point: { x: 0.9 }, value: 9 });
});
