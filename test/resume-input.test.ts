// --resume and --retry-failed on runs that cannot be resumed or retried: one line, the fix, no broker touched.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { resumeCommand } from "../lib/demo/resume-command.ts";
import { runDemo } from "./helpers/demo-process.ts";

function reportsDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-resume-input-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("--resume of a run this folder never saw: exit 2, one line naming run.json", (t) => {
  const reports = reportsDir(t);
  const r = runDemo(["--resume", "nope-1", "--reports", reports, "--platform", "local"], { timeoutMs: 30_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /^demo: Cannot resume run nope-1: \S+run\.json does not exist/);
});

test("--resume and --run-id together are a usage error", (t) => {
  const r = runDemo(["--resume", "a-1", "--run-id", "b-2", "--reports", reportsDir(t)], { timeoutMs: 30_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /mutually exclusive/);
});

test("--retry-failed of a run without failed parameters says so and keeps its verdict", (t) => {
  const reports = reportsDir(t);
  mkdirSync(join(reports, "done-1"));
  writeFileSync(join(reports, "done-1", "report.json"), JSON.stringify({ runId: "done-1", verdict: "pass" }));
  const r = runDemo(["--retry-failed", "done-1", "--reports", reports], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Run done-1 has no failed parameters: nothing to retry \(its report says PASS\)/);
  assert.equal(r.path, join(reports, "done-1", "report.json"));
});

test("the resume command names --reports unless it is the default, quoted as a shell needs it", () => {
  assert.equal(resumeCommand({ runId: "redis-1", reportsDir: "reports" }), "./runbook/demo.ts --resume redis-1");
  assert.equal(resumeCommand({ runId: "redis-1", reportsDir: "/tmp/runs" }), "./runbook/demo.ts --resume redis-1 --reports /tmp/runs");
  assert.equal(resumeCommand({ runId: "redis-1", reportsDir: "/tmp/my runs" }), "./runbook/demo.ts --resume redis-1 --reports $'/tmp/my runs'");
});
