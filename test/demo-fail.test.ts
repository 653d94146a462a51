// The FAIL path end to end: a real demo whose compute function throws on one parameter ends
// with verdict fail in report.json and report.md, exit code 1, and the report path last.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EXIT_CODES } from "../lib/script/exit-codes.ts";
import type { RunReport } from "../lib/report/report-model.ts";

const random = () => Math.random().toString(36).slice(2, 10);

async function demo(args: string[], env: Record<string, string>, timeoutMs: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "runbook/demo.ts", ...args], { env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr, lines: stdout.trimEnd().split("\n") };
}

test("a demo whose compute throws ends with verdict fail, exit 1, report.md FAIL and the report path last", async (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-reports-"));
  const namespace = `ttg-test-${random()}`;
  const runId = `fail-${random()}`;
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const r = await demo(
    ["--backend", "redis", "--platform", "local", "--params", "60", "--chunk-size", "10", "--workers", "2", "--work-ms", "0",
      "--compute", "test/fixtures/throwing-compute.ts", "--run-id", runId, "--reports", reports, "--yes"],
    { QUEUE_NAMESPACE: namespace, THROW_ON: "33", MAX_DELIVERIES: "2" },
    150_000,
  );
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, EXIT_CODES.failed, output);
  const path = join(reports, runId, "report.json");
  assert.equal(r.lines.at(-1), path, "the last line is the report path");
  const report = JSON.parse(readFileSync(path, "utf8")) as RunReport;
  assert.equal(report.verdict, "fail");
  assert.ok(report.problems.length > 0, "a failed run says why");
  assert.ok(report.problems.some((p) => /cannot evaluate parameter 33/.test(p)), JSON.stringify(report.problems));
  const md = readFileSync(join(reports, runId, "report.md"), "utf8");
  assert.match(md, new RegExp(`^# TTG run ${runId}: FAIL$`, "m"));
  assert.doesNotMatch(md, /PASS/);
});
