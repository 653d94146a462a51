// A run that cannot progress says why: in its report's problems, on its timeline and on its
// progress line. Real Redis, real worker processes, --platform local, a random namespace and run id.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { RunReport } from "../lib/report/report-model.ts";
import { BROKER_URLS, deleteNamespace } from "./helpers/queue-run.ts";

async function stuckDemo(t: TestContext, args: string[], env: Record<string, string>) {
  const reports = mkdtempSync(join(tmpdir(), "ttg-stall-"));
  const namespace = `ttgtest-${Math.random().toString(36).slice(2, 10)}`;
  const runId = `stall-${Math.random().toString(36).slice(2, 8)}`;
  t.after(async () => {
    rmSync(reports, { recursive: true, force: true });
    await deleteNamespace("redis", BROKER_URLS.redis, namespace, [runId]);
  });
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "runbook/demo.ts", "--backend", "redis", "--platform", "local", "--run-id", runId, "--reports", reports, "--yes", ...args],
    { env: { ...process.env, REDIS_URL: BROKER_URLS.redis, QUEUE_NAMESPACE: namespace, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  const path = stdout.trimEnd().split("\n").at(-1) ?? "";
  assert.equal(code, 1, `the run fails, it does not crash or hang\n${stdout}\n${stderr}`);
  const report = JSON.parse(readFileSync(path, "utf8")) as RunReport;
  const markdown = readFileSync(join(reports, runId, "report.md"), "utf8");
  return { stdout, report, markdown };
}

test("workers that die on their first chunk and are not replaced (--restart-budget 0): the report names every exit and its last log line", async (t) => {
  const { report, markdown, stdout } = await stuckDemo(t, ["--params", "40", "--chunk-size", "10", "--workers", "2", "--stall-seconds", "20", "--restart-budget", "0"], {
    COMPUTE_MODULE: "test/fixtures/crashing-compute.ts",
  });
  assert.equal(report.verdict, "fail");
  const problem = report.problems.find((p) => p.startsWith("the run stopped before it settled: "));
  assert.ok(problem, report.problems.join("\n"));
  assert.match(problem, /no worker is consuming: all 2 workers exited \(worker 0 died \(SIGKILL\), last line "took [^"]*"; worker 1 died \(SIGKILL\), last line "took [^"]*"\)/);
  assert.ok(report.timeline.some((e) => e.event === "note" && e.detail.startsWith("every worker has exited before the run settled: no worker is consuming")));
  assert.ok(markdown.includes(problem), "report.md lists the problem");
  assert.doesNotMatch(stdout, /giving up/);
});

test("a hung evaluation: the run gives up after --stall-seconds and says the worker is alive and holds the chunk", async (t) => {
  const { report, stdout, markdown } = await stuckDemo(t, ["--params", "20", "--chunk-size", "10", "--workers", "1", "--stall-seconds", "4"], {
    COMPUTE_MODULE: "test/fixtures/slow-param-compute.ts",
    SLOW_PARAM: "0",
    SLOW_MS: "600000",
  });
  assert.equal(report.verdict, "fail");
  const problem = report.problems.find((p) => p.startsWith("the run gave up after 4 s without an accepted chunk: "));
  assert.ok(problem, report.problems.join("\n"));
  assert.match(problem, /not a stall: [12] chunks? in flight, the slowest held for \d+ s \(chunk [01], worker 0\); raise --stall-seconds/);
  assert.ok(report.timeline.some((e) => e.event === "note" && e.detail.startsWith("no chunk accepted for 4 s: giving up: not a stall")));
  assert.ok(markdown.includes(problem), "report.md lists the problem");
  // The live line said it before the run gave up (at half the stall time here).
  assert.match(stdout, /no chunk accepted for \d+s: not a stall: [12] chunks? in flight/);
});

test("a crash loop past the restart budget ends the run with a verdict naming the cause", async (t) => {
  const { report, markdown } = await stuckDemo(t, ["--params", "40", "--chunk-size", "10", "--workers", "2", "--stall-seconds", "30", "--restart-budget", "1"], {
    COMPUTE_MODULE: "test/fixtures/crashing-compute.ts",
  });
  assert.equal(report.verdict, "fail");
  const problem = report.problems.find((p) => p.startsWith("the run stopped before it settled: workers kept dying: 1 restart(s) used up the budget of 1 (--restart-budget), then worker "));
  assert.ok(problem, report.problems.join("\n"));
  assert.ok(report.timeline.some((e) => /started again \(restart 1 of 1\)/.test(e.detail)), JSON.stringify(report.timeline));
  assert.ok(markdown.includes(problem), "report.md lists the problem");
});
