// A run id names one plan: which differences make another run (lib/sweep/run-plan.ts), and the
// refusal of a new run whose id has a folder from a run of another plan (lib/demo/run-id-in-use.ts).
// The refusals end to end, against real brokers, are in test/helpers/resume-suite.ts.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { planFor } from "../lib/backends/backend.ts";
import { refuseRunOfAnotherPlan } from "../lib/demo/run-id-in-use.ts";
import { BadInput } from "../lib/script/bad-input.ts";
import { chunkSizeChosen, describePlan, RunIdTaken, samePlan } from "../lib/sweep/run-plan.ts";
import { saveRun } from "../lib/sweep/saved-run.ts";
import type { SweepConfig } from "../lib/sweep/sweep-config.ts";

const all = { chunkSize: true, sweep: true };

test("samePlan: the parameters always count; the sweep and the chunk size where asked", () => {
  const p = planFor("r-1", 100, 10, "abc");
  assert.ok(samePlan(p, planFor("r-1", 100, 10, "abc"), all));
  assert.ok(!samePlan(p, planFor("r-1", 200, 10, "abc"), { chunkSize: false, sweep: false }));
  assert.ok(!samePlan(p, planFor("r-1", 100, 20, "abc"), all));
  assert.ok(samePlan(p, planFor("r-1", 100, 20, "abc"), { chunkSize: false, sweep: true }));
  assert.ok(!samePlan(p, planFor("r-1", 100, 10, "def"), all));
  assert.ok(!samePlan(p, planFor("r-1", 100, 10), all));
  assert.ok(samePlan(p, planFor("r-1", 100, 10), { chunkSize: true, sweep: false }));
});

test("the chunk size is part of the plan only when every run chose it (not static, not --chunk-size auto)", () => {
  const auto = { backend: "redis", chunkSizeChoice: { chunkSize: 10 } } as unknown as SweepConfig;
  assert.ok(chunkSizeChosen({ backend: "redis" }, { backend: "rabbitmq" }));
  assert.ok(!chunkSizeChosen({ backend: "static" }));
  assert.ok(!chunkSizeChosen({ backend: "redis" }, auto));
});

test("RunIdTaken is bad input naming the run, both plans, where the run is and the fix", () => {
  const e = new RunIdTaken(planFor("r-1", 100, 10, "abc"), planFor("r-1", 200, 10), "reports/r-1/run.json", "use another --run-id");
  assert.ok(e instanceof BadInput);
  assert.equal(e.message, "Cannot start run r-1: it already exists with 100 params of sweep abc in chunks of 10 (reports/r-1/run.json), not 200 params in chunks of 10; use another --run-id.");
  assert.equal(describePlan(planFor("r-1", 5, 2)), "5 params in chunks of 2");
});

function config(reportsDir: string, o: Partial<SweepConfig>): SweepConfig {
  return { runId: "r-1", platform: "local", backend: "redis", workers: 2, scale: "custom", params: 100, chunkSize: 10, workMs: 0, faultDemo: false, faultAt: 0.3, monitor: "none", skipCleanup: false, reportsDir, computeModule: undefined, maxDeliveries: 3, workerEnv: {}, results: "params", resultsFormat: "jsonl", stallSeconds: 60, ...o };
}

function reports(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "ttg-run-plan-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("a new run of an id whose folder holds another plan is refused; the same plan, a new id or no run.json passes", async (t) => {
  const dir = reports(t);
  await refuseRunOfAnotherPlan(config(dir, { params: 200 }));
  await saveRun(join(dir, "r-1"), config(dir, {}), new Date());
  await refuseRunOfAnotherPlan(config(dir, {}));
  await refuseRunOfAnotherPlan(config(dir, { runId: "r-2", params: 200 }));
  await assert.rejects(refuseRunOfAnotherPlan(config(dir, { params: 200 })), (e: Error) => e instanceof RunIdTaken && /it already exists with 100 params in chunks of 10 \(\S+r-1\/run\.json\), not 200 params in chunks of 10; use another --run-id, or remove \S+r-1 to use this one again\.$/.test(e.message));
  await assert.rejects(refuseRunOfAnotherPlan(config(dir, { chunkSize: 20 })), RunIdTaken);
  await refuseRunOfAnotherPlan(config(dir, { backend: "static", chunkSize: 20 }));
});

test("an interrupted run (its journal is there) of another plan is refused with --resume as the fix", async (t) => {
  const dir = reports(t);
  await saveRun(join(dir, "r-1"), config(dir, {}), new Date());
  mkdirSync(join(dir, "r-1", "work"));
  writeFileSync(join(dir, "r-1", "work", "journal.jsonl"), "");
  await assert.rejects(refuseRunOfAnotherPlan(config(dir, { params: 50 })), (e: Error) => /\(\S+run\.json, interrupted\), not 50 params in chunks of 10; finish it with \.\/runbook\/demo\.ts --resume r-1 --reports \S+, or use another --run-id\.$/.test(e.message));
});
