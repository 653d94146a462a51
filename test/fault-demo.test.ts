// --fault-demo kills a worker that holds chunks: the one whose "took" line brings the chunks taken to
// --fault-at, even in a run far quicker than the coordinator's readings. A demo that kills nobody
// says why, on the screen and in the report (lib/sweep/fault-demo.ts).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { RunLedger } from "../lib/report/run-ledger.ts";
import type { Platform, WorkerState } from "../lib/platforms/platform.ts";
import type { RunReport } from "../lib/report/report-model.ts";
import { FaultDemo } from "../lib/sweep/fault-demo.ts";
import { RecoveryLines } from "../lib/sweep/recovery-lines.ts";
import type { ProgressView } from "../lib/sweep/progress-snapshot.ts";
import type { RunDriver } from "../lib/sweep/run-driver.ts";
import { runDemo, testNamespace, uniqueRunId } from "./helpers/demo-process.ts";

test("the fault demo kills the worker that took the chunks at --fault-at, and its chunks are taken over", { timeout: 120_000 }, (t) => {
  const reports = mkdtempSync(join(tmpdir(), "ttg-fault-"));
  t.after(() => rmSync(reports, { recursive: true, force: true }));
  const runId = uniqueRunId("fault-took");
  // One chunk: taking it is 100 % of the chunks taken, so the worker holding it is the one killed.
  const args = ["--backend", "redis", "--platform", "local", "--params", "50", "--chunk-size", "50", "--workers", "1", "--work-ms", "10"];
  const r = runDemo([...args, "--fault-demo", "--fault-at", "0.99", "--run-id", runId, "--reports", reports], { env: { QUEUE_NAMESPACE: testNamespace() }, timeoutMs: 100_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /FAULT INJECTED: killed worker 0 \(pid \d+\) with SIGKILL at 100% of the chunks taken, right after it took chunks/);
  assert.match(r.stdout, /RECOVERED: chunk 0 of dead worker 0 taken by worker 0 \(restarted\) after \d+\.\d\d s/, "the take-over is said as it happens");
  const report = JSON.parse(readFileSync(r.path, "utf8")) as RunReport;
  assert.equal(report.verdict, "pass", report.problems.join("; "));
  assert.equal(report.faults.length, 1);
  // It held the chunk: the broker handed it back, and its result came from a second delivery.
  assert.ok(report.timeline.some((e) => e.detail === "1 chunk(s) of worker 0 handed back to the queue"), JSON.stringify(report.timeline));
  assert.equal(report.chunks.redelivered, 1);
  assert.deepEqual(report.recovery.redeliveries.map((d) => [d.chunkId, d.fromWorker, d.toWorker]), [[0, "0", "0 (restarted)"]], "the worker started in its place took it");
  assert.deepEqual(report.params, { total: 50, covered: 50, failed: 0 });
});

/** A run's parts as the fault demo sees them, with no worker running: nobody can be killed. */
function nobodyRunning(ledger: RunLedger) {
  const said: string[] = [];
  const platform = { workers: (): WorkerState[] => [], kill: () => Promise.reject(new Error("nobody to kill")) } as unknown as Platform;
  const driver = { expectedChunks: 10, lineProgress: { share: 0, of: "the chunks taken", after: "it took chunks" }, pickVictim: () => undefined } as unknown as RunDriver;
  const view = { say: (line: string) => said.push(line) } as unknown as ProgressView;
  return { deps: { platform, driver, ledger, view }, said };
}

test("a fault demo that kills nobody says why: the run settled first, or no worker was running", async () => {
  const cfg = { faultDemo: true, faultAt: 0.3, params: 100, platform: "local" as const };
  const settledFirst = nobodyRunning(new RunLedger(10));
  const early = new FaultDemo(cfg, settledFirst.deps);
  assert.equal(early.readMark, 30, "reads stop at 30 parameters while the fault is due");
  early.settled();
  assert.deepEqual(settledFirst.said, ["fault demo: no worker was killed: the run settled before 30% of it was seen"]);
  assert.ok(settledFirst.deps.ledger.timeline.some((e) => e.detail === settledFirst.said[0]), "and the report's timeline says it");

  const empty = nobodyRunning(new RunLedger(10));
  const idle = new FaultDemo(cfg, empty.deps);
  await idle.afterReading({ chunksDone: 3, chunksExpected: 10, paramsDone: 30, paramsTotal: 100, inFlight: {}, pending: 7, deadLettered: 0, duplicates: 0 });
  assert.deepEqual(empty.said, ["fault demo: no worker was killed: no worker was running at that moment"]);
  assert.equal(idle.readMark, undefined, "tried once: reads no longer stop");
  idle.settled();
  assert.equal(empty.said.length, 1, "said once");
});

test("a resumed run whose fault was injected before is not hit again", () => {
  const ledger = new RunLedger(10);
  ledger.fault({ at: new Date().toISOString(), worker: "0", kind: "kill" });
  const { deps, said } = nobodyRunning(ledger);
  const demo = new FaultDemo({ faultDemo: true, faultAt: 0.3, params: 100, platform: "local" }, deps);
  assert.equal(demo.readMark, undefined);
  demo.settled();
  assert.deepEqual(said, []);
});

test("chunks taken over are said as the timeline records them: three in full, then a count per reading", () => {
  const ledger = new RunLedger(10);
  const said: string[] = [];
  const lines = new RecoveryLines(ledger, { say: (line) => said.push(line) });
  ledger.note("fault", "killed worker 1");
  for (const chunk of [4, 5]) ledger.note("recovered", `chunk ${chunk} of dead worker 1 taken by worker 0 after 0.10 s`);
  lines.sayNew();
  ledger.note("note", "worker 1 died (SIGKILL): started again");
  for (const chunk of [6, 7, 8, 9]) ledger.note("recovered", `chunk ${chunk} of dead worker 1 taken by worker 2 after 0.12 s`);
  lines.sayNew();
  lines.sayNew();
  assert.deepEqual(said, [
    "RECOVERED: chunk 4 of dead worker 1 taken by worker 0 after 0.10 s",
    "RECOVERED: chunk 5 of dead worker 1 taken by worker 0 after 0.10 s",
    "RECOVERED: chunk 6 of dead worker 1 taken by worker 2 after 0.12 s",
    "RECOVERED: 3 more chunk(s) taken over (every one is in the report)",
  ]);
});
