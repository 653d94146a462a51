// The pass over a finished per-parameter results file: the lines the results writer wrote are read
// without JSON.parse, and what it writes (axis columns) and sums up must be what reading every line
// as JSON gives; any other line still goes through JSON.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { failedParamLine, paramLine, type ResultsFormat } from "../lib/results/result-records.ts";
import { finishParamResults, paramSummary } from "../lib/results/sweep-results.ts";
import { sweepSpace, type Sweep } from "../lib/sweep-def/sweep-space.ts";

const sweep: Sweep = { mode: "grid", axes: [["x", { linspace: [0, 1, 5] }], ["y", { list: ["a,b", 'q"t', 3] }]] };
const VALUES = [13, -0.5, 1e-7, 2.5e21, 0, 123456.789, -1e300, 7];

/** Lines as the results writer writes them: values, failed parameters, and one written by hand with its keys in another order. */
function linesOf(format: ResultsFormat): string {
  let out = format === "csv" ? "param,value,chunk,worker,cause,error\n" : "";
  VALUES.forEach((value, param) => (out += paramLine({ param, value, chunk: Math.floor(param / 4), worker: "w,1" }, format)));
  out += failedParamLine({ param: 8, chunk: 2, worker: "0", cause: "error", error: 'ValueError: bad ,"value": 3', attempts: 2 }, format);
  if (format === "jsonl") out += `${JSON.stringify({ value: 4.5, param: 9, chunk: 2, worker: "0" })}\n`;
  return out;
}

/** What the pass must give: each line read as JSON (the reference the fast path stands in for). */
function reference(text: string, withAxes: boolean) {
  const space = sweepSpace(sweep);
  const tracker = paramSummary(space, { min: -1e300, max: 2.5e21 });
  const lines = text.trim().split("\n").map((line) => {
    const { param, ...rest } = JSON.parse(line) as { param: number; value?: number };
    if (typeof rest.value === "number") tracker.offer(param, rest.value);
    return withAxes ? JSON.stringify({ param, ...space.pointOf(param), ...rest }) : line;
  });
  return { text: `${lines.join("\n")}\n`, summary: tracker.summary() };
}

test("JSONL: axis columns and value summary as JSON.parse gives them, with or without a sweep", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ttg-pass-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = linesOf("jsonl");
  for (const withAxes of [true, false]) {
    const path = join(dir, `results-${withAxes}.jsonl`);
    await writeFile(path, text);
    const got = await finishParamResults(path, "jsonl", withAxes ? sweepSpace(sweep) : undefined, { min: -1e300, max: 2.5e21 });
    const want = reference(text, withAxes);
    assert.equal(await readFile(path, "utf8"), want.text);
    if (withAxes) assert.deepEqual(got, want.summary);
    else assert.deepEqual(got.values.histogram, want.summary.values.histogram);
  }
});

test("CSV: the header gets the axis names and every value line its point", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ttg-pass-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "results.csv");
  await writeFile(path, linesOf("csv"));
  await finishParamResults(path, "csv", sweepSpace(sweep), { min: -1e300, max: 2.5e21 });
  const lines = (await readFile(path, "utf8")).trim().split("\n");
  assert.equal(lines[0], "param,x,y,value,chunk,worker,cause,error");
  assert.equal(lines[1], '0,0,"a,b",13,0,"w,1",,');
  assert.equal(lines[2], '1,0,"q""t",-0.5,0,"w,1",,');
  assert.equal(lines.length, 1 + VALUES.length + 1);
});

test("a file larger than one read block, no trailing newline: every line counted once", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "ttg-pass-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "results.jsonl");
  const n = 60_000; // ~3 MB: many read blocks, lines cut across them
  let text = "";
  for (let i = 0; i < n; i++) text += paramLine({ param: i, value: i % 100, chunk: 0, worker: "0" }, "jsonl");
  await writeFile(path, text.slice(0, -1));
  const got = await finishParamResults(path, "jsonl", undefined, { min: 0, max: 99 });
  assert.equal(got.values.histogram.counts.reduce((a, b) => a + b, 0), n);
  assert.equal(await readFile(path, "utf8"), text.slice(0, -1), "without a sweep the file is left as it is");
});
