// The one-command demo: provision the backend, run the sweep on the platform, keep the
// accepted results, write the report.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { DemoOptions } from "../cli/demo-options.ts";
import { createProgressView } from "../cli/progress-view.ts";
import { UsageError } from "../cli/usage-error.ts";
import { LocalPlatform } from "../platforms/local-platform.ts";
import type { RunReport } from "../report/report-model.ts";
import { RunLedger } from "../report/run-ledger.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { ResultsSpool } from "../results/results-spool.ts";
import { openLocalBackend } from "./backend-session.ts";
import { demoHeader, demoSummary } from "./demo-output.ts";
import { QueueDriver } from "./queue-driver.ts";
import type { DriverContext, RunDriver } from "./run-driver.ts";
import { runSweep } from "./run-sweep.ts";
import { StaticDriver } from "./static-driver.ts";
import { totalChunks } from "./sweep-config.ts";

export type DemoIO = { out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown } };

type DriverSession = { driver: RunDriver; description: string; close(): Promise<void> };

async function createDriver(opts: DemoOptions, ctx: DriverContext): Promise<DriverSession> {
  if (opts.backend === "static") {
    return {
      driver: new StaticDriver(ctx, { workers: opts.workers, params: opts.params, maxAttempts: opts.maxDeliveries }),
      description: "static slices, no broker",
      close: async () => {},
    };
  }
  const session = await openLocalBackend(opts);
  const driver = new QueueDriver(ctx, session.observer, {
    backend: opts.backend,
    plan: session.plan,
    brokerEnv: session.brokerEnv,
  });
  return { driver, description: session.description, close: () => session.close({ keepData: opts.skipCleanup }) };
}

async function keepResults(opts: DemoOptions, spool: ResultsSpool | undefined, dir: string, report: RunReport) {
  if (!spool) return;
  const written = await spool.finish(join(dir, `results.${opts.resultsFormat}`));
  report.results = { file: `results.${opts.resultsFormat}`, granularity: spool.granularity, format: spool.format, chunks: written.chunks };
  if (spool.missingValues.length) {
    report.problems.push(`${spool.missingValues.length} accepted chunk(s) arrived without their values; the results file lacks them`);
  }
}

export async function runDemo(opts: DemoOptions, io: DemoIO): Promise<number> {
  const print = (line = "") => io.out.write(`${line}\n`);
  if (opts.platform === "kind") throw new UsageError("Cannot use --platform kind yet: use --platform local.");
  for (const line of demoHeader(opts)) print(line);
  const dir = reportDir(opts.reportsDir, opts.runId);
  if (opts.dryRun) {
    print(`dry run: would start ${opts.workers} local worker processes and write ${dir}/`);
    return 0;
  }
  // A rerun of a run id starts from an empty folder: nothing of an earlier run is mixed in.
  await rm(dir, { recursive: true, force: true });
  const expected = opts.backend === "static" ? opts.workers : totalChunks(opts.params, opts.chunkSize);
  const ledger = new RunLedger(expected);
  const spool = opts.results === "none" ? undefined : new ResultsSpool(dir, opts.results, opts.resultsFormat);
  const workDir = join(dir, "work");
  print(`[1/5] Preparing the ${opts.backend} backend`);
  const session = await createDriver(opts, { ledger, runId: opts.runId, workDir, ...(spool ? { results: spool } : {}) });
  let report: RunReport;
  try {
    print(`      using ${session.description}`);
    const platform = new LocalPlatform({ logDir: join(dir, "logs"), workDir });
    print(`[2/5] Loading ${expected} chunks and starting ${opts.workers} workers on ${opts.platform}`);
    print("[3/5] Running");
    report = await runSweep(opts, { platform, driver: session.driver, ledger, view: createProgressView(io.out) });
  } catch (error) {
    await spool?.discard();
    throw error;
  } finally {
    print(opts.skipCleanup ? "[4/5] Keeping the run's queue data (--skip-cleanup)" : "[4/5] Cleaning up the run's queue data");
    await session.close();
  }
  print("[5/5] Writing the results and the report");
  await keepResults(opts, spool, dir, report);
  await rm(workDir, { recursive: true, force: true });
  const written = await writeReport(opts.reportsDir, report);
  for (const line of demoSummary(report)) print(line);
  print(written.json);
  return report.verdict === "pass" && report.problems.length === 0 ? 0 : 1;
}
