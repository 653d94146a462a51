// The one-command demo: provision the backend, run the sweep on the platform, write the report.
import { join } from "node:path";
import type { DemoOptions } from "../cli/demo-options.ts";
import { createProgressView } from "../cli/progress-view.ts";
import { UsageError } from "../cli/usage-error.ts";
import { LocalPlatform } from "../platforms/local-platform.ts";
import { RunLedger } from "../report/run-ledger.ts";
import { reportDir, writeReport } from "../report/write-report.ts";
import { demoHeader, demoSummary } from "./demo-output.ts";
import type { RunDriver } from "./run-driver.ts";
import { runSweep } from "./run-sweep.ts";
import { StaticDriver } from "./static-driver.ts";
import { openLocalBackend } from "./backend-session.ts";
import { QueueDriver } from "./queue-driver.ts";
import type { RunReport } from "../report/report-model.ts";
import { totalChunks } from "./sweep-config.ts";

export type DemoIO = { out: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown } };

type DriverSession = { driver: RunDriver; description: string; close(): Promise<void> };

async function createDriver(opts: DemoOptions, ledger: RunLedger): Promise<DriverSession> {
  const ctx = { ledger, runId: opts.runId };
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

export async function runDemo(opts: DemoOptions, io: DemoIO): Promise<number> {
  const print = (line = "") => io.out.write(`${line}\n`);
  if (opts.platform === "kind") throw new UsageError("Cannot use --platform kind yet: use --platform local.");
  for (const line of demoHeader(opts)) print(line);
  if (opts.dryRun) {
    print(`dry run: would start ${opts.workers} local worker processes and write ${join(opts.reportsDir, opts.runId)}/`);
    return 0;
  }
  const expected = opts.backend === "static" ? opts.workers : totalChunks(opts.params, opts.chunkSize);
  const ledger = new RunLedger(expected);
  print(`[1/5] Preparing the ${opts.backend} backend`);
  const session = await createDriver(opts, ledger);
  let report: RunReport;
  try {
    print(`      using ${session.description}`);
    const platform = new LocalPlatform({ logDir: join(reportDir(opts.reportsDir, opts.runId), "logs") });
    print(`[2/5] Loading ${expected} chunks and starting ${opts.workers} workers on ${opts.platform}`);
    print("[3/5] Running");
    report = await runSweep(opts, { platform, driver: session.driver, ledger, view: createProgressView(io.out) });
  } finally {
    print(opts.skipCleanup ? "[4/5] Keeping the run's queue data (--skip-cleanup)" : "[4/5] Cleaning up the run's queue data");
    await session.close();
  }
  print("[5/5] Writing the report");
  const written = await writeReport(opts.reportsDir, report);
  for (const line of demoSummary(report)) print(line);
  print(written.json);
  return report.verdict === "pass" ? 0 : 1;
}
