// Bad compute input is exit 2 before any chunk is taken (docs/own-algorithm.md): the demo loads the module once
// and prints the real error in one line. A TypeScript module outside the repository works.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import { startDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";

function outsideRepo(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-compute-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function demoWith(compute: string, extra: string[] = []) {
  const reports = mkdtempSync(join(tmpdir(), "ttg-reports-"));
  const args = ["--backend", "redis", "--platform", "local", "--params", "20", "--chunk-size", "10", "--workers", "1", "--work-ms", "0", "--compute", compute, "--reports", reports, "--yes", ...extra];
  const began = Date.now();
  const r = await startDemo(args, { env: { QUEUE_NAMESPACE: testNamespace() } }).finished(60_000);
  return { ...r, seconds: (Date.now() - began) / 1000, reports };
}

for (const c of [
  { what: "a module that does not exist", module: () => "./missing.mjs", says: /^demo: Cannot load the compute module \.\/missing\.mjs: there is no file \S+missing\.mjs \(fix --compute or COMPUTE_MODULE\)$/ },
  {
    what: "a module with a syntax error",
    module: (t: { after(fn: () => void): void }) => join(outsideRepo(t, { "broken.mjs": "export function compute(p) {\n  return p +;\n}\n" }), "broken.mjs"),
    says: /^demo: Cannot load the compute module \S+broken\.mjs: Unexpected token ';' at \S+broken\.mjs:2 \(fix --compute or COMPUTE_MODULE\)$/,
  },
  {
    what: "a module without a compute function",
    module: (t: { after(fn: () => void): void }) => join(outsideRepo(t, { "nothing.mjs": "export const x = 1;\n" }), "nothing.mjs"),
    says: /^demo: Cannot use the compute module \S+nothing\.mjs: it must export a function compute\(paramId\)\.? \(fix --compute or COMPUTE_MODULE\)$/,
  },
]) {
  test(`--compute with ${c.what}: exit 2 within a few seconds, one line with the real error, nothing started`, async (t) => {
    const r = await demoWith(c.module(t));
    t.after(() => rmSync(r.reports, { recursive: true, force: true }));
    assert.equal(r.code, EXIT_CODES.badInput, r.stdout + r.stderr);
    assert.ok(r.seconds < 15, `took ${r.seconds} s`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, c.says);
    assert.doesNotMatch(r.stdout, /\[1\/5\]/, "no step was started");
  });
}

test("a TypeScript compute module outside the repository runs (no require(esm) cycle)", async (t) => {
  const dir = outsideRepo(t, { "double.ts": "export function compute(p: number): number {\n  return p * 2;\n}\n" });
  const runId = uniqueRunId("ts-outside");
  const r = await demoWith(join(dir, "double.ts"), ["--run-id", runId]);
  t.after(() => rmSync(r.reports, { recursive: true, force: true }));
  assert.equal(r.code, EXIT_CODES.ok, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
  assert.equal(report.aggregate.sum, 2 * 190);
});
