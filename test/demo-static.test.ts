// The README's demo command on the static backend, end to end, with real worker processes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AggregateBuilder } from "../lib/compute/aggregate.ts";
import { simulatedValue } from "../lib/compute/simulated.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { runDemo } from "./helpers/demo-process.ts";

// Always local: a machine with a kind cluster must not send these runs to it.
const demo = (args: string[], env: Record<string, string> = {}) => runDemo(["--platform", "local", ...args], { env, timeoutMs: 120_000 });

test("static demo: 10000/10000 params, verdict pass, aggregate equals a single-process computation", (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-reports-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const r = demo(["--backend", "static", "--params", "10000", "--workers", "3", "--work-ms", "0", "--reports", reports, "--run-id", "static-test"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const path = r.lines.at(-1) ?? "";
  assert.equal(path, join(reports, "static-test", "report.json"), "the last line is the report path");
  const report = JSON.parse(readFileSync(path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass");
  assert.deepEqual(report.params, { total: 10000, covered: 10000, failed: 0 });
  assert.equal(report.chunks.expected, 3);
  assert.equal(report.chunks.accepted, 3);
  assert.equal(report.backend, "static");
  assert.equal(report.platform, "local");
  const direct = new AggregateBuilder();
  for (let p = 0; p < 10000; p++) direct.add(simulatedValue(p));
  const { count, sum, min, max } = direct.build();
  assert.deepEqual(report.aggregate, { count, sum, min, max });
  assert.equal(report.aggregate.sum, 5000355, "the Python system's sum for 10,000 params");
  assert.match(readFileSync(join(reports, "static-test", "report.md"), "utf8"), /# TTG run static-test: PASS/);
  assert.ok(!r.stdout.includes("\u001b["), "piped output has no escape codes");
});

test("static demo with --fault-demo restarts the killed slice and still covers everything", (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-reports-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const r = demo(["--backend", "static", "--params", "600", "--chunk-size", "20", "--work-ms", "5", "--fault-demo", "--reports", reports, "--run-id", "static-fault"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const report = JSON.parse(readFileSync(r.lines.at(-1) ?? "", "utf8")) as RunReport;
  assert.equal(report.verdict, "pass");
  assert.equal(report.faults.length, 1);
  assert.equal(report.chunks.redelivered, 1);
  assert.equal(report.params.covered, 600);
  assert.match(r.stdout, /FAULT INJECTED: killed worker \d \(pid \d+\) with SIGKILL/);
});

test("bad flags exit 2 with one line naming the flag", () => {
  for (const [args, message] of [
    [["--workers", "banana"], /^demo: Invalid --workers "banana": expected an integer from 1 to 256\.$/],
    [["--scale", "huge"], /^demo: .*scale.*huge.*small, medium, large/],
    [["--backend", "kafka"], /^demo: .*backend.*kafka/],
    [["--bogus-flag"], /^demo: Unknown argument: bogus-flag/],
  ] as const) {
    const r = demo([...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  }
});

test("a bad worker variable in the demo's environment exits 2 naming it", () => {
  const r = demo(["--backend", "static"], { SIMULATE_WORK_MS: "slow" });
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^demo: Invalid SIMULATE_WORK_MS="slow": expected a number from 0 to 3600000\.$/);
});

test("--help lists the flags and exits 0", () => {
  const r = demo(["--help"]);
  assert.equal(r.code, 0);
  for (const f of ["--backend", "--scale", "--workers", "--fault-demo", "--monitor", "--skip-cleanup", "--platform", "--params", "--chunk-size", "--work-ms", "--run-id", "--reports", "--yes", "--dry-run"]) {
    assert.ok(r.stdout.includes(f), `--help is missing ${f}`);
  }
});
